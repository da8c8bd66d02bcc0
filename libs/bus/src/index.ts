export * from './embedded-broker.js';
export * from './bus.options.js';
export * from './bus.client.js';
export * from './outbox.service.js';
export * from './bus.module.js';
export * from './topic.connection.js';
