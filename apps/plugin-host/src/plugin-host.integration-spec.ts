import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { BusClient, OutboxService, startEmbeddedBroker, TopicConnection, unwrapBusMessage, type BusOptions } from '@cameramonit/bus';
import type { DatabaseTarget } from '@cameramonit/config';
import type { EventUpdatedPayload, PluginStatus } from '@cameramonit/contracts';
import {
  CameraEntity,
  ClipEntity,
  DetectedObjectEntity,
  EventEntity,
  EventImageEntity,
  loadEventEnrichments,
  openPlatformDatabase,
  PluginRequestEntity,
  ProjectEntity,
} from '@cameramonit/db';
import { FfmpegDriver, readImageFacts } from '@cameramonit/media';
import { decodePng } from '@cameramonit/plugin-sdk';
import { EventMedia, type MediaStore } from './event-media.js';
import { discoverPlugins, type Discovery } from './plugin-discovery.js';
import { PluginExchange } from './plugin-exchange.js';
import { PluginSupervisor } from './plugin-supervisor.js';

const repo = resolve(import.meta.dirname, '../../..');
const testPlugins = resolve(import.meta.dirname, '../test-plugins');

/** The clip store as a folder (the storage app serves the same layout over HTTP; the e2e test uses it). */
class FolderStore implements MediaStore {
  constructor(readonly root: string) {}
  getBuffer(path: string): Promise<Buffer> {
    return readFile(join(this.root, path));
  }
  async download(path: string, toFile: string): Promise<void> {
    await copyFile(join(this.root, path), toFile);
  }
  async putFile(path: string, fromFile: string): Promise<void> {
    await mkdir(dirname(join(this.root, path)), { recursive: true });
    await copyFile(fromFile, join(this.root, path));
  }
}

