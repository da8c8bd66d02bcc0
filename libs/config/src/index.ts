export * from './settings.js';
export * from './config.js';
export * from './settings-docs.js';
