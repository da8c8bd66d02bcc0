import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '@cameramonit/auth';
import { BusClient, startEmbeddedBroker, type EmbeddedBroker } from '@cameramonit/bus';
import { loadConfig } from '@cameramonit/config';
import { Topics, type LiveBoxesPayload } from '@cameramonit/contracts';
import { CameraEntity, ProjectEntity, RecorderEntity } from '@cameramonit/db';
import { RecorderDirectory } from '@cameramonit/server';
import { Mp4BoxSplitter } from '@cameramonit/media';
import { fixture } from '../../../test/support/platform.harness.js';
import { openTestDatabase } from '../../../test/support/test-database.js';
import { AnalysisEngine } from './analysis-engine.service.js';
import { LiveLookService } from './live-look.service.js';

/**
 * The worker looking at a watched camera's live picture: a stand-in for the recorder's live
 * endpoint (an HTTP server sending vtest.avi as fragmented MP4, a key frame a second, paced), the
 * real detector and ffmpeg, a real MQTT broker the boxes are published to, a real database.
 */
describe('live boxes: the detector on the key frames of a watched live picture', () => {
  let work: string;
  let server: Server;
  let broker: EmbeddedBroker;
  let bus: BusClient;
  let listener: MqttClient;
  let engine: AnalysisEngine;
  let service: LiveLookService;
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  const cameraIds: string[] = [];
  const open = new Set<string>();
  const received: LiveBoxesPayload[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cm-live-look-'));
    const file = join(work, 'live.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '10', '-i', fixture('vtest.avi'), '-t', '20', '-an', '-vf', 'scale=640:-2', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file]);
    const boxes = new Mp4BoxSplitter().push(await readFile(file));
    const init = Buffer.concat(boxes.filter((box) => box.type === 'ftyp' || box.type === 'moov').map((box) => box.bytes));
    const fragments = boxes.flatMap((box, i) => (box.type === 'moof' ? [Buffer.concat([box.bytes, (boxes[i + 1] as { bytes: Buffer }).bytes])] : []));
    server = createServer((request, response) => {
      const cameraId = /\/api\/cameras\/([^/]+)\/live\.mp4/.exec(request.url ?? '')?.[1];
      if (!cameraId || !request.headers.authorization?.startsWith('Bearer ')) return void response.writeHead(404).end();
      open.add(cameraId);
      response.writeHead(200, { 'content-type': 'video/mp4', 'x-video-size': '640x480' });
      response.write(init);
      let next = 0;
      const timer = setInterval(() => response.write(fragments[next++ % fragments.length]), 500);
      request.on('close', () => {
        clearInterval(timer);
        open.delete(cameraId);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    database = await openTestDatabase('sqlite');
    const project = await database.db.getRepository(ProjectEntity).save({ slug: 'live', name: 'Live' });
    for (const slug of ['gate', 'yard']) {
      // recorded by a second recorder (a webcam's machine): the worker asks that one, not RECORDER_URL
      const camera = await database.db.getRepository(CameraEntity).save({ projectId: project.id, slug, name: slug, registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true, analysisSettings: null, recordMode: 'continuous', recorderId: 'desk' });
      cameraIds.push(camera.id);
    }
    const now = new Date();
    await database.db.getRepository(RecorderEntity).insert({ recorderId: 'desk', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hostname: 'desk', devices: '[]', startedAt: now, lastSeenAt: now });
    broker = await startEmbeddedBroker(0);
    const url = `mqtt://127.0.0.1:${broker.port}`;
    bus = new BusClient({ url, service: 'video-to-text', clientIdPrefix: `it${Date.now().toString(36)}` });
    listener = await connectAsync(url);
    await listener.subscribeAsync(Topics.liveBoxes);
    listener.on('message', (_topic, message) => {
      const parsed = JSON.parse(message.toString()) as { data?: LiveBoxesPayload } & LiveBoxesPayload;
      received.push(parsed.data ?? parsed);
    });
    const config = loadConfig({ JWT_SECRET: 'integration-secret-0123456789', SECRETS_KEY: 'integration-secrets-key', RECORDER_URL: 'http://127.0.0.1:9', DATA_DIR: work, LIVE_BOXES_CAMERAS: '1' }, work);
    const tokens = new TokenService(config.jwtSecret, 1);
    engine = new AnalysisEngine(config, tokens);
    service = new LiveLookService(config, tokens, engine, bus, database.db, new RecorderDirectory(database.db, config));
    service.watchTimeoutMs = 1500;
  });

  afterAll(async () => {
    service?.onApplicationShutdown();
    await engine?.onApplicationShutdown();
    await listener?.endAsync();
    await bus?.onApplicationShutdown();
    await broker?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await database?.drop();
    await rm(work, { recursive: true, force: true });
  });

  it('publishes the people of each new key frame while the camera is watched (asking the recorder that records it), at most LIVE_BOXES_CAMERAS cameras, and lets it go when nobody watches', async () => {
    const [gate, yard] = cameraIds as [string, string];
    service.watched(gate);
    service.watched(yard); // one camera at most here: not looked at
    const deadline = Date.now() + 30_000;
    while (received.filter((payload) => payload.boxes.length > 0).length < 3 && Date.now() < deadline) {
      service.watched(gate);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const withPeople = received.filter((payload) => payload.boxes.some((box) => box.label === 'person'));
    expect(withPeople.length).toBeGreaterThanOrEqual(3);
    expect(received.every((payload) => payload.cameraId === gate)).toBe(true);
    expect(service.watching).toEqual([gate]);
    for (const box of withPeople.flatMap((payload) => payload.boxes)) {
      for (const value of [box.x, box.y, box.x + box.width, box.y + box.height]) {
        expect(value).toBeGreaterThanOrEqual(-0.01);
        expect(value).toBeLessThanOrEqual(1.01);
      }
    }
    // each says when its key frame was taken (on this clock, before it was published) and when it was published: key frames in order
    for (const payload of received) {
      expect(payload.takenAtMs).toEqual(expect.any(Number));
      expect(payload.sentAtMs).toBeGreaterThanOrEqual(payload.takenAtMs as number);
      expect(payload.sentAtMs - (payload.takenAtMs as number)).toBeLessThan(5000);
    }
    const taken = received.map((payload) => payload.takenAtMs as number);
    expect(taken).toEqual([...taken].sort((a, b) => a - b));
    // only the watched camera's live picture is being read
    expect([...open]).toEqual([gate]);
    // nobody says they watch any more: the live picture is let go, and nothing more is published
    const until = Date.now() + 8000;
    while (open.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(open.size).toBe(0);
    expect(service.watching).toEqual([]);
    const count = received.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received.length).toBe(count);
  });
});
