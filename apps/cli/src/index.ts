export * from './cli.js';
export * from './event.formatter.js';
export * from './progress.reporter.js';
