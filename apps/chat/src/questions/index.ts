export * from './question-parser.js';
export * from './answer-builder.js';
export { foldText } from './question-vocabulary.js';
export { processTimeZone, formatClock } from './zoned-time.js';
export * from './period-summary.builder.js';
