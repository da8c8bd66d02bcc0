import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics, type VerifyPasswordRequest } from '@cameramonit/contracts';
import { BusClient } from './bus.client.js';
import { busServerOptions, type BusOptions } from './bus.options.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { takePlatformLock } from '../../../test/support/platform-lock.js';

const received: unknown[] = [];

@Controller()
class EchoHandlers {
  @MessagePattern(Topics.authVerifyPassword)
  async verify(@Payload() request: VerifyPasswordRequest): Promise<{ email: string } | null> {
    await new Promise((done) => setTimeout(done, Math.random() * 5));
    return request.password === 'right' ? { email: request.email } : null;
  }

  @EventPattern(Topics.clipStored)
  stored(@Payload() payload: unknown): void {
    received.push(payload);
  }
}

@Module({ controllers: [EchoHandlers] })
class EchoModule {}

const brokers: [string, () => Promise<{ url: string; close(): Promise<void> }>][] = [
  [
    'the embedded broker (aedes)',
    async () => {
      const broker: EmbeddedBroker = await startEmbeddedBroker(0);
      return { url: `mqtt://127.0.0.1:${broker.port}`, close: () => broker.close() };
    },
  ],
  [
    'Mosquitto',
    async () => {
      // this test serves the platform's own request topics: no end-to-end platform may use the
      // shared broker (TEST_MQTT_URL, the second CI pass) meanwhile
      const release = process.env.TEST_MQTT_URL ? await takePlatformLock() : () => undefined;
      return { url: process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883', close: async () => release() };
    },
  ],
];

describe.each(brokers)('the bus on %s', (_name, makeBroker) => {
  let broker: { url: string; close(): Promise<void> };
  let server: INestMicroservice;
  let client: BusClient;

  beforeAll(async () => {
    broker = await makeBroker();
    const options: BusOptions = { url: broker.url, service: 'bus-test', clientIdPrefix: `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}` };
    server = await NestFactory.createMicroservice(EchoModule, { ...busServerOptions(options), logger: false });
    await server.listen();
    client = new BusClient(options);
    await client.connect();
  });

  afterAll(async () => {
    await client?.onApplicationShutdown();
    await server?.close();
    await broker?.close();
  });

  it('answers every request, one after another, whatever the previous answer was', async () => {
    const answers = [];
    for (let i = 0; i < 60; i++) {
      answers.push(await client.request<{ email: string } | null>(Topics.authVerifyPassword, { email: `u${i}@x`, password: i % 2 ? 'right' : 'wrong' }, 3000));
    }
    expect(answers.filter((a) => a === null)).toHaveLength(30);
    expect(answers.filter((a) => a !== null).map((a) => a?.email)).toEqual(Array.from({ length: 30 }, (_, i) => `u${2 * i + 1}@x`));
  });

  it('answers concurrent requests, each with its own reply', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.request<{ email: string } | null>(Topics.authVerifyPassword, { email: `c${i}@x`, password: 'right' }, 3000)),
    );
    expect(answers.map((a) => a?.email)).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}@x`));
  });

  it('delivers published events (QoS 1) as plain JSON', async () => {
    received.length = 0;
    for (let i = 0; i < 20; i++) await client.publish(Topics.clipStored, { clipId: `clip-${i}` });
    await expect.poll(() => received.length, { timeout: 5000 }).toBe(20);
    expect(received[0]).toEqual({ clipId: 'clip-0' });
  });
});
