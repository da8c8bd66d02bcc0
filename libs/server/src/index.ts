export * from './server.module.js';
export * from './error.filter.js';
export * from './logger.js';
export * from './bootstrap.js';
export * from './storage.client.js';
export * from './login.controller.js';
export * from './open-api.js';
export * from './vision-model.access.js';
