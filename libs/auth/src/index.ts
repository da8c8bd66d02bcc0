export * from './passwords.js';
export * from './secret-box.js';
export * from './tokens.js';
export * from './permissions.js';
export * from './auth.guard.js';
