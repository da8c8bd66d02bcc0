export * from './ports.js';
export * from './store-layout.js';
export * from './clip-store.js';
export * from './file-access.js';
export * from './http-file.handler.js';
export * from './ftp-server.driver.js';
export * from './webdav-server.driver.js';
