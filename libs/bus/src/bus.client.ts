import { Inject, Injectable, Logger, ServiceUnavailableException, type OnApplicationShutdown } from '@nestjs/common';
import { ClientMqtt, MqttRecordBuilder } from '@nestjs/microservices';
import type { MqttClient } from 'mqtt';
import { firstValueFrom, timeout } from 'rxjs';
import type { Topic } from '@cameramonit/contracts';
import { BUS_OPTIONS, type BusOptions } from './bus.options.js';

/** Publishes events (QoS 1, waits for the broker's acknowledgement) and makes requests with a timeout. */
@Injectable()
export class BusClient implements OnApplicationShutdown {
  private readonly logger = new Logger(BusClient.name);
  private readonly client: ClientMqtt;

  constructor(@Inject(BUS_OPTIONS) private readonly options: BusOptions) {
    this.client = new ClientMqtt({
      url: options.url,
      clientId: `${options.clientIdPrefix}-${options.service}-client-${process.pid}`,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
    });
  }

  private replies: Promise<void> | null = null;

  /**
   * Connect, and keep one subscription to every reply topic for the life of the connection.
   * Nest subscribes to a reply topic per request and unsubscribes when none is pending; a reply
   * that comes while that subscription is being renewed was seen lost (test: bus.integration-spec).
   * The wildcard filters below are not touched by Nest's unsubscribe of the exact topic.
   */
  async connect(): Promise<void> {
    await this.client.connect();
    this.replies ??= new Promise<void>((resolve, reject) => {
      this.client.unwrap<MqttClient>().subscribe(['cameramonit/+/+/reply', 'cameramonit/+/+/+/reply'], { qos: 0 }, (error) => (error ? reject(error) : resolve()));
    });
    await this.replies;
  }

  /** Resolves once the broker has the message (QoS 1). */
  async publish<T extends object>(topic: Topic, payload: T): Promise<void> {
    await this.connect();
    const record = new MqttRecordBuilder(payload).setQoS(1).build();
    await firstValueFrom(this.client.emit(topic, record), { defaultValue: undefined });
  }

  /** Request/reply over the bus; a clear 503 when nobody answers in time. */
  async request<TReply, TRequest extends object = object>(topic: Topic, payload: TRequest, timeoutMs = 5000): Promise<TReply> {
    try {
      await this.connect();
      return await firstValueFrom(this.client.send<TReply, TRequest>(topic, payload).pipe(timeout(timeoutMs)));
    } catch (error) {
      this.logger.warn(`No answer on ${topic}: ${(error as Error).message ?? String(error)}`);
      throw new ServiceUnavailableException(`A platform service did not answer (${topic.split('/').slice(1, 2).join('')}); try again in a moment`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
