import { ValidationPipe, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AuthGuard, TokenService } from '@cameramonit/auth';
import { busServerOptions, BUS_OPTIONS, type BusOptions } from '@cameramonit/bus';
import type { AppConfig } from '@cameramonit/config';
import { ErrorFilter } from './error.filter.js';
import { ServiceLogger } from './logger.js';
import { serviceModule, type ServiceModuleOptions } from './server.module.js';

export interface StartOptions extends Omit<ServiceModuleOptions, 'app'> {
  app: Type | DynamicModule;
  port: number;
  /** listen to the bus (event and request handlers) */
  busListener?: boolean;
  /** the bus listener's persistent session is `<prefix>-<service>-<busInstance>` (default INSTANCE_ID): two processes of one app each need their own */
  busInstance?: string;
  /** more set-up before listening (static files, OpenAPI, websockets) */
  configure?: (app: NestExpressApplication, config: AppConfig) => void | Promise<void>;
  bodyLimit?: string;
}

/** Boot a service: guarded routes, validated bodies, uniform errors, health, bus, graceful shutdown. */
export async function startService(options: StartOptions): Promise<INestApplication> {
  const logger = new ServiceLogger(options.service, options.config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(serviceModule(options), { logger, bodyParser: true });
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb' });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalGuards(new AuthGuard(app.get(Reflector), app.get(TokenService)));
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  if (options.configure) await options.configure(app, options.config);
  if (options.busListener) {
    app.connectMicroservice(busServerOptions(app.get<BusOptions>(BUS_OPTIONS), options.busInstance), { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(options.port, options.config.bindHost);
  logger.log(`${options.service} listening on http://${options.config.bindHost}:${options.port}`);
  return app;
}
