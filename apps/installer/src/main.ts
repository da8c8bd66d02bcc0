import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { InstallerModule } from './installer.module.js';

const config = loadConfig();
await startService({ service: 'installer', config, app: InstallerModule, registryDatabase: true, busListener: true, port: config.ports.installer });
