import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { loadConfig } from '@cameramonit/config';
import { serveOpenApi, startService } from '@cameramonit/server';
import { uiAssetsDir } from '@cameramonit/ui';
import { ChatModule } from './chat.module.js';

const here = dirname(fileURLToPath(import.meta.url));
const config = loadConfig();
await startService({
  service: 'chat',
  config,
  app: ChatModule,
  platformDatabase: true,
  busListener: true,
  port: config.ports.chat,
  configure: (app) => {
    app.useWebSocketAdapter(new IoAdapter(app));
    serveOpenApi(app, 'Cameramonit chat API', 'Cameras, their events and chat threads, questions, uploads. Log in with POST /api/auth/login and send the token as a bearer token.');
    app.useStaticAssets(uiAssetsDir, { prefix: '/ui/' });
    app.useStaticAssets(join(here, '..', 'public'), { index: 'index.html' });
  },
});
