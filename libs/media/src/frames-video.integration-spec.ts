import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver } from './ffmpeg.driver.js';
import { frameFileName } from './frames-video-args.builder.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');
const driver = new FfmpegDriver();
let workDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cameramonit-frames-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** JPEG frames of vtest.avi renamed the way pushed frames are kept. */
async function framesOf(dir: string, count: number, maxWidth: number): Promise<string[]> {
  const cut = await driver.writeVideoFrames(vtest, join(dir, 'cut'), { startSec: 10, durationSec: count / 5, fps: 5, maxWidth, maxFrames: count });
  const named: string[] = [];
  for (const [index, file] of cut.entries()) {
    const target = join(dir, frameFileName(index + 1));
    await rename(file, target);
    named.push(target);
  }
  return named;
}

describe('FfmpegDriver.assembleFramesToMp4', () => {
  it('makes an H.264 MP4 of the size and rate asked, one frame per JPEG', async () => {
    const dir = join(workDir, 'plain');
    await mkdir(dir, { recursive: true });
    const frames = await framesOf(dir, 15, 768);
    expect(frames).toHaveLength(15);
    const out = join(workDir, 'plain.mp4');
    const written = await driver.assembleFramesToMp4(dir, out, { fps: 5, width: 768, height: 576, frameCount: 15 });
    expect(written.sizeBytes).toBeGreaterThan(10_000);
    const info = await driver.probe(out);
    expect(info).toMatchObject({ codec: 'h264', width: 768, height: 576, fps: 5 });
    expect(info.durationSec).toBeCloseTo(3, 1);
  });

  it('fits frames of another size into the video (aspect kept), so a size change mid-way still gives one clip', async () => {
    const dir = join(workDir, 'mixed');
    await mkdir(dir, { recursive: true });
    await framesOf(dir, 10, 768);
    // five more frames, half the size: pushed after the device changed its resolution
    const small = await driver.writeVideoFrames(vtest, join(dir, 'small'), { startSec: 12, durationSec: 1, fps: 5, maxWidth: 384, maxFrames: 5 });
    for (const [index, file] of small.entries()) await rename(file, join(dir, frameFileName(11 + index)));
    const out = join(workDir, 'mixed.mp4');
    await driver.assembleFramesToMp4(dir, out, { fps: 5, width: 640, height: 360, frameCount: 15 });
    const info = await driver.probe(out);
    expect(info).toMatchObject({ width: 640, height: 360 });
    expect(info.durationSec).toBeCloseTo(3, 1);
    // every frame is there: read them back at the clip's own rate
    let read = 0;
    for await (const frame of driver.readFrames(out, { fps: 5, width: 64, height: 36 })) read += frame.rgb.length > 0 ? 1 : 0;
    expect(read).toBe(15);
  });

  it('says which frame folder has nothing to read', async () => {
    const dir = join(workDir, 'empty');
    await mkdir(dir, { recursive: true });
    await expect(driver.assembleFramesToMp4(dir, join(workDir, 'none.mp4'), { fps: 5, width: 64, height: 64, frameCount: 3 })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
