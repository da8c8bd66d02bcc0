import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import { OutboxService, TopicConnection } from '@cameramonit/bus';
import type { AppConfig } from '@cameramonit/config';
import type { PluginStatus } from '@cameramonit/contracts';
import { FfmpegDriver } from '@cameramonit/media';
import { APP_CONFIG, StorageClient, storeUrlPath } from '@cameramonit/server';
import { EventMedia } from './event-media.js';
import { discoverPlugins } from './plugin-discovery.js';
import { PluginExchange } from './plugin-exchange.js';
import { PluginSupervisor } from './plugin-supervisor.js';

/** The plugin host at run time: finds the plugins at start, runs them, and sends them the events. */
@Injectable()
export class PluginHostService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PluginHost');
  private connection: TopicConnection | null = null;
  private supervisor: PluginSupervisor | null = null;
  private exchange: PluginExchange | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const discovery = discoverPlugins(this.config.pluginsDir);
    this.logger.log(`Plugins in ${this.config.pluginsDir}: ${discovery.plugins.map((p) => `${p.manifest.name} ${p.manifest.version}`).join(', ') || 'none'}${discovery.invalid.length ? `; ${discovery.invalid.length} invalid` : ''}`);
    const mqttUrl = this.config.mqttUrl ?? `mqtt://127.0.0.1:${this.config.mqttEmbeddedPort}`;
    this.connection = await TopicConnection.open(mqttUrl, `cameramonit-plugin-host-${process.env.INSTANCE_ID ?? 'main'}-${process.pid}`);
    const instance = process.env.INSTANCE_ID;
    this.supervisor = new PluginSupervisor(discovery, { mqttUrl, connection: this.connection, logger: this.logger, topicScope: instance && instance !== 'main' ? instance : '' });
    const storage = new StorageClient(this.config.storageUrl, this.tokens, 'plugin-host');
    const signedUrl = (storePath: string) => {
      const path = storeUrlPath(storePath);
      const { exp, sig } = this.tokens.signMedia(path, 3600);
      return `${this.config.publicUrl}/media/${path}?exp=${exp}&sig=${sig}`;
    };
    const media = new EventMedia(storage, new FfmpegDriver(), signedUrl);
    this.exchange = new PluginExchange(this.db, this.supervisor, this.outbox, media, storage, this.logger, { analysisWidth: this.config.analysis.width });
    await this.supervisor.start();
    void this.exchange.catchUp().catch((error: unknown) => this.logger.warn(`Catching up on plugin requests failed: ${(error as Error).message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.exchange?.drain();
    await this.supervisor?.stop();
    await this.connection?.close();
  }

  status(): PluginStatus[] {
    return this.supervisor?.status() ?? [];
  }

  async eventCreated(eventId: string): Promise<void> {
    await this.exchange?.eventCreated(eventId);
  }
}