const MARIADB_URL = process.env.TEST_DATABASE_URL;
const brokers: [string, () => Promise<{ url: string; close(): Promise<void> }>][] = [
  [
    'the embedded broker (aedes)',
    async () => {
      const broker = await startEmbeddedBroker(0);
      return { url: `mqtt://127.0.0.1:${broker.port}`, close: () => broker.close() };
    },
  ],
  ['Mosquitto', async () => ({ url: process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883', close: async () => undefined })],
];

const logs: string[] = [];
const logger = { log: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(`WARN ${m}`) };

/** vtest.avi 20 s in: the man in the black jacket, in the 640x480 analysis frame. */
const BLACK_JACKET = { x: 513, y: 221, width: 30, height: 86 };

describe.each(brokers)('analyser plugins on %s', (_broker, makeBroker) => {
  let broker: { url: string; close(): Promise<void> };
  let db: DataSource;
  let work: string;
  let store: FolderStore;
  let connection: TopicConnection;
  let listener: TopicConnection;
  let bus: BusClient;
  let outbox: OutboxService;
  let supervisor: PluginSupervisor;
  let exchange: PluginExchange;
  let discovery: Discovery;
  let databaseName: string | null = null;
  const updates: EventUpdatedPayload[] = [];
  let clip: ClipEntity;
  let snapshotPath: string;

  const status = (name: string) => supervisor.status().find((s) => s.name === name) as PluginStatus;
  const requestOf = (plugin: string, eventId: string) => db.getRepository(PluginRequestEntity).findOneBy({ plugin, eventId });
  /**
   * The request once it has ended (done or failed). Its time includes cutting the event's
   * pictures with ffmpeg and the plugin's own limit (15 s for clothing-colour), so a busy machine
   * (CI runs a recording platform beside these tests) gets a minute; a failure shows its reason.
   */
  async function settled(plugin: string, eventId: string): Promise<PluginRequestEntity | null> {
    await expect.poll(async () => (await requestOf(plugin, eventId))?.status, { timeout: 60_000 }).toMatch(/^(done|failed)$/);
    return requestOf(plugin, eventId);
  }

  /** An event of the clip (the test plugins each want one label: dog -> hangs, cat -> crashes, horse -> the flooders; echo wants all). */
  async function personEvent(count = 1, label = 'person'): Promise<EventEntity> {
    const event = await db.getRepository(EventEntity).save({
      id: randomUUID(), cameraId: clip.cameraId, clipId: clip.id, kind: 'object', label, count,
      startedAt: new Date(clip.startedAt.getTime() + 19_000), endedAt: new Date(clip.startedAt.getTime() + 22_000), startSec: 19, endSec: 22,
      confidence: 0.8, direction: 'left-to-right', summary: 'A person walked from the left', summaryPl: 'Osoba przeszła z lewej', snapshotPath, animationPath: null, bestSec: 20,
    });
    await db.getRepository(DetectedObjectEntity).save({ cameraId: clip.cameraId, clipId: clip.id, eventId: event.id, trackNo: 1, label, confidence: 0.8, firstSec: 19, lastSec: 22, stationary: false, box: JSON.stringify(BLACK_JACKET), bestSec: 20 });
    return event;
  }

  beforeAll(async () => {
    logs.length = 0;
    broker = await makeBroker();
    work = await mkdtemp(join(tmpdir(), 'cm-plugins-'));
    let target: DatabaseTarget = { kind: 'sqlite', location: join(work, 'platform.sqlite') };
    if (MARIADB_URL) {
      databaseName = `cm_plugins_${randomUUID().slice(0, 8)}`;
      target = { kind: 'mysql', location: `${MARIADB_URL.replace(/\/$/, '')}/${databaseName}`, database: databaseName };
    }
    db = await openPlatformDatabase(target);
    store = new FolderStore(join(work, 'store'));

    // a camera with one clip (vtest.avi) and the snapshot its worker would have made
    const project = await db.getRepository(ProjectEntity).save({ slug: `p${randomUUID().slice(0, 6)}`, name: 'Plugins' });
    const camera = await db.getRepository(CameraEntity).save({ projectId: project.id, slug: 'gate', name: 'Gate', registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true, analysisSettings: null });
    clip = await db.getRepository(ClipEntity).save({ cameraId: camera.id, path: `${project.slug}/gate/clips/2026-01-01/vtest.avi`, source: 'upload', originalName: 'vtest.avi', sizeBytes: '1', durationSec: 79.5, width: 768, height: 576, startedAt: new Date('2026-01-01T10:00:00Z'), uploadedBy: null });
    await mkdir(dirname(join(store.root, clip.path)), { recursive: true });
    await copyFile(join(repo, 'fixtures/vtest.avi'), join(store.root, clip.path));
    snapshotPath = `${project.slug}/gate/clips/2026-01-01/${clip.id}/snapshot.jpg`;
    await new FfmpegDriver().writeSnapshot(join(store.root, clip.path), join(store.root, snapshotPath), { atSec: 20, width: 640, boxes: [{ box: BLACK_JACKET, frameWidth: 640, frameHeight: 480, color: 'yellow' }] });

    const options: BusOptions = { url: broker.url, service: 'plugin-host', clientIdPrefix: `t${randomUUID().slice(0, 8)}` };
    bus = new BusClient(options);
    outbox = new OutboxService(db, bus, options);
    connection = await TopicConnection.open(broker.url, `${options.clientIdPrefix}-host`);
    listener = await TopicConnection.open(broker.url, `${options.clientIdPrefix}-listener`);
    await listener.subscribe('cameramonit/event/updated', (_topic, payload) => {
      const update = unwrapBusMessage(JSON.parse(payload.toString())) as EventUpdatedPayload;
      if (update.cameraId === camera.id) updates.push(update);
    });

    const fromRepo = discoverPlugins(join(repo, 'plugins'));
    const fromTests = discoverPlugins(testPlugins);
    discovery = { plugins: [...fromRepo.plugins, ...fromTests.plugins], invalid: [...fromRepo.invalid, ...fromTests.invalid] };
    supervisor = new PluginSupervisor(discovery, { mqttUrl: broker.url, connection, logger, restartBaseMs: 100, maxCrashes: 3, startupTimeoutMs: 15_000, topicScope: options.clientIdPrefix });
    const media = new EventMedia(store, new FfmpegDriver(), (path) => `http://127.0.0.1:9/media/${path}`);
    exchange = new PluginExchange(db, supervisor, outbox, media, store, logger, { analysisWidth: 640 });
    await supervisor.start();
    const deadline = Date.now() + 30_000;
    while (['clothing-colour', 'echo'].some((name) => status(name).state !== 'ready') && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
  });

  afterAll(async () => {
    await exchange?.drain();
    await supervisor?.stop();
    await connection?.close();
    await listener?.close();
    await bus?.onApplicationShutdown();
    await db?.destroy();
    if (MARIADB_URL && databaseName) {
      const admin = new DataSource({ type: 'mysql', url: MARIADB_URL });
      await admin.initialize();
      await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
      await admin.destroy();
    }
    await broker?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('reports a plugin whose manifest is invalid, and runs the others', () => {
    const invalid = status('invalid');
    expect(invalid.state).toBe('invalid');
    expect(invalid.problems).toEqual(['consumes.kinds must be a non-empty list of object, motion, loitering', 'cameramonit.returns must be a non-empty list of objects, events, features, images']);
    expect(status('clothing-colour')).toMatchObject({ version: '1.0.0', state: 'ready', restarts: 0 });
  });

  it('sends a person event to the example plugin and stores its colour and annotated image; the event view has them', async () => {
    const event = await personEvent();
    await exchange.eventCreated(event.id);
    expect(await settled('clothing-colour', event.id)).toMatchObject({ status: 'done' });
    // echo wants every event: both answers for one event are written (on MariaDB two at once used to deadlock)
    expect(await settled('echo', event.id)).toMatchObject({ status: 'done' });
    const enrichment = (await loadEventEnrichments(db, [event.id])).get(event.id);
    expect(enrichment?.features).toContainEqual({ plugin: 'clothing-colour', key: 'clothingColour', value: 'black', valueType: 'string' });
    const image = enrichment?.images.find((i) => i.plugin === 'clothing-colour');
    expect(image).toMatchObject({ contentType: 'image/png', caption: expect.stringMatching(/^Clothing: black \/ czarny/) });
    // stored next to the clip, a real PNG: the person's crop with the swatch below
    expect(image?.path).toBe(`${dirname(clip.path)}/${clip.id}/plugins/clothing-colour/${event.id}-1.png`);
    const png = decodePng(await readFile(join(store.root, image?.path ?? '')));
    expect(png.height).toBeGreaterThan(png.width);
    expect(readImageFacts(await readFile(join(store.root, image?.path ?? '')))).toMatchObject({ width: png.width, height: png.height });
    // the chat is told to update the event's message in place
    await expect.poll(() => updates.filter((u) => u.eventId === event.id).map((u) => u.reason), { timeout: 10_000 }).toContain('enriched');
  });

  it('stores objects and events a plugin returns (its events as events of kind plugin)', async () => {
    const event = await personEvent(3);
    await exchange.eventCreated(event.id);
    expect(await settled('echo', event.id)).toMatchObject({ status: 'done' });
    const enrichment = (await loadEventEnrichments(db, [event.id])).get(event.id);
    expect(enrichment?.features).toEqual(expect.arrayContaining([{ plugin: 'echo', key: 'seenLabel', value: 'person', valueType: 'string' }, { plugin: 'echo', key: 'snapshotWidth', value: '640', valueType: 'number' }]));
    // it asked for frames of the clip over the event (19-22 s at 1 fps, at most 320 wide) and a link to the clip
    const feature = (key: string) => enrichment?.features.find((f) => f.key === key)?.value;
    expect(feature('frames')).toBe('19s:320x240:image/jpeg 20s:320x240:image/jpeg 21s:320x240:image/jpeg');
    expect(feature('clipUrl')).toBe(`http://127.0.0.1:9/media/${clip.path}`);
    expect(enrichment?.objects).toEqual([{ plugin: 'echo', label: 'hat', confidence: 0.7, sec: null, box: { x: 0.1, y: 0.1, width: 0.1, height: 0.1 } }]);
    const returned = await db.getRepository(EventEntity).findBy({ clipId: clip.id, kind: 'plugin' });
    expect(returned.map((e) => [e.label, e.summary, e.summaryPl, e.startSec, e.endSec])).toEqual([['group', 'A group of people', 'Grupa osób', 19, 22]]);
    expect((await loadEventEnrichments(db, [returned[0]?.id ?? ''])).get(returned[0]?.id ?? '')?.source).toEqual({ plugin: 'echo', sourceEventId: event.id });
    // sent once: a second event/created for the same event sends nothing again
    await exchange.eventCreated(event.id);
    await exchange.idle();
    expect(await db.getRepository(PluginRequestEntity).countBy({ eventId: event.id, plugin: 'echo' })).toBe(1);
  });

  it('kills and restarts a plugin that hangs, reports the request failed, and the others keep answering', async () => {
    const event = await personEvent(1, 'dog');
    await exchange.eventCreated(event.id);
    await expect.poll(async () => (await requestOf('hangs', event.id))?.status, { timeout: 20_000 }).toBe('failed');
    expect(await requestOf('hangs', event.id)).toMatchObject({ errorCode: 'PLUGIN_TIMEOUT', error: 'The plugin hangs did not answer within 2 s' });
    expect(await settled('echo', event.id)).toMatchObject({ status: 'done' });
    await expect.poll(() => status('hangs').state, { timeout: 20_000 }).toBe('ready');
    expect(status('hangs')).toMatchObject({ restarts: 1, counts: { timedOut: 1 }, lastError: expect.stringMatching(/no answer .* within 2 s: killed and restarted/) });
  });

  it('restarts a plugin that crashes, and gives up on one that keeps crashing', async () => {
    const event = await personEvent(1, 'cat');
    await exchange.eventCreated(event.id);
    await expect.poll(async () => (await requestOf('crashes', event.id))?.status, { timeout: 20_000 }).toBe('failed');
    expect((await requestOf('crashes', event.id))?.errorCode).toBe('PLUGIN_CRASHED');
    await expect.poll(() => status('crashes').state, { timeout: 20_000 }).toBe('ready');
    expect(status('crashes')).toMatchObject({ restarts: 1, counts: { crashes: 1 }, lastError: 'exited with code 3: about to fall over' });
    // never gets ready: 3 crashes in the window, then failed, not restarted again
    await expect.poll(() => status('crashes-at-start').state, { timeout: 30_000 }).toBe('failed');
    expect(status('crashes-at-start')).toMatchObject({ restarts: 2, pid: null, lastError: 'exited with code 1: Error: cannot load my model (crashed 3 times in 10 min: not restarted again)' });
  });

  it('stops plugins that flood (messages, a huge message, endless output), reports why, and the others go on', async () => {
    const event = await personEvent(1, 'horse');
    await exchange.eventCreated(event.id);
    for (const name of ['floods-messages', 'too-big', 'floods-output']) {
      await expect.poll(() => status(name).state, { timeout: 30_000 }).toBe('stopped');
      // the request's row is written once the stopped plugin's pending call has failed: a moment after its state
      await expect.poll(async () => (await requestOf(name, event.id))?.errorCode, { timeout: 20_000 }).toBe('PLUGIN_STOPPED');
    }
    expect(status('floods-messages').lastError).toBe('stopped: it sent more than 50 messages in a minute');
    expect(status('too-big').lastError).toMatch(/^stopped: it sent a message of \d+ KB, more than its limit of 100 KB$/);
    expect(status('floods-output').lastError).toBe('stopped: it wrote more than 64 KB of output in a minute');
    for (const name of ['floods-messages', 'too-big', 'floods-output']) await expect.poll(() => status(name).pid, { timeout: 10_000 }).toBeNull();
    expect(logs.filter((l) => l.startsWith('WARN Plugin floods-output stopped'))).toHaveLength(1);
    // the output was counted, not kept: the log holds no more than a few capped lines of it
    expect(logs.filter((l) => l.startsWith('[plugin floods-output]')).every((l) => l.length < 1100)).toBe(true);

    // the good plugins answer the next event; stopped ones are not sent anything
    const next = await personEvent();
    await exchange.eventCreated(next.id);
    const again = await personEvent(1, 'horse');
    await exchange.eventCreated(again.id);
    expect(await settled('clothing-colour', next.id)).toMatchObject({ status: 'done' });
    expect(await settled('echo', next.id)).toMatchObject({ status: 'done' });
    expect(await settled('echo', again.id)).toMatchObject({ status: 'done' });
    expect(await requestOf('floods-output', again.id)).toBeNull();
    expect(await db.getRepository(EventImageEntity).countBy({ eventId: next.id })).toBe(1);
  });
});
