import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { startService } from '@cameramonit/server';
import { VideoToTextModule } from './video-to-text.module.js';

const config = loadConfig();
await startService({
  service: 'video-to-text',
  config,
  app: VideoToTextModule,
  platformDatabase: true,
  busListener: true,
  port: config.ports.videoToText,
  configure: (app) => {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Cameramonit video-to-text API')
        .setDescription("Analyses of clips, and re-analyses of a camera's time range with its current settings.")
        .setVersion('0.1.0')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  },
});
