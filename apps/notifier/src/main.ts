import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { NotifierModule } from './notifier.module.js';

const config = loadConfig();
await startService({ service: 'notifier', config, app: NotifierModule, platformDatabase: true, busListener: true, port: config.ports.notifier });
