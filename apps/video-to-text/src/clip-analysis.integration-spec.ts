import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import { BusClient, OutboxService, startEmbeddedBroker, type EmbeddedBroker } from '@cameramonit/bus';
import { loadConfig } from '@cameramonit/config';
import { AnalysisEntity, CameraEntity, ClipEntity, EventEntity, OutboxEntity, ProjectEntity } from '@cameramonit/db';
import { ClipStore, createHttpFileHandler } from '../../storage/src/file-servers/index.js';
import { fixture } from '../../../test/support/platform.harness.js';
import { openTestDatabase, testDatabaseKinds } from '../../../test/support/test-database.js';
import { AnalysisEngine } from './analysis-engine.service.js';
import { ClipAnalysisService } from './clip-analysis.service.js';

/**
 * The worker on real clips: the real detector, the storage app's real HTTP file API over a clip
 * store, a real database. What it writes on the analyses row is what storage's retention reads
 * for motion-only recording, and whether a clip was looked at on its key frames only because the
 * worker was behind (ANALYSIS_BEHIND_SECONDS, 1 s here).
 */
describe.each(testDatabaseKinds())('the worker writes where a clip had motion (%s)', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: DataSource;
  let broker: EmbeddedBroker;
  let bus: BusClient;
  let outbox: OutboxService;
  let engine: AnalysisEngine;
  let service: ClipAnalysisService;
  let base: string;
  let store: ClipStore;
  let server: Server;
  let cameraId: string;
  let lobbyId: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cm-worker-motion-'));
    store = new ClipStore({ root: join(base, 'store') });
    const files = createHttpFileHandler({ store, mountPath: '/files' });
    server = createServer((request, response) => void files(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const storageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    database = await openTestDatabase(kind);
    db = database.db;
    broker = await startEmbeddedBroker(0);
    const busOptions = { url: `mqtt://127.0.0.1:${broker.port}`, service: 'video-to-text', clientIdPrefix: `it${Date.now().toString(36)}` };
    bus = new BusClient(busOptions);
    outbox = new OutboxService(db, bus, busOptions);
    const config = loadConfig({ JWT_SECRET: 'integration-secret-0123456789', SECRETS_KEY: 'integration-secrets-key', STORAGE_URL: storageUrl, DATA_DIR: base, ANALYSIS_BEHIND_SECONDS: '1' }, base);
    engine = new AnalysisEngine(config, new TokenService(config.jwtSecret, 1));
    service = new ClipAnalysisService(db, outbox, bus, engine);
    await engine.ready();

    const project = await db.getRepository(ProjectEntity).save({ slug: `p-${kind}`, name: 'P' });
    const camera = await db.getRepository(CameraEntity).save({ projectId: project.id, slug: 'gate', name: 'Gate', registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true, analysisSettings: null, recordMode: 'motion' });
    cameraId = camera.id;
    const lobby = await db.getRepository(CameraEntity).save({ projectId: project.id, slug: 'lobby', name: 'Lobby', registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true, analysisSettings: null, recordMode: 'continuous' });
    lobbyId = lobby.id;
  });

  afterAll(async () => {
    service?.onApplicationShutdown();
    await engine?.onApplicationShutdown();
    await outbox?.onApplicationShutdown();
    await bus?.onApplicationShutdown();
    await broker?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await database?.drop();
    await rm(base, { recursive: true, force: true });
  });

  /** A recorded clip as storage registers it: the file in the store, the row in clips. */
  async function storedClip(ffmpegInput: string[], startedAt: Date, encode: string[] = [], ofCamera = cameraId): Promise<ClipEntity> {
    const id = randomUUID();
    const path = `p-${kind}/${ofCamera === cameraId ? 'gate' : 'lobby'}/clips/${startedAt.toISOString().slice(0, 10)}/${id}.mp4`;
    const file = join(store.root, path);
    await mkdir(dirname(file), { recursive: true });
    // H.264 fragmented MP4, as the recorder writes clips
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...ffmpegInput, '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...encode, '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file]);
    return db.getRepository(ClipEntity).save({
      id, cameraId: ofCamera, path, source: 'recording', originalName: `${id}.mp4`, sizeBytes: String((await stat(file)).size), durationSec: 4, width: 768, height: 576, startedAt, uploadedBy: null,
    });
  }

  async function analysed(clipId: string): Promise<AnalysisEntity> {
    service.enqueue(clipId);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const row = await db.getRepository(AnalysisEntity).findOneBy({ clipId });
      if (row && (row.status === 'done' || row.status === 'failed')) return row;
      if (Date.now() > deadline) throw new Error(`clip ${clipId} was not analysed in time (${row?.status ?? 'not started'})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('keeps the first and last second with motion of a clip where people walk', async () => {
    const clip = await storedClip(['-ss', '12', '-i', fixture('vtest.avi'), '-t', '4'], new Date('2026-11-22T10:00:00Z'));
    const row = await analysed(clip.id);
    expect(row.status).toBe('done');
    expect(row.motionFirstSec).not.toBeNull();
    expect(row.motionFirstSec).toBeLessThan(1.5);
    expect(row.motionLastSec).toBeGreaterThan(3);
    expect(row.motionLastSec).toBeLessThanOrEqual(4);
  });

  it('writes null both ways for a clip where nothing moves', async () => {
    const clip = await storedClip(['-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=10:d=4'], new Date('2026-11-22T11:00:00Z'));
    const row = await analysed(clip.id);
    expect(row.status).toBe('done');
    expect(row.motionFirstSec).toBeNull();
    expect(row.motionLastSec).toBeNull();
  });

  it('looks at every clip of a motion-only camera at the full fps, however long it waited: motion between two key frames decides what is kept', async () => {
    // a key frame every second, as cameras send; the clip before is quiet, so another camera's clip would be looked at on its key frames first
    const keyEverySecond = ['-g', '10'];
    const quiet = await storedClip(['-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=10:d=4'], new Date('2026-11-22T12:20:00Z'), keyEverySecond);
    expect((await analysed(quiet.id)).status).toBe('done');
    expect(JSON.parse((await db.getRepository(AnalysisEntity).findOneByOrFail({ clipId: quiet.id })).sceneState ?? '{}')).toMatchObject({ quiet: true });
    // something crosses between the key frames at 1 s and 2 s
    const brief = await storedClip(
      ['-f', 'lavfi', '-i', "color=c=gray:s=320x240:r=10:d=4,drawbox=x=100:y=80:w=60:h=80:color=white:t=fill:enable='between(t,1.15,1.85)'"],
      new Date('2026-11-22T12:20:04Z'),
      keyEverySecond,
    );
    // ...and it waits behind another clip for longer than ANALYSIS_BEHIND_SECONDS: still not on its key frames only
    let release: () => void = () => undefined;
    const busy = engine.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    service.enqueue(brief.id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    release();
    await busy;
    const row = await analysed(brief.id);
    expect(row.status).toBe('done');
    expect(row.keyFramesOnly).toBe(false);
    expect(row.motionFirstSec).toBeGreaterThanOrEqual(1);
    expect(row.motionFirstSec).toBeLessThanOrEqual(2);
    expect(row.motionLastSec).not.toBeNull();
  });

  it('looks at a recorded clip that waited over ANALYSIS_BEHIND_SECONDS on its key frames only, and finds the people in it; a clip that did not wait is analysed in full', async () => {
    const keyEverySecond = ['-g', '10'];
    const personEvents = async (clipId: string) => (await db.getRepository(EventEntity).findBy({ clipId })).filter((event) => event.label === 'person');
    // the worker is on something else (a long clip of another camera) while the lobby's clip comes in
    let release: () => void = () => undefined;
    const busy = engine.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    const late = await storedClip(['-ss', '12', '-i', fixture('vtest.avi'), '-t', '4'], new Date('2026-11-22T13:00:00Z'), keyEverySecond, lobbyId);
    service.enqueue(late.id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    release();
    await busy;
    const lateRow = await analysed(late.id);
    expect(lateRow).toMatchObject({ status: 'done', keyFramesOnly: true });
    expect((await personEvents(late.id)).length).toBeGreaterThan(0);

    // the worker has caught up: the camera's next clip, analysed as soon as it comes, is looked at at the full fps
    const onTime = await storedClip(['-ss', '16', '-i', fixture('vtest.avi'), '-t', '4'], new Date('2026-11-22T13:00:04Z'), keyEverySecond, lobbyId);
    const onTimeRow = await analysed(onTime.id);
    expect(onTimeRow).toMatchObject({ status: 'done', keyFramesOnly: false });
    expect((await personEvents(onTime.id)).length).toBeGreaterThan(0);
  });

  it('does not analyse a clip storage deleted before it was analysed (no file, no failure in the thread)', async () => {
    const clip = await storedClip(['-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=10:d=2'], new Date('2026-11-22T12:00:00Z'));
    await store.delete(clip.path);
    await db.getRepository(ClipEntity).update({ id: clip.id }, { deletedAt: new Date(), deleteReason: 'disk' });
    service.enqueue(clip.id);
    await engine.exclusive(async () => undefined); // the queued analysis has had its turn
    expect(await db.getRepository(AnalysisEntity).findOneBy({ clipId: clip.id })).toBeNull();

    // one whose first attempt failed (storage away) and was deleted before the retry: it ends quietly
    const retried = await storedClip(['-f', 'lavfi', '-i', 'color=c=gray:s=320x240:r=10:d=2'], new Date('2026-11-22T12:10:00Z'));
    await db.getRepository(AnalysisEntity).save({ clipId: retried.id, cameraId, status: 'queued', progress: 0, attempts: 1, workerId: null, errorCode: 'STORAGE_READ_FAILED', error: 'storage away', playablePath: null, finishedAt: null });
    await store.delete(retried.path);
    await db.getRepository(ClipEntity).update({ id: retried.id }, { deletedAt: new Date(), deleteReason: 'retention' });
    service.enqueue(retried.id);
    await engine.exclusive(async () => undefined);
    expect(await db.getRepository(AnalysisEntity).findOneByOrFail({ clipId: retried.id })).toMatchObject({ status: 'failed', errorCode: 'CLIP_DELETED' });
    const told = (await db.getRepository(OutboxEntity).find()).filter((row) => row.payload.includes(retried.id));
    expect(told).toEqual([]);
  });
});
