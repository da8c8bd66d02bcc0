/**
 * Unusual and broken videos, each made here with ffmpeg (tiny files): probe, frame reading and
 * snapshot/GIF writing give a correct result or a clear error, never a crash or a hang.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver } from './ffmpeg.driver.js';
import type { FrameReaderOptions, VideoFrame } from './media.types.js';

const driver = new FfmpegDriver();
let workDir = '';

/** Runs ffmpeg with the given arguments (lavfi sources), writing `name` in the work folder. */
function make(name: string, args: string[]): string {
  const file = join(workDir, name);
  const run = spawnSync(driver.binaries.ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', ...args, '-y', file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`making ${name} failed: ${run.stderr}`);
  return file;
}

async function cutInHalf(file: string, name: string): Promise<string> {
  const bytes = await readFile(file);
  const cut = join(workDir, name);
  await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return cut;
}

async function framesOf(file: string, options: FrameReaderOptions): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of driver.readFrames(file, options)) frames.push(frame);
  return frames;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  return { code: 'NO_ERROR', message: '' };
}

/** Width and height of an image or video file, as ffprobe reads it (after no rotation). */
function pictureSize(file: string): { width: number; height: number } {
  const run = spawnSync(driver.binaries.ffprobePath, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const [width, height] = run.stdout.trim().split(',').map(Number);
  return { width, height };
}

/** Mean gray level of a region of a packed-RGB frame. */
function meanLevel(frame: VideoFrame, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      sum += frame.rgb[(y * frame.width + x) * 3];
      count++;
    }
  }
  return sum / count;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cameramonit-bad-input-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('a phone video filmed upright (display matrix: rotated 90 degrees)', () => {
  let rotated = '';
  beforeAll(() => {
    // stored 320x240 landscape: the left half white, the right half black; the phone says "turn it 90 degrees"
    const stored = make('stored.mp4', ['-f', 'lavfi', '-i', "color=black:s=320x240:r=10:d=2,format=yuv420p,geq=lum='if(lt(X,160),235,16)':cb=128:cr=128", '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    rotated = make('phone.mp4', ['-i', stored, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
  });

  it('probe reports the displayed (portrait) size and the rotation', async () => {
    const info = await driver.probe(rotated);
    expect(info).toMatchObject({ width: 240, height: 320, codedWidth: 320, codedHeight: 240 });
    expect([90, 270]).toContain(info.rotation);
  });

  it('frames come out upright: the white half is now the top or the bottom, not the left', async () => {
    const [frame] = await framesOf(rotated, { fps: 5, width: 120, height: 160 });
    const top = meanLevel(frame, 0, 0, 120, 80);
    const bottom = meanLevel(frame, 0, 80, 120, 160);
    const left = meanLevel(frame, 0, 0, 60, 160);
    const right = meanLevel(frame, 60, 0, 120, 160);
    expect(Math.abs(top - bottom)).toBeGreaterThan(150);
    expect(Math.abs(left - right)).toBeLessThan(20);
  });

  it('snapshot and GIF are portrait too', async () => {
    const snapshot = await driver.writeSnapshot(rotated, join(workDir, 'phone.jpg'), { atSec: 1, width: 120 });
    expect(pictureSize(snapshot.file)).toEqual({ width: 120, height: 160 });
    const gif = await driver.writeAnimation(rotated, join(workDir, 'phone.gif'), { startSec: 0, durationSec: 1, width: 120 });
    expect(pictureSize(gif.file)).toEqual({ width: 120, height: 160 });
  });
});

describe('frame rates', () => {
  it('variable frame rate (25 fps with a 2 s stretch at ~4 fps): each frame shows the picture of its time', async () => {
    // the gray level says which second it is (20, 70, 120, 170); frames between 1 s and 3 s are mostly dropped
    const vfr = make('vfr.mp4', [
      '-f', 'lavfi', '-i', "color=black:s=64x48:r=25:d=4,format=yuv420p,geq=lum='20+50*floor(T)':cb=128:cr=128,select='lt(t\\,1)+gte(t\\,3)+not(mod(n\\,6))'",
      '-fps_mode', 'vfr', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
    ]);
    const info = await driver.probe(vfr);
    expect(info.durationSec).toBeCloseTo(4, 1);
    const frames = await framesOf(vfr, { fps: 5, width: 64, height: 48 });
    expect(frames).toHaveLength(20);
    // limited-range luma 20 + 50 * second, as full-range RGB
    const levelOfSecond = (second: number) => ((20 + 50 * second - 16) * 255) / 219;
    for (const frame of frames) {
      const level = meanLevel(frame, 0, 0, 64, 48);
      // the picture shown at `sec` is the last source frame at or before it: this second's, or the last kept one of the one before
      const candidates = [Math.floor(frame.sec + 1e-6), Math.floor(frame.sec - 0.25)].map(levelOfSecond);
      const nearest = Math.min(...candidates.map((c) => Math.abs(c - level)));
      expect(nearest, `frame at ${frame.sec}s has level ${level.toFixed(0)}`).toBeLessThan(15);
    }
    expect(frames.map((f) => f.sec)).toEqual(frames.map((_, i) => i / 5));
  });

  it('1 fps and 60 fps sources are read at the analysis rate', async () => {
    const slow = make('fps1.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=1:d=4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const fast = make('fps60.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=60:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    expect((await driver.probe(slow)).fps).toBe(1);
    expect((await driver.probe(fast)).fps).toBe(60);
    expect(await framesOf(slow, { fps: 5, width: 160, height: 120 })).toHaveLength(20);
    expect(await framesOf(fast, { fps: 5, width: 160, height: 120 })).toHaveLength(10);
  });
});

describe('sizes', () => {
  it('an odd size (321x241) is described as it is and read at an even analysis size', async () => {
    const odd = make('odd.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=321x241:r=10:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv444p']);
    expect(await driver.probe(odd)).toMatchObject({ width: 321, height: 241 });
    const frames = await framesOf(odd, { fps: 5, width: 320, height: 240 });
    expect(frames).toHaveLength(5);
    expect(frames[0].rgb.length).toBe(320 * 240 * 3);
  });

  it('a 16x16 video is refused: VIDEO_TOO_SMALL says the minimum', async () => {
    const tiny = make('tiny.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=16x16:r=10:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const { code, message } = await errorOf(driver.probe(tiny));
    expect(code).toBe('VIDEO_TOO_SMALL');
    expect(message).toMatch(/16x16.*at least 32x32/);
  });
});

describe('no picture', () => {
  it('subtitles only: NO_VIDEO_STREAM, saying what the file holds', async () => {
    const srt = join(workDir, 'words.srt');
    await writeFile(srt, '1\n00:00:00,000 --> 00:00:01,000\nhello\n');
    const subtitles = make('subtitles.mkv', ['-i', srt]);
    const { code, message } = await errorOf(driver.probe(subtitles));
    expect(code).toBe('NO_VIDEO_STREAM');
    expect(message).toMatch(/only subtitle/);
  });

  it('an MP4 whose header lists a video stream but whose media data is missing: CORRUPT_VIDEO', async () => {
    const whole = make('faststart.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=10:d=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']);
    const bytes = await readFile(whole);
    const headerOnly = join(workDir, 'header-only.mp4');
    await writeFile(headerOnly, bytes.subarray(0, bytes.indexOf('mdat') + 4));
    expect((await errorOf(driver.probe(headerOnly))).code).toBe('CORRUPT_VIDEO');
  });
});

describe('truncated and lying files', () => {
  it('an MPEG-TS cut in half: the readable half is described and read', async () => {
    const ts = await cutInHalf(make('whole.ts', ['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=10:d=6', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'mpegts']), 'half.ts');
    const info = await driver.probe(ts);
    expect(info.durationSec).toBeGreaterThan(1.5);
    expect(info.durationSec).toBeLessThan(4.5);
    const frames = await framesOf(ts, { fps: 5, width: 160, height: 120 });
    expect(frames.length).toBeGreaterThan(5);
    expect(frames.length).toBeLessThan(25);
  });

  it('an MKV cut in half: the header still says 6 s, the frames that are there are read without an error', async () => {
    const mkv = await cutInHalf(make('whole.mkv', ['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=10:d=6', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']), 'half.mkv');
    expect((await driver.probe(mkv)).durationSec).toBeCloseTo(6, 0);
    const frames = await framesOf(mkv, { fps: 5, width: 160, height: 120 });
    expect(frames.length).toBeGreaterThan(3);
    expect(frames.length).toBeLessThan(25);
  });

  it('raw H.264 and a live-written MKV have no duration (0): their frames are still read', async () => {
    const raw = make('raw.h264', ['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=10:d=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'h264']);
    expect((await driver.probe(raw)).durationSec).toBe(0);
    expect(await framesOf(raw, { fps: 5, width: 160, height: 120 })).toHaveLength(15);
  });
});
