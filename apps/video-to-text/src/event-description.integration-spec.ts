import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { SecretBox } from '@cameramonit/auth';
import { BusClient, OutboxService, startEmbeddedBroker, type EmbeddedBroker } from '@cameramonit/bus';
import { Topics } from '@cameramonit/contracts';
import {
  AnalysisEntity,
  CameraEntity,
  ClipEntity,
  DetectedObjectEntity,
  EventEntity,
  ModelUsageEntity,
  ObjectNameEntity,
  OutboxEntity,
  ProjectEntity,
  ProjectIntegrationEntity,
} from '@cameramonit/db';
import { VisionModelAccess } from '@cameramonit/server';
import { openVisionModel } from '@cameramonit/vision';
import { closedPort, completion, OpenAiCompatibleServer, receivedImages, receivedText, validDescription } from '../../../test/support/openai-compatible.server.js';
import { fixture } from '../../../test/support/platform.harness.js';
import { openTestDatabase, testDatabaseKinds } from '../../../test/support/test-database.js';
import { EventDescriptionService } from './event-description.service.js';

const SECRETS_KEY = 'integration-secrets-key';
const API_KEY = 'sk-integration-777';

describe.each(testDatabaseKinds())('describing events with a vision model (%s)', (kind) => {
  const server = new OpenAiCompatibleServer();
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: DataSource;
  let broker: EmbeddedBroker;
  let bus: BusClient;
  let outbox: OutboxService;
  let store: string;
  let service: EventDescriptionService;
  let projectId: string;
  let cameraId: string;
  let clipId: string;

  beforeAll(async () => {
    await server.start();
    database = await openTestDatabase(kind);
    db = database.db;
    broker = await startEmbeddedBroker(0);
    const busOptions = { url: `mqtt://127.0.0.1:${broker.port}`, service: 'video-to-text', clientIdPrefix: `it${Date.now().toString(36)}` };
    bus = new BusClient(busOptions);
    outbox = new OutboxService(db, bus, busOptions);
    // the clip store: 4 s of vtest.avi (people walking), as the storage app would hand it out
    store = await mkdtemp(join(tmpdir(), 'cm-describe-store-'));
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '20', '-i', fixture('vtest.avi'), '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(store, 'clip.mp4')]);
    const files = { download: (path: string, to: string) => copyFile(join(store, path), to) };
    // the real driver, with a short request timeout so the timeout path takes a second, not a minute
    const access = new VisionModelAccess(db, SECRETS_KEY, (settings) => openVisionModel({ ...settings, timeoutMs: 1000 }));
    service = new EventDescriptionService(db, outbox, access, files, { workerId: 'it-worker', retryBaseDelayMs: 20, catchUpEveryMs: 0 });

    const project = await db.getRepository(ProjectEntity).save({ slug: `p-${kind}`, name: 'P' });
    projectId = project.id;
    const camera = await db.getRepository(CameraEntity).save({
      projectId, slug: 'gate', name: 'Front gate', registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true,
      analysisSettings: JSON.stringify({ prompt: 'Say whether anyone carries a parcel.' }),
    });
    cameraId = camera.id;
    const clip = await db.getRepository(ClipEntity).save({
      cameraId, path: 'clip.mp4', source: 'upload', originalName: 'clip.mp4', sizeBytes: '1000', durationSec: 4, width: 768, height: 576, startedAt: new Date('2026-11-22T10:00:00Z'), uploadedBy: null,
    });
    clipId = clip.id;
    await db.getRepository(AnalysisEntity).save({
      clipId, cameraId, status: 'done', progress: 1, errorCode: null, error: null, playablePath: null, attempts: 1, workerId: null, finishedAt: new Date(), frameWidth: 384, frameHeight: 288,
    });
    await db.getRepository(ObjectNameEntity).save({ cameraId, name: 'the postman', label: 'person', description: 'blue jacket, yellow bag', createdBy: null });
  });

  afterAll(async () => {
    await service?.onApplicationShutdown();
    await outbox?.onApplicationShutdown();
    await bus?.onApplicationShutdown();
    await broker?.close();
    await server.close();
    await database?.drop();
    await rm(store, { recursive: true, force: true });
  });

  beforeEach(async () => {
    server.reset();
    await setIntegration({ baseUrl: server.baseUrl });
  });

  async function setIntegration(values: { baseUrl: string; enabled?: boolean; options?: object }): Promise<void> {
    const repository = db.getRepository(ProjectIntegrationEntity);
    await repository.delete({ projectId });
    await repository.save({
      projectId, kind: 'vision-model', baseUrl: values.baseUrl, model: 'llava:13b', apiKeySealed: new SecretBox(SECRETS_KEY).seal(API_KEY), enabled: values.enabled ?? true,
      options: JSON.stringify(values.options ?? { maxImages: 3, timeoutSec: 5, maxAttempts: 3 }),
      updatedAt: new Date(Date.now() - 60_000),
    });
  }

  /** An event of the clip as the analysis commits it: local text, two tracked people. */
  async function committedEvent(): Promise<EventEntity> {
    const event = await db.getRepository(EventEntity).save({
      cameraId, clipId, kind: 'object', label: 'person', count: 2, startedAt: new Date('2026-11-22T10:00:00.500Z'), endedAt: new Date('2026-11-22T10:00:03.500Z'),
      startSec: 0.5, endSec: 3.5, confidence: 0.8, direction: 'right-to-left', summary: '2 people walked from right to left', summaryPl: '2 osoby przeszły z prawej do lewej',
      snapshotPath: null, animationPath: null, bestSec: 2,
    });
    await db.getRepository(DetectedObjectEntity).save([
      { cameraId, clipId, eventId: event.id, trackNo: 1, label: 'person', confidence: 0.9, firstSec: 0.5, lastSec: 3.5, stationary: false, box: JSON.stringify({ x: 150, y: 80, width: 40, height: 110 }), bestSec: 1.5 },
      { cameraId, clipId, eventId: event.id, trackNo: 2, label: 'person', confidence: 0.7, firstSec: 0.5, lastSec: 3.5, stationary: false, box: JSON.stringify({ x: 250, y: 100, width: 35, height: 100 }), bestSec: 2.5 },
    ]);
    return event;
  }

  async function describeNow(event: EventEntity): Promise<EventEntity> {
    service.enqueue(event.id);
    await service.idle();
    return db.getRepository(EventEntity).findOneByOrFail({ id: event.id });
  }

  const ledger = (eventId: string) => db.getRepository(ModelUsageEntity).find({ where: { eventId }, order: { createdAt: 'ASC' } });
  const updates = async (eventId: string) =>
    (await db.getRepository(OutboxEntity).findBy({ topic: Topics.eventUpdated })).map((row) => JSON.parse(row.payload) as { eventId: string; reason: string }).filter((p) => p.eventId === eventId);

  it('sends crops and a context frame with the prompt and the names, stores the description and announces it through the outbox', async () => {
    server.reply(completion(validDescription({ title: 'Two pedestrians cross the square', threatLevel: 'low' }), 2100, 95));
    const event = await describeNow(await committedEvent());

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.body.model).toBe('llava:13b');
    expect(request?.body.response_format?.json_schema?.name).toBe('event_description');
    const text = receivedText(request!);
    expect(text).toContain('Camera: Front gate');
    expect(text).toContain('Say whether anyone carries a parcel.');
    expect(text).toContain('"the postman" (person): blue jacket, yellow bag');
    expect(text).toContain('2 people walked from right to left');
    // maxImages 3: the two people cut out (<= 384 px) and the whole picture (<= 768 px), all JPEG
    const images = receivedImages(request!);
    expect(images.map((i) => i.mime)).toEqual(['image/jpeg', 'image/jpeg', 'image/jpeg']);
    for (const crop of images.slice(0, 2)) {
      expect(Math.max(crop.width, crop.height)).toBeLessThanOrEqual(384);
      expect(crop.height).toBeGreaterThan(crop.width); // a standing person
    }
    expect(images[2]).toMatchObject({ width: 768, height: 576 });

    expect(event).toMatchObject({
      descriptionStatus: 'done', title: 'Two pedestrians cross the square', threatLevel: 'low', descriptionModel: 'llava:13b', descriptionAttempts: 1,
      summary: '2 people walked from right to left', descriptionError: null,
    });
    expect(event.description).toMatch(/dark coat/);
    expect(event.descriptionPl).toMatch(/ciemnym płaszczu/);
    expect(JSON.parse(event.descriptionObjects ?? '[]')).toEqual([{ label: 'person', name: null, description: 'dark coat' }]);
    expect(await updates(event.id)).toEqual([{ eventId: event.id, cameraId, reason: 'described' }]);
    expect((await ledger(event.id)).map((r) => [r.purpose, r.outcome, r.promptTokens, r.completionTokens, r.projectId])).toEqual([['event', 'ok', 2100, 95, projectId]]);
    // published on the bus
    await expect.poll(async () => (await db.getRepository(OutboxEntity).findBy({ topic: Topics.eventUpdated })).every((r) => r.publishedAt !== null)).toBe(true);
  });

  it('waits out a 429 and takes the next answer', async () => {
    server.reply({ kind: 'status', status: 429, headers: { 'retry-after-ms': '100' } }, completion(validDescription()));
    const event = await describeNow(await committedEvent());
    expect(event.descriptionStatus).toBe('done');
    expect((await ledger(event.id)).map((r) => r.outcome)).toEqual(['rate-limited', 'ok']);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a timeout', async () => {
    server.reply({ kind: 'hang' }, completion(validDescription({ title: 'After a timeout' })));
    const event = await describeNow(await committedEvent());
    expect(event.title).toBe('After a timeout');
    expect((await ledger(event.id)).map((r) => r.outcome)).toEqual(['timeout', 'ok']);
  });

  it('gives up after 3 server errors: the event keeps its local text and says why', async () => {
    server.answerAlways(() => ({ kind: 'status', status: 500 }));
    try {
      const event = await describeNow(await committedEvent());
      expect(server.requests).toHaveLength(3);
      expect(event).toMatchObject({ descriptionStatus: 'failed', title: null, description: null, summary: '2 people walked from right to left', descriptionAttempts: 3 });
      expect(event.descriptionError).toMatch(/^server-error: Server error \(500\)/);
      expect((await ledger(event.id)).map((r) => r.outcome)).toEqual(['server-error', 'server-error', 'server-error']);
      expect(await updates(event.id)).toEqual([]);
    } finally {
      server.answerAlways(() => completion(validDescription()));
    }
  });

  it('counts malformed answers (not JSON, wrong schema) as failures, with the tokens they cost', async () => {
    server.reply(
      completion('Two people walk across a square.', 1000, 9),
      completion({ title: 'x', summary: 'y', summaryPl: null, objects: [], threatLevel: 'apocalyptic' }, 1000, 30),
      completion({ headline: 'no title field' }, 1000, 12),
    );
    const event = await describeNow(await committedEvent());
    expect(event.descriptionStatus).toBe('failed');
    expect(event.descriptionError).toMatch(/^malformed: .*title/);
    const rows = await ledger(event.id);
    expect(rows.map((r) => [r.outcome, r.completionTokens])).toEqual([
      ['malformed', 9],
      ['malformed', 30],
      ['malformed', 12],
    ]);
    expect(rows[1]?.error).toMatch(/threatLevel/);
  });

  it('marks the event failed when the endpoint refuses connections', async () => {
    await setIntegration({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, options: { maxImages: 1, timeoutSec: 5, maxAttempts: 2 } });
    const event = await describeNow(await committedEvent());
    expect(event.descriptionStatus).toBe('failed');
    expect(event.descriptionError).toMatch(/^connection-failed: /);
    expect((await ledger(event.id)).map((r) => r.outcome)).toEqual(['connection-failed', 'connection-failed']);
  });

  it('does not retry a refused key', async () => {
    server.reply({ kind: 'status', status: 401, body: { error: { message: 'Incorrect API key provided' } } });
    const event = await describeNow(await committedEvent());
    expect(event.descriptionStatus).toBe('failed');
    expect(event.descriptionError).toMatch(/^rejected: .*401/);
    expect(event.descriptionError).not.toContain(API_KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('leaves events alone when the project has no enabled model', async () => {
    await setIntegration({ baseUrl: server.baseUrl, enabled: false });
    const event = await describeNow(await committedEvent());
    expect(event.descriptionStatus).toBe('none');
    expect(server.requests).toHaveLength(0);
    expect(await ledger(event.id)).toEqual([]);
  });

  it('catches up on start: events it missed and events a dead worker left pending', async () => {
    const missed = await committedEvent();
    const abandoned = await committedEvent();
    await db.getRepository(EventEntity).update({ id: abandoned.id }, { descriptionStatus: 'pending', descriptionWorker: 'dead-worker', descriptionClaimedAt: new Date(Date.now() - 60 * 60_000) });
    const busyElsewhere = await committedEvent();
    await db.getRepository(EventEntity).update({ id: busyElsewhere.id }, { descriptionStatus: 'pending', descriptionWorker: 'live-worker', descriptionClaimedAt: new Date() });
    await service.catchUp();
    await service.idle();
    const read = async (id: string) => (await db.getRepository(EventEntity).findOneByOrFail({ id })).descriptionStatus;
    expect(await read(missed.id)).toBe('done');
    expect(await read(abandoned.id)).toBe('done');
    expect(await read(busyElsewhere.id)).toBe('pending');
  });
});
