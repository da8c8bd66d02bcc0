import { Controller, Get, Global, Inject, Module, type DynamicModule, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '@cameramonit/config';
import { Public, TokenService } from '@cameramonit/auth';
import { BusModule } from '@cameramonit/bus';
import { openPlatformDatabase, openRegistryDatabase } from '@cameramonit/db';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const REGISTRY_DB = 'registry';

export interface ServiceModuleOptions {
  service: string;
  config: AppConfig;
  /** needs the platform database (and gets the outbox relay) */
  platformDatabase?: boolean;
  /** needs the installer's registry database (named connection 'registry') */
  registryDatabase?: boolean;
  /** the app's own module */
  app: Type | DynamicModule;
}

@Controller()
class HealthController {
  private readonly started = Date.now();
  constructor(@Inject(SERVICE_NAME) private readonly service: string) {}

  @Public()
  @Get('health')
  health(): { status: 'ok'; service: string; uptimeSec: number; pid: number } {
    return { status: 'ok', service: this.service, uptimeSec: Math.round((Date.now() - this.started) / 1000), pid: process.pid };
  }
}

@Global()
@Module({})
class CoreModule {
  static forRoot(service: string, config: AppConfig): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      { provide: SERVICE_NAME, useValue: service },
      { provide: TokenService, useValue: new TokenService(config.jwtSecret, config.accessTokenTtlHours) },
    ];
    return { module: CoreModule, providers, exports: providers, controllers: [HealthController] };
  }
}

/** The root module of a service: config, tokens, health, databases, bus, then the app itself. */
export function serviceModule(options: ServiceModuleOptions): DynamicModule {
  const { config, service } = options;
  const imports: (Type | DynamicModule)[] = [CoreModule.forRoot(service, config)];
  if (options.platformDatabase) {
    imports.push(
      TypeOrmModule.forRootAsync({
        useFactory: () => ({ type: 'better-sqlite3', database: ':memory:' }),
        dataSourceFactory: () => openPlatformDatabase(config.database),
      }),
    );
  }
  if (options.registryDatabase) {
    imports.push(
      TypeOrmModule.forRootAsync({
        name: REGISTRY_DB,
        useFactory: () => ({ name: REGISTRY_DB, type: 'better-sqlite3', database: ':memory:' }),
        dataSourceFactory: () => openRegistryDatabase(config.registryDatabase),
      }),
    );
  }
  const mqttUrl = config.mqttUrl ?? `mqtt://127.0.0.1:${config.mqttEmbeddedPort}`;
  imports.push(BusModule.forRoot({ url: mqttUrl, service, clientIdPrefix: 'cameramonit', outbox: !!options.platformDatabase }));
  imports.push(options.app);
  return { module: class ServiceRootModule {}, imports };
}
