import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The app's OpenAPI document: the page at /api/docs, the JSON at /api/docs/openapi.json. */
export function serveOpenApi(app: INestApplication, title: string, description: string): void {
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(title).setDescription(description).setVersion('0.1.0').addBearerAuth().build());
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
}
