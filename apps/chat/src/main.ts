import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
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
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Cameramonit chat API')
        .setDescription('Cameras, their events and chat threads, questions, uploads. Log in with POST /api/auth/login and send the token as a bearer token.')
        .setVersion('0.1.0')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
    app.useStaticAssets(uiAssetsDir, { prefix: '/ui/' });
    app.useStaticAssets(join(here, '..', 'public'), { index: 'index.html' });
  },
});
