export * from './media.errors.js';
export * from './media.types.js';
export * from './ffmpeg-args.builder.js';
export * from './ffmpeg-binaries.locator.js';
export * from './probe-result.parser.js';
export * from './ffmpeg.driver.js';
export * from './image-args.builder.js';
export * from './image-size.js';
