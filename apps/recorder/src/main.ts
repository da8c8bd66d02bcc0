import 'reflect-metadata';
import { loadConfig } from '@cameramonit/config';
import { mainRecorderId } from '@cameramonit/contracts';
import { serveOpenApi, startService } from '@cameramonit/server';
import { RecorderModule } from './recorder.module.js';

const config = loadConfig();
await startService({
  service: 'recorder',
  config,
  app: RecorderModule,
  platformDatabase: true,
  busListener: true,
  // a second recorder (a webcam's machine) has a bus session of its own, not the main recorder's
  busInstance: config.recorder.id === mainRecorderId ? undefined : `${process.env.INSTANCE_ID ?? 'main'}-${config.recorder.id}`,
  port: config.ports.recorder,
  configure: (app) => serveOpenApi(app, 'Cameramonit recorder API', 'Camera ingest: live cameras recorded into clips and their live picture (docs/live-cameras.md), pushed frames (docs/pushed-frames.md). Send a login token, or a camera push token as the bearer token.'),
});
