import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics } from '@cameramonit/contracts';
import { OutboxEntity } from '@cameramonit/db';
import { openTestDatabase, testDatabaseKinds } from '../../../test/support/test-database.js';
import { BusClient } from './bus.client.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { OutboxService } from './outbox.service.js';

/** Two processes of one app (the main recorder and a webcam's recorder) relay the same producer's outbox rows. */
describe.each(testDatabaseKinds())('the outbox relayed by two processes of one app (%s)', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let broker: EmbeddedBroker;
  let listener: MqttClient;
  const buses: BusClient[] = [];
  const outboxes: OutboxService[] = [];
  const received: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    broker = await startEmbeddedBroker(0);
    const url = `mqtt://127.0.0.1:${broker.port}`;
    listener = await connectAsync(url);
    await listener.subscribeAsync(Topics.cameraStatus, { qos: 1 });
    listener.on('message', (_topic, message) => {
      const parsed = JSON.parse(message.toString()) as { data: { cameraId: string } };
      received.push(parsed.data.cameraId);
    });
    for (const instance of ['main', 'desk']) {
      const options = { url, service: 'recorder', clientIdPrefix: `outbox-${instance}-${randomUUID().slice(0, 6)}` };
      const bus = new BusClient(options);
      buses.push(bus);
      outboxes.push(new OutboxService(database.db, bus, options));
    }
  });

  afterAll(async () => {
    for (const outbox of outboxes) await outbox.onApplicationShutdown();
    for (const bus of buses) await bus.onApplicationShutdown();
    await listener?.endAsync();
    await broker?.close();
    await database?.drop();
  });

  it('publishes every message once, whichever process gets to it', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `camera-${i}`);
    for (const cameraId of ids) {
      await database.db.transaction((manager) => (outboxes[0] as OutboxService).add(manager, Topics.cameraStatus, { cameraId }));
    }
    // both relay at once, as the two recorders' timers would
    await Promise.all([outboxes[0]?.flush(), outboxes[1]?.flush(), outboxes[1]?.flush()]);
    const deadline = Date.now() + 10_000;
    while (received.length < ids.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.sort()).toEqual([...ids].sort());
    const rows = await database.db.getRepository(OutboxEntity).find({ where: { producer: 'recorder' } });
    expect(rows).toHaveLength(ids.length);
    expect(rows.filter((row) => row.publishedAt === null)).toEqual([]);
  });
});
