export * from './plugin.runner.js';
export * from './png.codec.js';
export * from './rgb-image.js';
export type {
  NormalisedBox,
  PluginImage,
  PluginImageType,
  PluginManifest,
  PluginRequest,
  PluginResult,
  PluginResultEvent,
  PluginResultImage,
  PluginResultObject,
} from '@cameramonit/contracts';
