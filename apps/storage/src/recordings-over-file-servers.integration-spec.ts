/**
 * The recorder's other ways into the clip store (RECORDER_STORE=webdav|ftp|local): its clients
 * (libs/server recording-stores) against the storage's real WebDAV and FTP servers and its bus
 * handler, over a real clip store, database and ClipIngestService (ffprobe, clip rows, clip.stored).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, FTPError } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '@cameramonit/auth';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BusClient, busServerOptions, type BusOptions } from '@cameramonit/bus';
import { CameramonitError, recordingFileName, Topics, type BusReply, type VerifiedUser } from '@cameramonit/contracts';
import { ClipEntity, type CameraEntity } from '@cameramonit/db';
import { FtpRecordingStore, LocalRecordingStore, StorageClient, uploadTimeoutMs, WebDavRecordingStore } from '@cameramonit/server';
import { testDatabaseKinds } from '../../../test/support/test-database.js';
import { ClipIngestService } from './clip-ingest.service.js';
import { FtpServerDriver, WebDavServerDriver } from './file-servers/index.js';
import { BusCredentialsVerifier, CameraAccessPolicy, CameraUploadPolicy } from './platform-access.js';
import { RecordingIngestController } from './recording-ingest.controller.js';
import { cutRecordedPiece, openStorageTestbed, type StorageTestbed } from './storage.testing.js';

const installer: VerifiedUser = { id: '00000000-0000-4000-8000-000000000001', email: 'ian@example.com', displayName: 'Ian', role: 'installer' };

describe.each(testDatabaseKinds())('recorded clips over WebDAV, FTP and the store folder (%s)', (kind) => {
  let bed: StorageTestbed;
  let gate: CameraEntity;
  let tokens: TokenService;
  let webdav: WebDavServerDriver;
  let ftp: FtpServerDriver;
  let davUrl: string;
  let piece: string;
  let garbage: string;
  let start = Date.UTC(2026, 11, 4, 10, 0, 0, 250);
  /** a fresh start time for each clip (storage keeps the first clip of a start time) */
  const nextStart = () => new Date((start += 5000));

  beforeAll(async () => {
    bed = await openStorageTestbed(kind);
    gate = await bed.camera('gate');
    tokens = new TokenService('integration-secret-0123456789', 1);
    // people's logins are the manager app's answer over the bus: here one installer; service logins never go there
    const people = { request: async (_topic: string, body: { email: string; password: string }) => (body.email === installer.email && body.password === 'installer-pw' ? installer : null) };
    const verifier = new BusCredentialsVerifier(people as unknown as BusClient, tokens);
    const access = new CameraAccessPolicy(bed.db);
    const common = { store: bed.store, verifier, uploadPolicy: new CameraUploadPolicy(50 * 1024 * 1024, access), readPolicy: access, uploadSink: bed.ingest, recordingSink: bed.ingest };
    webdav = new WebDavServerDriver(common);
    ftp = new FtpServerDriver({ ...common, passiveHost: '127.0.0.1' });
    davUrl = `http://127.0.0.1:${(await webdav.start()).port}`;
    await ftp.start();
    piece = cutRecordedPiece(join(bed.work, 'piece.mp4'), 10, 5);
    garbage = join(bed.work, 'garbage.mp4');
    await writeFile(garbage, Buffer.alloc(64 * 1024, 7));
  }, 120_000);

  afterAll(async () => {
    await webdav?.stop();
    await ftp?.stop();
    await bed?.close();
  });

  const clipsAt = (startedAt: Date) => bed.db.getRepository(ClipEntity).findBy({ cameraId: gate.id, startedAt });
  /** nothing is left behind in the camera's recordings folder (stored clips move to clips/<day>/) */
  const recordingsLeft = async () => (await readdir(join(bed.store.root, bed.project.slug, 'gate', 'recordings')).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));

  it('WebDAV: the recorder PUTs a clip named by its start time, storage registers it and says as what; the same clip again is kept once', async () => {
    const store = new WebDavRecordingStore(davUrl, tokens);
    const startedAt = nextStart();
    const stored = await store.putRecording(bed.project.slug, 'gate', piece, { startedAt });
    expect(stored.created).toBe(true);
    expect(stored.startedAt).toBe(startedAt.toISOString());
    expect(stored.durationSec).toBeGreaterThan(4.5);
    const rows = await clipsAt(startedAt);
    expect(rows.map((row) => row.id)).toEqual([stored.clipId]);
    expect(rows[0]?.path).toContain('/clips/');
    const again = await store.putRecording(bed.project.slug, 'gate', piece, { startedAt });
    expect(again).toMatchObject({ clipId: stored.clipId, created: false });
    expect(await clipsAt(startedAt)).toHaveLength(1);
    // the camera's sub-stream clip of the same moment is a clip of its own, for the analysis
    const sub = await store.putRecording(bed.project.slug, 'gate', piece, { startedAt, source: 'substream' });
    expect(sub.created).toBe(true);
    expect((await clipsAt(startedAt)).map((row) => [row.id === sub.clipId ? 'sub' : 'main', row.source]).sort()).toEqual([['main', 'recording'], ['sub', 'substream']]);
    expect(await recordingsLeft()).toEqual([]);
  });

  it('WebDAV: a corrupt clip and an unknown camera are refused with their reason and code (the recorder drops them), nothing is kept', async () => {
    const store = new WebDavRecordingStore(davUrl, tokens);
    const startedAt = nextStart();
    const corrupt = await store.putRecording(bed.project.slug, 'gate', garbage, { startedAt }).catch((error: unknown) => error);
    expect(corrupt).toBeInstanceOf(CameramonitError);
    expect((corrupt as CameramonitError).httpStatus).toBeGreaterThanOrEqual(400);
    expect((corrupt as CameramonitError).httpStatus).toBeLessThan(500);
    expect((corrupt as CameramonitError).message).toMatch(/video/i);
    expect(await clipsAt(startedAt)).toEqual([]);
    const unknown = await store.putRecording(bed.project.slug, 'no-such-camera', piece, { startedAt: nextStart() }).catch((error: unknown) => error);
    expect(unknown).toMatchObject({ code: 'UNKNOWN_CAMERA', httpStatus: 404 });
    expect(await recordingsLeft()).toEqual([]);
  });

  it('WebDAV: only a platform service writes recordings: a person gets 403, a forged or expired token 401', async () => {
    const name = recordingFileName(nextStart());
    const put = (authorization: string) => fetch(`${davUrl}/${bed.project.slug}/gate/recordings/${name}`, { method: 'PUT', headers: { authorization, 'content-length': '4' }, body: 'abcd' });
    const person = await put(`Basic ${Buffer.from(`${installer.email}:installer-pw`).toString('base64')}`);
    expect(person.status).toBe(403);
    expect(await person.text()).toMatch(/recordings folders are written by the platform's recorder only/);
    const forged = new TokenService('another-secret-0123456789abcdef', 1).serviceToken('recorder');
    expect((await put(`Basic ${Buffer.from(`recorder@service:${forged}`).toString('base64')}`)).status).toBe(401);
    const expired = tokens.serviceToken('recorder', -10);
    expect((await put(`Basic ${Buffer.from(`recorder@service:${expired}`).toString('base64')}`)).status).toBe(401);
    // a service token of another name does not pass for the recorder
    expect((await put(`Basic ${Buffer.from(`recorder@service:${tokens.serviceToken('chat')}`).toString('base64')}`)).status).toBe(401);
    // a recording needs its start time in its name
    const service = `Basic ${Buffer.from(`recorder@service:${tokens.serviceToken('recorder')}`).toString('base64')}`;
    const unnamed = await fetch(`${davUrl}/${bed.project.slug}/gate/recordings/clip.mp4`, { method: 'PUT', headers: { authorization: service, 'content-length': '4' }, body: 'abcd' });
    expect(unnamed.status).toBe(400);
    expect(unnamed.headers.get('x-error-code')).toBe('RECORDING_START_MISSING');
    expect(await unnamed.text()).toMatch(/20261204T190530\.250Z\.mp4/);
    expect(await recordingsLeft()).toEqual([]);
  });

  it('FTP: the recorder STORs clips one after another on one connection; storage registers each', async () => {
    const store = new FtpRecordingStore(`ftp://127.0.0.1:${ftp.port}`, tokens);
    try {
      const starts = [nextStart(), nextStart(), nextStart()];
      const results = await Promise.all(starts.map((startedAt, index) => store.putRecording(bed.project.slug, 'gate', piece, { startedAt, source: index === 2 ? 'substream' : 'recording' })));
      expect(results.map((result) => result.created)).toEqual([true, true, true]);
      for (const startedAt of starts) expect(await clipsAt(startedAt)).toHaveLength(1);
      expect((await clipsAt(starts[2] as Date))[0]?.source).toBe('substream');
      expect(await recordingsLeft()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('FTP: a refused clip comes back as 550 with its reason and code, and the connection still works for the next clip', async () => {
    const store = new FtpRecordingStore(`ftp://127.0.0.1:${ftp.port}`, tokens);
    try {
      const startedAt = nextStart();
      const corrupt = await store.putRecording(bed.project.slug, 'gate', garbage, { startedAt }).catch((error: unknown) => error);
      expect(corrupt).toBeInstanceOf(CameramonitError);
      expect((corrupt as CameramonitError).httpStatus).toBe(422);
      expect((corrupt as CameramonitError).message).toMatch(/video/i);
      expect((corrupt as CameramonitError).message).not.toMatch(/\[[A-Z_]+\]/);
      expect(await clipsAt(startedAt)).toEqual([]);
      const unknown = await store.putRecording(bed.project.slug, 'no-such-camera', piece, { startedAt: nextStart() }).catch((error: unknown) => error);
      expect(unknown).toMatchObject({ code: 'UNKNOWN_CAMERA', httpStatus: 404 });
      const next = nextStart();
      await expect(store.putRecording(bed.project.slug, 'gate', piece, { startedAt: next })).resolves.toMatchObject({ created: true });
      expect(await clipsAt(next)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('FTP: a wrong service token cannot log in (a clear error the recorder retries, not a dropped clip); a person cannot STOR into recordings', async () => {
    const forged = new FtpRecordingStore(`ftp://127.0.0.1:${ftp.port}`, new TokenService('another-secret-0123456789abcdef', 1));
    const refused = await forged.putRecording(bed.project.slug, 'gate', piece, { startedAt: nextStart() }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(CameramonitError);
    expect((refused as Error).message).toMatch(/Cannot log in to the storage's FTP server/);
    await forged.close();
    const client = new Client(15_000);
    try {
      await client.access({ host: '127.0.0.1', port: ftp.port, user: installer.email, password: 'installer-pw' });
      const error = await client.uploadFrom(piece, `/${bed.project.slug}/gate/recordings/${recordingFileName(nextStart())}`).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(FTPError);
      expect((error as FTPError).message).toMatch(/recordings folders are written by the platform's recorder only/);
    } finally {
      client.close();
    }
    expect(await recordingsLeft()).toEqual([]);
  });

  it("local: the recorder on the same disk puts the clip into the store's folder and asks storage over MQTT to register it (a retry keeps one clip)", async () => {
    // storage's bus handler as the storage app runs it: a Nest MQTT listener on the broker
    @Module({ controllers: [RecordingIngestController], providers: [{ provide: ClipIngestService, useValue: bed.ingest }] })
    class IngestOverBusModule {}
    const options: BusOptions = { url: bed.brokerUrl, service: 'storage', clientIdPrefix: `rec${Date.now().toString(36)}` };
    const listener = await NestFactory.createMicroservice(IngestOverBusModule, { ...busServerOptions(options), logger: false });
    await listener.listen();
    const bus = new BusClient({ ...options, service: 'recorder' });
    try {
      await localStoreChecks(new LocalRecordingStore(bed.store.root, bus));
      // the handler takes no path of its own: a name with a way out is refused
      const tricky = await bus.request<BusReply<unknown>>(Topics.storageIngestRecording, { projectSlug: bed.project.slug, cameraSlug: 'gate', fileName: '../../../etc/20261204T100000Z.mp4' });
      expect(tricky).toMatchObject({ ok: false, code: 'BAD_PATH', httpStatus: 400 });
    } finally {
      await bus.onApplicationShutdown();
      await listener.close();
    }
    // storage away: "not now" (the recorder keeps the clip and sends it again), not a refusal
    const nobody = new BusClient({ ...options, service: 'recorder' });
    try {
      const away = await new LocalRecordingStore(bed.store.root, nobody, 1500).putRecording(bed.project.slug, 'gate', piece, { startedAt: nextStart() }).catch((error: unknown) => error);
      expect(away).toBeInstanceOf(Error);
      expect(away).not.toBeInstanceOf(CameramonitError);
    } finally {
      await nobody.onApplicationShutdown();
    }
  });

  async function localStoreChecks(store: LocalRecordingStore): Promise<void> {
    const startedAt = nextStart();
    const stored = await store.putRecording(bed.project.slug, 'gate', piece, { startedAt });
    expect(stored).toMatchObject({ created: true, startedAt: startedAt.toISOString() });
    expect(await clipsAt(startedAt)).toHaveLength(1);
    await expect(store.putRecording(bed.project.slug, 'gate', piece, { startedAt })).resolves.toMatchObject({ clipId: stored.clipId, created: false });
    const sub = await store.putRecording(bed.project.slug, 'gate', piece, { startedAt, source: 'substream' });
    expect((await clipsAt(startedAt)).find((row) => row.id === sub.clipId)?.source).toBe('substream');
    const corrupt = await store.putRecording(bed.project.slug, 'gate', garbage, { startedAt: nextStart() }).catch((error: unknown) => error);
    expect(corrupt).toBeInstanceOf(CameramonitError);
    expect((corrupt as CameramonitError).httpStatus).toBeLessThan(500);
    expect(await recordingsLeft()).toEqual([]);
  }
});

describe('a storage host that takes the connection and then never answers (a link gone dead while a clip is sent)', () => {
  let silent: NetServer;
  let url = '';
  let clip = '';
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // it reads what it is sent, and says nothing
    silent = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const dir = await mkdtemp(join(tmpdir(), 'cm-silent-storage-'));
    clip = join(dir, 'clip.mp4');
    await writeFile(clip, Buffer.alloc(200 * 1024, 1));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => silent.close(done));
    await rm(dirname(clip), { recursive: true, force: true });
  });

  it('fails the upload after its time is up, over WebDAV and over HTTP, with an error the recorder retries (not a refusal)', async () => {
    const tokens = new TokenService('integration-secret-0123456789', 1);
    const attempts = [
      new WebDavRecordingStore(url, tokens, 'recorder', { uploadTimeoutMs: 800 }).putRecording('home', 'gate', clip, { startedAt: new Date() }),
      new StorageClient(url, tokens, 'recorder', { uploadTimeoutMs: 800 }).putRecording('home', 'gate', clip, { startedAt: new Date() }),
    ];
    for (const attempt of attempts) {
      const started = Date.now();
      const error = (await attempt.catch((failure: unknown) => failure)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(CameramonitError);
      expect(error.message).toMatch(/no answer within 0\.8 s$/);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it('waits for a clip by its size: 15 s and 250 kB a second', () => {
    expect(uploadTimeoutMs(0)).toBe(15_000);
    expect(uploadTimeoutMs(2_500_000)).toBe(25_000);
  });
});
