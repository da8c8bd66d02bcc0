import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthGuard, TokenService } from '@cameramonit/auth';
import { ClipEntity, type CameraEntity } from '@cameramonit/db';
import { ErrorFilter, StorageClient } from '@cameramonit/server';
import { testDatabaseKinds } from '../../../test/support/test-database.js';
import { CLIP_EXPORT_OPTIONS, ClipExportService } from './clip-export.service.js';
import { ExportController } from './export.controller.js';
import { ClipStore } from './file-servers/index.js';
import { cutRecordedPiece, openStorageTestbed, type StorageTestbed } from './storage.testing.js';

const KEEP_MS = 1500;
const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (sec: number) => new Date(t0.getTime() + sec * 1000);

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

function probe(file: string): { codec: string; width: number; height: number; durationSec: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { streams: { codec_name: string; width: number; height: number }[]; format: { duration: string } };
  const [stream] = parsed.streams;
  return { codec: stream?.codec_name ?? '', width: stream?.width ?? 0, height: stream?.height ?? 0, durationSec: Number(parsed.format.duration) };
}

/**
 * GET /exports/:cameraId through the storage app's real controller, guard and service, asked by the
 * real StorageClient with a service token: clips cut from vtest.avi by ffmpeg, a real database.
 *
 * The camera's recording: A, B, C (5 s each from 10:00:00), offline 10 s, D (10:00:25), then E
 * (10:00:30) at half the picture size (the camera's resolution was changed).
 */
