import 'reflect-metadata';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@cameramonit/config';
import { startService } from '@cameramonit/server';
import { PluginHostModule } from './plugin-host.module.js';

const config = loadConfig();
await startService({
  service: 'plugin-host',
  config,
  app: PluginHostModule,
  platformDatabase: true,
  busListener: true,
  port: config.ports.pluginHost,
  configure: (app) => {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Cameramonit plugin host API')
        .setDescription('The analyser plugins found in PLUGINS_DIR and how they are doing. Log in on the chat app (POST /api/auth/login) and send the token as a bearer token.')
        .setVersion('0.1.0')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  },
});
