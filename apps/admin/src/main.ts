import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@cameramonit/config';
import { serveOpenApi, startService } from '@cameramonit/server';
import { uiAssetsDir } from '@cameramonit/ui';
import { AdminModule } from './admin.module.js';

const here = dirname(fileURLToPath(import.meta.url));
const config = loadConfig();
await startService({
  service: 'admin',
  config,
  app: AdminModule,
  platformDatabase: true,
  port: config.ports.admin,
  configure: (app) => {
    serveOpenApi(app, 'Cameramonit admin API', "Projects, cameras and each camera's analysis settings. Log in with POST /api/auth/login and send the token as a bearer token.");
    app.useStaticAssets(uiAssetsDir, { prefix: '/ui/' });
    app.useStaticAssets(join(here, '..', 'public'), { index: 'index.html' });
  },
});
