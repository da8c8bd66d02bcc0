import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { serveOpenApi, startService } from '@cameramonit/server';
import { VideoToTextModule } from './video-to-text.module.js';

const config = loadConfig();
await startService({
  service: 'video-to-text',
  config,
  app: VideoToTextModule,
  platformDatabase: true,
  busListener: true,
  port: config.ports.videoToText,
  configure: (app) => {
    serveOpenApi(app, 'Cameramonit video-to-text API', "Analyses of clips, and re-analyses of a camera's time range with its current settings.");
  },
});
