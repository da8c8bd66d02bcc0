import { Module, type DynamicModule } from '@nestjs/common';
import { BusClient } from './bus.client.js';
import { BUS_OPTIONS, type BusOptions } from './bus.options.js';
import { OutboxService } from './outbox.service.js';

@Module({})
export class BusModule {
  /** Bus client for an app; with `outbox: true` also the outbox relay (needs the platform database). */
  static forRoot(options: BusOptions & { outbox?: boolean }): DynamicModule {
    const providers = [{ provide: BUS_OPTIONS, useValue: options }, BusClient, ...(options.outbox ? [OutboxService] : [])];
    return { module: BusModule, global: true, providers, exports: providers };
  }
}
