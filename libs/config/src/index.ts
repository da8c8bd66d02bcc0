export * from './settings.js';
export * from './config.js';
