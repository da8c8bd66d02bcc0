export * from './box-geometry.js';
export * from './motion-detector.js';
export * from './object-detector.js';
export * from './human-object-detector.driver.js';
export * from './object.tracker.js';
export * from './event.describer.js';
export * from './event.builder.js';
export * from './video-analysis.service.js';
