import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { ManagerModule } from './manager.module.js';

const config = loadConfig();
await startService({ service: 'manager', config, app: ManagerModule, platformDatabase: true, busListener: true, port: config.ports.manager });
