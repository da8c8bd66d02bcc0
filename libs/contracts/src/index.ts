export * from './topics.js';
export * from './analysis.js';
export * from './errors.js';
export * from './analysis-settings.js';
export * from './description.js';
export * from './plugins.js';
export * from './camera-source.js';
export * from './onvif.js';
