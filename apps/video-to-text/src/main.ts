import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { VideoToTextModule } from './video-to-text.module.js';

const config = loadConfig();
await startService({ service: 'video-to-text', config, app: VideoToTextModule, platformDatabase: true, busListener: true, port: config.ports.videoToText });
