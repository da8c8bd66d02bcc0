import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { RecorderModule } from './recorder.module.js';

const config = loadConfig();
await startService({ service: 'recorder', config, app: RecorderModule, platformDatabase: true, port: config.ports.recorder });
