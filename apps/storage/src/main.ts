import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { StorageModule } from './storage.module.js';

const config = loadConfig();
await startService({ service: 'storage', config, app: StorageModule, platformDatabase: true, busListener: true, port: config.ports.storage });
