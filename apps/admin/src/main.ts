import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
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
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Cameramonit admin API')
        .setDescription("Projects, cameras and each camera's analysis settings. Log in with POST /api/auth/login and send the token as a bearer token.")
        .setVersion('0.1.0')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
    app.useStaticAssets(uiAssetsDir, { prefix: '/ui/' });
    app.useStaticAssets(join(here, '..', 'public'), { index: 'index.html' });
  },
});