describe.each(testDatabaseKinds())('exporting a time range as one MP4 (%s)', (kind) => {
  let bed: StorageTestbed;
  let app: INestApplication;
  let client: StorageClient;
  let tokens: TokenService;
  let baseUrl: string;
  let exportsParent: string;
  let camera: CameraEntity;
  const clips: Record<'a' | 'b' | 'c' | 'd' | 'e', ClipEntity> = {} as Record<'a' | 'b' | 'c' | 'd' | 'e', ClipEntity>;

  beforeAll(async () => {
    bed = await openStorageTestbed(kind);
    camera = await bed.camera('gate');
    const full = (name: string, fromSec: number, width?: number) => cutRecordedPiece(join(bed.work, `${name}.mp4`), fromSec, 5, width);
    clips.a = await bed.record(camera, full('a', 10), at(0));
    clips.b = await bed.record(camera, full('b', 15), at(5));
    clips.c = await bed.record(camera, full('c', 20), at(10));
    clips.d = await bed.record(camera, full('d', 35), at(25));
    clips.e = await bed.record(camera, full('e', 40, 384), at(30));
    // an upload in the same minutes is not part of the camera's recording
    const upload = await bed.record(camera, full('upload', 50), at(16));
    await bed.db.getRepository(ClipEntity).update({ id: upload.id }, { source: 'upload' });
    // the camera's sub-stream (320 px wide) for the first 10 s
    await bed.record(camera, cutRecordedPiece(join(bed.work, 'sub-a.mp4'), 10, 5, 320), at(0), 'substream');
    await bed.record(camera, cutRecordedPiece(join(bed.work, 'sub-b.mp4'), 15, 5, 320), at(5), 'substream');

    exportsParent = join(bed.work, 'exports');
    tokens = new TokenService('integration-secret-0123456789', 1);
    app = await NestFactory.create(
      {
        module: class ExportTestModule {},
        controllers: [ExportController],
        providers: [
          { provide: getDataSourceToken(), useValue: bed.db },
          { provide: ClipStore, useValue: bed.store },
          { provide: CLIP_EXPORT_OPTIONS, useValue: { parentFolder: exportsParent, keepMs: KEEP_MS } },
          ClipExportService,
        ],
      },
      { logger: false },
    );
    app.useGlobalGuards(new AuthGuard(app.get(Reflector), tokens));
    app.useGlobalFilters(new ErrorFilter());
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    client = new StorageClient(baseUrl, tokens, 'chat');
  });

  let appClosed = false;
  afterAll(async () => {
    if (!appClosed) await app?.close();
    await bed?.close();
  });

  /** The export folder of the service's process (cameramonit-exports-<pid>-...), and the exports in it. */
  const exportFolders = () => (existsSync(exportsParent) ? readdirSync(exportsParent) : []);
  const exportsKept = () => exportFolders().flatMap((folder) => readdirSync(join(exportsParent, folder)));
  /** every file in the export folders (hidden ones too: ffmpeg's list files) */
  const exportFiles = () => exportFolders().flatMap((folder) => readdirSync(join(exportsParent, folder), { recursive: true, encoding: 'utf8' })).map((path) => path.split('/').at(-1) as string).filter((name) => name.includes('.'));

  async function download(response: Response, name: string): Promise<string> {
    const file = join(bed.work, name);
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    return file;
  }

  it('joins the clips of the middle 8 s into one MP4 by stream copy, from the key frame before the start', async () => {
    const response = await client.getExport(camera.id, at(3.5), at(11.5));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    // A has a key frame every 2 s: the copy starts at its key frame at 2 s and ends 1.5 s into C
    expect(response.headers.get('x-export-started-at')).toBe(at(2).toISOString());
    expect(response.headers.get('x-export-gaps')).toBe('0');
    const headerDuration = Number(response.headers.get('x-export-duration-sec'));
    const file = await download(response, 'middle.mp4');
    const video = probe(file);
    expect(video).toMatchObject({ codec: 'h264', width: 768, height: 576 });
    expect(video.durationSec).toBeGreaterThanOrEqual(8);
    expect(video.durationSec).toBeLessThanOrEqual(10);
    expect(headerDuration).toBeCloseTo(video.durationSec, 1);
    // one file per range, kept for the player's range requests
    expect(exportsKept()).toHaveLength(1);
  });

  it('answers range requests from the same file: 206 with Content-Range, the bytes of the whole', async () => {
    const whole = Buffer.from(await (await client.getExport(camera.id, at(3.5), at(11.5))).arrayBuffer());
    const part = await client.getExport(camera.id, at(3.5), at(11.5), 'bytes=1000-1999');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${whole.length}`);
    expect(part.headers.get('x-export-started-at')).toBe(at(2).toISOString());
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(1000, 2000))).toBe(true);
    const tail = await client.getExport(camera.id, at(3.5), at(11.5), `bytes=${whole.length - 100}-`);
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 100))).toBe(true);
    expect(exportsKept()).toHaveLength(1);
  });

  it('skips the time the camera was offline and says how many gaps it left out', async () => {
    const response = await client.getExport(camera.id, at(12), at(28));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-export-gaps')).toBe('1');
    expect(response.headers.get('x-export-started-at')).toBe(at(12).toISOString());
    // C from 12 s (a key frame) to 15 s, then D from 25 s to 28 s: 6 s of video for 16 s of time
    const video = probe(await download(response, 'gap.mp4'));
    expect(video.durationSec).toBeGreaterThan(5.5);
    expect(video.durationSec).toBeLessThan(6.6);
  });

  it('re-encodes when the picture size changed within the range, into one H.264 stream of the larger size', async () => {
    const response = await client.getExport(camera.id, at(25), at(34));
    expect(response.status).toBe(200);
    const file = await download(response, 'resized.mp4');
    const video = probe(file);
    expect(video).toMatchObject({ codec: 'h264', width: 768, height: 576 });
    expect(video.durationSec).toBeGreaterThan(8.5);
    expect(video.durationSec).toBeLessThan(9.5);
    expect(execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
  });

  it('answers JSON errors: a bad range (400), a range with no recording (404, saying so), an unknown camera (404)', async () => {
    const errorOf = async (response: Response) => ({ status: response.status, body: (await response.json()) as ErrorBody });
    const query = (from: string, to: string) => fetch(`${baseUrl}/exports/${camera.id}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { authorization: `Bearer ${tokens.serviceToken('chat')}` } });
    for (const [from, to, why] of [
      [at(10).toISOString(), at(10).toISOString(), /must be before/],
      [at(20).toISOString(), at(10).toISOString(), /must be before/],
      ['10 am', at(10).toISOString(), /ISO 8601/],
      [at(0).toISOString(), at(6 * 3600 + 1).toISOString(), /at most 6 hours/],
    ] as const) {
      const { status, body } = await errorOf(await query(from, to));
      expect(status).toBe(400);
      expect(body).toMatchObject({ statusCode: 400, code: 'INVALID_RANGE', message: expect.stringMatching(why) });
    }
    // 10:00:16 to 10:00:24: the camera was offline (the upload then is not a recording)
    const nothing = await errorOf(await client.getExport(camera.id, at(16), at(24)));
    expect(nothing).toEqual({ status: 404, body: { statusCode: 404, code: 'NO_RECORDING', message: `Camera ${camera.name} recorded nothing between ${at(16).toISOString()} and ${at(24).toISOString()}` } });
    const unknown = await errorOf(await client.getExport('00000000-0000-4000-8000-000000000000', at(0), at(10)));
    expect(unknown).toMatchObject({ status: 404, body: { code: 'UNKNOWN_CAMERA' } });
    // services only
    expect((await fetch(`${baseUrl}/exports/${camera.id}?from=${at(0).toISOString()}&to=${at(5).toISOString()}`)).status).toBe(401);
  });

  it("exports the camera's sub-stream on its own with stream=sub (for a browser that cannot play an H.265 main stream)", async () => {
    const sub = await client.getExport(camera.id, at(1), at(9), undefined, 'sub');
    expect(sub.status).toBe(200);
    const subVideo = probe(await download(sub, 'sub.mp4'));
    expect(subVideo).toMatchObject({ codec: 'h264', width: 320 });
    expect(subVideo.durationSec).toBeGreaterThanOrEqual(8);
    expect(subVideo.durationSec).toBeLessThanOrEqual(10);
    // the same range of the main stream is the main stream's
    expect(probe(await download(await client.getExport(camera.id, at(1), at(9)), 'main.mp4'))).toMatchObject({ width: 768 });
    // the sub-stream recorded nothing from 10:00:25 on (the main stream did)
    const none = await client.getExport(camera.id, at(25), at(28), undefined, 'sub');
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ statusCode: 404, code: 'NO_RECORDING', message: `Camera ${camera.name}'s sub-stream recorded nothing between ${at(25).toISOString()} and ${at(28).toISOString()}` });
    const wrong = await fetch(`${baseUrl}/exports/${camera.id}?from=${at(0).toISOString()}&to=${at(5).toISOString()}&stream=thumbnail`, { headers: { authorization: `Bearer ${tokens.serviceToken('chat')}` } });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ statusCode: 400, code: 'INVALID_STREAM', message: "stream must be 'main', 'sub' or 'playable'" });
  });

  it('re-encodes an H.265 camera to H.264 with stream=playable (a browser without H.265, no sub-stream), and copies one already in H.264', async () => {
    const barn = await bed.camera('barn');
    // two 5 s clips of an H.265 camera at 1600 px (a camera larger than the 1280 px a browser copy is made at)
    await bed.record(barn, cutRecordedPiece(join(bed.work, 'barn-a.mp4'), 10, 5, 1600, 'h265'), at(0));
    await bed.record(barn, cutRecordedPiece(join(bed.work, 'barn-b.mp4'), 15, 5, 1600, 'h265'), at(5));
    expect(probe(await download(await client.getExport(barn.id, at(0), at(10)), 'barn-main.mp4'))).toMatchObject({ codec: 'hevc', width: 1600 });
    const playable = await client.getExport(barn.id, at(0), at(10), undefined, 'playable');
    expect(playable.status).toBe(200);
    const video = probe(await download(playable, 'barn-playable.mp4'));
    expect(video).toMatchObject({ codec: 'h264', width: 1280, height: 960 });
    expect(video.durationSec).toBeGreaterThanOrEqual(9.5);
    expect(video.durationSec).toBeLessThanOrEqual(10.5);
    // an H.264 camera's 'playable' is its own clips, copied
    const gate = probe(await download(await client.getExport(camera.id, at(5), at(10), undefined, 'playable'), 'gate-playable.mp4'));
    expect(gate).toMatchObject({ codec: 'h264', width: 768 });
  });

  it('leaves out clips retention deleted, also from an export of the same range made before', async () => {
    // the test before made 10:00:01-09 a moment ago (kept for range requests): it must not be served again
    await bed.db.getRepository(ClipEntity).update({ id: clips.a.id }, { deletedAt: new Date(), deleteReason: 'retention' });
    const response = await client.getExport(camera.id, at(1), at(4));
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).code).toBe('NO_RECORDING');
    const rest = await client.getExport(camera.id, at(1), at(9));
    expect(rest.headers.get('x-export-started-at')).toBe(at(5).toISOString());
    await rest.arrayBuffer();
  });

  it('leaves out a clip whose file is missing, like time the camera was offline', async () => {
    await bed.store.delete(clips.c.path);
    // B (10:00:05-10), C has no file, D from 10:00:25 to 27: one gap, 7 s of video (a few frames
    // more: stream copy stops by decoding order, and B-frames shown after 27 s come along)
    const response = await client.getExport(camera.id, at(4), at(27));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-export-started-at')).toBe(at(5).toISOString());
    expect(response.headers.get('x-export-gaps')).toBe('1');
    const video = probe(await download(response, 'missing.mp4'));
    expect(video.durationSec).toBeGreaterThan(6.5);
    expect(video.durationSec).toBeLessThan(8);
  });

  it('fails cleanly when a clip cannot be read: EXPORT_FAILED without server paths, nothing kept', async () => {
    writeFileSync(join(bed.store.root, ...clips.b.path.split('/')), 'not a video any more');
    const response = await client.getExport(camera.id, at(6), at(9));
    expect(response.status).toBe(500);
    const body = (await response.json()) as ErrorBody;
    expect(body).toMatchObject({ statusCode: 500, code: 'EXPORT_FAILED' });
    expect(body.message).not.toContain(bed.store.root);
    expect(body.message).not.toContain(bed.work);
    // no export of this range, finished or half-made (the others expire on their own)
    expect(exportFiles().filter((name) => name.includes('T100006Z'))).toEqual([]);
    expect(exportFiles().every((name) => /^(gate|barn)-\d{8}T\d{6}Z(-sub|-playable)?\.mp4$/.test(name))).toBe(true);
  });

  it('deletes each export once nobody asked for it for a while, and its folder at shutdown', async () => {
    // an export made now (the earlier tests' may be gone already on a busy machine: they are kept KEEP_MS)
    const response = await client.getExport(camera.id, at(25), at(27));
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(exportsKept().length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, KEEP_MS + 1000));
    expect(exportsKept()).toEqual([]);
    const [folder] = exportFolders();
    expect(folder).toMatch(new RegExp(`^cameramonit-exports-${process.pid}-`));
    await app.close();
    appClosed = true;
    expect(exportFolders()).toEqual([]);
  });
});
