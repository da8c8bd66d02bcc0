export * from './entities/columns.js';
export * from './entities/platform.entities.js';
export * from './entities/plugin.entities.js';
export * from './entities/intake.entities.js';
export * from './entities/registry.entities.js';
export * from './migrations/index.js';
export * from './data-source.js';
export * from './event-enrichments.js';
