import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { Topic } from '@cameramonit/contracts';
import { OutboxEntity } from '@cameramonit/db';
import { BusClient } from './bus.client.js';
import { BUS_OPTIONS, type BusOptions } from './bus.options.js';

/**
 * Transactional outbox: a producer writes its message in the same transaction as its data;
 * the relay marks unpublished rows (also those left by a crash) and publishes them, each once even
 * when several processes of the app relay the same producer's rows.
 * The database stays the source of truth; the bus only says "look".
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bus: BusClient,
    @Inject(BUS_OPTIONS) private readonly options: BusOptions,
  ) {}

  /** Add a message inside the caller's transaction; it is published after commit. */
  async add<T extends object>(manager: EntityManager, topic: Topic, payload: T): Promise<void> {
    await manager.getRepository(OutboxEntity).insert({ producer: this.options.service, topic, payload: JSON.stringify(payload), publishedAt: null });
  }

  /** Publish what is pending now (call after commit for low latency). */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.relay()
      .catch((error: unknown) => this.logger.warn(`Outbox relay paused: ${(error as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.flush();
        }
      });
    return this.running;
  }

  onApplicationBootstrap(): void {
    void this.flush();
    this.timer = setInterval(() => void this.flush(), 2000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async relay(): Promise<void> {
    const repository = this.dataSource.getRepository(OutboxEntity);
    for (;;) {
      const batch = await repository.find({
        where: { producer: this.options.service, publishedAt: IsNull() },
        order: { createdAt: 'ASC' },
        take: 50,
      });
      if (!batch.length || this.stopped) return;
      for (const row of batch) {
        // another process of the same app (a second recorder, a second worker) relays the same rows:
        // whoever marks a row first publishes it; a failed publish gives it back
        const claimed = await repository.update({ id: row.id, publishedAt: IsNull() }, { publishedAt: new Date() });
        if (!claimed.affected) continue;
        try {
          await this.bus.publish(row.topic as Topic, JSON.parse(row.payload) as object);
        } catch (error) {
          await repository.update({ id: row.id }, { publishedAt: null });
          throw error;
        }
      }
    }
  }
}
