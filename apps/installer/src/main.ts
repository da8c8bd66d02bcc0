import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { serveOpenApi, startService } from '@cameramonit/server';
import { InstallerModule } from './installer.module.js';

const config = loadConfig();
await startService({
  service: 'installer',
  config,
  app: InstallerModule,
  registryDatabase: true,
  busListener: true,
  port: config.ports.installer,
  configure: (app) => serveOpenApi(app, 'Cameramonit installer API', 'The camera registry and ONVIF discovery (docs/onvif.md). Log in with POST /api/auth/login on the chat app and send the token as a bearer token.'),
});
