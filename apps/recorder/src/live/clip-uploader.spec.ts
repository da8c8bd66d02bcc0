import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CameramonitError, type RecordedStream } from '@cameramonit/contracts';
import type { RecordingStore, RecordingStored } from '@cameramonit/server';
import { ClipSpool, spoolKey, type SpooledClip } from './clip-spool.js';
import { ClipUploader } from './clip-uploader.js';

/** A storage app that can be "down" (network errors) or refuse clips, and records what it took. */
class StorageDouble implements RecordingStore {
  down = false;
  refuse: CameramonitError | null = null;
  readonly stored: string[] = [];
  calls = 0;

  async putRecording(projectSlug: string, cameraSlug: string, _file: string, options: { startedAt: Date; source?: RecordedStream }): Promise<RecordingStored> {
    this.calls++;
    if (this.down) throw new TypeError('fetch failed');
    if (this.refuse) throw this.refuse;
    this.stored.push(`${projectSlug}/${cameraSlug}${options.source === 'substream' ? '~sub' : ''}@${options.startedAt.getTime()}`);
    return { clipId: String(this.stored.length), startedAt: options.startedAt.toISOString(), durationSec: 5, created: true };
  }
}

const until = async (what: string, check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('ClipUploader', () => {
  let dir: string;
  let spool: ClipSpool;
  const dropped: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-uploader-'));
    spool = new ClipSpool(dir);
    dropped.length = 0;
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const clip = async (camera: string, startMs: number, bytes = 1000, source: RecordedStream = 'recording'): Promise<SpooledClip> => {
    const info = { cameraId: camera, projectSlug: 'home', cameraSlug: camera, source };
    await spool.prepare(info);
    const file = join(spool.dirOf(spoolKey(info)), `${startMs}.mp4`);
    await writeFile(file, Buffer.alloc(bytes));
    return { ...info, file, startedAt: new Date(startMs), sizeBytes: bytes, finishedAtMs: Date.now() };
  };
  const uploader = (store: RecordingStore, maxBytes = 1e9) =>
    new ClipUploader(store, spool, maxBytes, { stored: () => undefined, dropped: (c, reason) => dropped.push(`${c.startedAt.getTime()} ${reason}`), log: () => undefined });

  it("stores each camera's clips in the order they were recorded and deletes them from the spool", async () => {
    const store = new StorageDouble();
    const up = uploader(store);
    for (const start of [1_000, 6_000, 11_000]) up.add(await clip('gate', start));
    await until('three clips stored', () => store.stored.length === 3);
    expect(store.stored).toEqual(['home/gate@1000', 'home/gate@6000', 'home/gate@11000']);
    expect(up.backlog()).toBe(0);
    let left = ['?'];
    for (let i = 0; i < 100 && left.length > 0; i++) {
      left = (await readdir(spool.dirOf('gate'))).filter((name) => name.endsWith('.mp4'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(left).toEqual([]);
    up.stop();
  });

  it('keeps clips while storage is down and sends them, in order, when it is back', async () => {
    const store = new StorageDouble();
    store.down = true;
    const up = uploader(store);
    for (const start of [1_000, 6_000, 11_000, 16_000]) up.add(await clip('gate', start));
    await until('a failed attempt', () => store.calls >= 1);
    expect(up.storageFailingSince).not.toBeNull();
    expect(up.backlog()).toBe(4);
    store.down = false;
    up.retryAll();
    await until('all four stored', () => store.stored.length === 4);
    expect(store.stored).toEqual(['home/gate@1000', 'home/gate@6000', 'home/gate@11000', 'home/gate@16000']);
    expect(up.storageFailingSince).toBeNull();
    up.stop();
  });

  it('drops a clip storage refuses (a broken clip) and goes on with the next', async () => {
    const store = new StorageDouble();
    store.refuse = new CameramonitError('CORRUPT_VIDEO', 'damaged', 422);
    const up = uploader(store);
    up.add(await clip('gate', 1_000));
    await until('the refusal', () => dropped.length === 1);
    expect(dropped[0]).toMatch(/^1000 storage refused it: damaged/);
    store.refuse = null;
    up.add(await clip('gate', 6_000));
    await until('the next clip stored', () => store.stored.length === 1);
    up.stop();
  });

  it('forgets a camera storage no longer knows (deleted): its spool goes', async () => {
    const store = new StorageDouble();
    store.refuse = new CameramonitError('UNKNOWN_CAMERA', 'There is no camera home/gone', 404);
    const up = uploader(store);
    up.add(await clip('gone', 1_000));
    up.add(await clip('gone', 6_000));
    await until('the camera forgotten', () => up.backlog('gone') === 0);
    expect(await readdir(dir)).not.toContain('gone');
    up.stop();
  });

  it("sends a camera's sub-stream clips with their source, in their own order, and a deleted camera's both streams go", async () => {
    const store = new StorageDouble();
    const up = uploader(store);
    store.down = true;
    up.add(await clip('gate', 1_000));
    up.add(await clip('gate', 2_000, 1000, 'substream'));
    up.add(await clip('gate', 6_000));
    up.add(await clip('gate', 7_000, 1000, 'substream'));
    expect(up.backlog('gate')).toBe(4);
    store.down = false;
    up.retryAll();
    await until('all four stored', () => store.stored.length === 4);
    expect(store.stored.filter((line) => line.includes('~sub'))).toEqual(['home/gate~sub@2000', 'home/gate~sub@7000']);
    expect(store.stored.filter((line) => !line.includes('~sub'))).toEqual(['home/gate@1000', 'home/gate@6000']);
    expect(await readdir(spool.dirOf('gate~sub'))).toEqual(['camera.json']);
    store.refuse = new CameramonitError('UNKNOWN_CAMERA', 'There is no camera home/gate', 404);
    up.add(await clip('gate', 12_000, 1000, 'substream'));
    await until('the camera forgotten', () => up.backlog('gate') === 0);
    expect(await readdir(dir)).toEqual([]);
    up.stop();
  });

  it("keeps no camera address or password in the spool (its camera.json is plain text on the recorder's disk)", async () => {
    const spec = { cameraId: 'porch', projectSlug: 'home', cameraSlug: 'porch', name: 'Porch', input: { kind: 'rtsp', url: 'rtsp://cam/porch', username: 'installer', password: 'porch-secret' }, clipSec: 5 };
    const writer = await spool.create(spec, 1_000, Buffer.from('init'));
    const spooled = await writer.finish();
    const kept = await readFile(join(spool.dirOf('porch'), 'camera.json'), 'utf8');
    expect(JSON.parse(kept)).toEqual({ cameraId: 'porch', projectSlug: 'home', cameraSlug: 'porch', source: 'recording' });
    expect(JSON.stringify(spooled)).not.toContain('porch-secret');
  });

  it('keeps the spool under its bound while storage is down: the oldest waiting clips go first', async () => {
    const store = new StorageDouble();
    store.down = true;
    const up = uploader(store, 3500);
    const clips = [];
    for (const start of [1_000, 6_000, 11_000, 16_000, 21_000]) clips.push(await clip('gate', start));
    // added at once: the first is being sent while the others come
    for (const made of clips) up.add(made);
    expect(up.backlogBytes()).toBeLessThanOrEqual(3500);
    // the one being sent is never dropped; the next oldest are
    expect(dropped.map((line) => line.split(' ')[0])).toEqual(['6000', '11000']);
    store.down = false;
    up.retryAll();
    await until('the rest stored', () => store.stored.length === 3);
    expect(store.stored).toEqual(['home/gate@1000', 'home/gate@16000', 'home/gate@21000']);
    up.stop();
  });
});
