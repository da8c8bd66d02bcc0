import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { AdminModule } from './admin.module.js';

const config = loadConfig();
await startService({ service: 'admin', config, app: AdminModule, platformDatabase: true, port: config.ports.admin });
