import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver } from './ffmpeg.driver.js';
import { Mp4BoxSplitter } from './fmp4.parser.js';
import type { LiveKeyFrame, MediaProgress } from './media.types.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');
const driver = new FfmpegDriver();
let workDir = '';

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  return { code: 'NO_ERROR', message: '' };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cameramonit-media-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('FfmpegDriver.probe', () => {
  it('describes vtest.avi', async () => {
    const info = await driver.probe(vtest);
    expect(info).toMatchObject({ width: 768, height: 576, fps: 10, codec: 'msmpeg4v3', hasVideoStream: true, hasAudioStream: false });
    expect(info.durationSec).toBeCloseTo(79.5, 1);
  });

  it('says EMPTY_FILE for a 0-byte file', async () => {
    const file = join(workDir, 'empty.mp4');
    await writeFile(file, '');
    expect((await codeOf(driver.probe(file))).code).toBe('EMPTY_FILE');
  });

  it('says NOT_VIDEO for a text file renamed .mp4, with the reason', async () => {
    const file = join(workDir, 'notes.mp4');
    await writeFile(file, 'hello, this is not a video at all\n');
    const { code, message } = await codeOf(driver.probe(file));
    expect(code).toBe('NOT_VIDEO');
    expect(message).toMatch(/not a video/);
  });

  it('says NOT_VIDEO for a .txt file (ffmpeg would read it as ANSI art)', async () => {
    const file = join(workDir, 'notes.txt');
    await writeFile(file, 'hello, this is not a video at all\n'.repeat(20));
    expect((await codeOf(driver.probe(file))).code).toBe('NOT_VIDEO');
  });

  it('says CORRUPT_VIDEO for a truncated copy of vtest.avi', async () => {
    const file = join(workDir, 'truncated.avi');
    await writeFile(file, (await readFile(vtest)).subarray(0, 300_000));
    const { code, message } = await codeOf(driver.probe(file));
    expect(code).toBe('CORRUPT_VIDEO');
    expect(message).toMatch(/truncated/);
  });

  it('says CORRUPT_VIDEO for an MP4 cut before its index', async () => {
    const mp4 = join(workDir, 'clip.mp4');
    await driver.transcodeToMp4(vtest, mp4, { durationSec: 3, keepAudio: false });
    const cut = join(workDir, 'cut.mp4');
    await writeFile(cut, (await readFile(mp4)).subarray(0, 20_000));
    expect((await codeOf(driver.probe(cut))).code).toBe('CORRUPT_VIDEO');
  });

  it('says NO_VIDEO_STREAM for audio only, FILE_NOT_FOUND for a missing file', async () => {
    const audio = join(workDir, 'tone.m4a');
    // an audio-only file: one second of a sine tone from ffmpeg's lavfi source
    spawnSync(driver.binaries.ffmpegPath, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=1', '-y', audio]);
    expect((await codeOf(driver.probe(audio))).code).toBe('NO_VIDEO_STREAM');
    expect((await codeOf(driver.probe(join(workDir, 'missing.avi')))).code).toBe('FILE_NOT_FOUND');
  });
});

describe('FfmpegDriver.readFrames', () => {
  it('yields exact-size RGB frames at the asked fps', async () => {
    const frames = [];
    for await (const frame of driver.readFrames(vtest, { fps: 5, width: 256, height: 192, durationSec: 2 })) {
      frames.push({ index: frame.index, sec: frame.sec, bytes: frame.rgb.length });
    }
    expect(frames).toHaveLength(10);
    expect(frames[0]).toEqual({ index: 0, sec: 0, bytes: 256 * 192 * 3 });
    expect(frames[9].sec).toBeCloseTo(1.8, 5);
  });

  it('kills ffmpeg when the consumer stops early', async () => {
    let count = 0;
    for await (const frame of driver.readFrames(vtest, { fps: 10, width: 128, height: 96 })) {
      count = frame.index + 1;
      if (count === 3) break;
    }
    expect(count).toBe(3);
  });

  it('reads the key frames of a live fragmented MP4 as its fragments come, each before the next fragment', async () => {
    // 4 s of vtest.avi as the recorder's live picture: fragmented MP4, a key frame every second
    const { live, init, fragments } = await liveFragments('live.mp4', { seconds: 4, width: 640, keyEvery: 10 });
    expect(fragments).toHaveLength(4);
    let sent = 0;
    async function* camera() {
      yield init;
      for (const fragment of fragments) {
        sent++;
        yield fragment;
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
    }
    const frames: { index: number; sentWhenRead: number; rgb: Uint8Array; width: number }[] = [];
    // the recorder says its key frames are a second apart: ffmpeg starts at once
    for await (const frame of driver.readLiveKeyFrames(camera(), { width: 320, height: 240, keyFrameIntervalSec: 1 })) frames.push({ index: frame.index, sentWhenRead: sent, rgb: frame.rgb, width: frame.width });
    // one picture per key frame, each read while its own fragment was the newest sent
    expect(frames.map((frame) => frame.sentWhenRead)).toEqual([1, 2, 3, 4]);
    expect(frames.every((frame) => frame.rgb.length === 320 * 240 * 3)).toBe(true);
    // the picture at 1 s, as reading the file the usual way gives it
    const usual = [];
    for await (const frame of driver.readFrames(live, { fps: 10, width: 320, height: 240, startSec: 1, durationSec: 0.1 })) usual.push(frame);
    let difference = 0;
    for (let i = 0; i < usual[0].rgb.length; i++) difference += Math.abs((usual[0].rgb[i] as number) - (frames[1]?.rgb[i] as number));
    expect(difference / usual[0].rgb.length).toBeLessThan(3);
  });

  it('says when each live key frame was taken, from when its fragments arrived: a stale first fragment (the newest when the viewer joined) is dated by the next', async () => {
    const { init, fragments } = await liveFragments('live-timed.mp4', { seconds: 4, width: 320, keyEvery: 10 });
    expect(fragments).toHaveLength(4);
    // fragment k holds the second k..k+1 of the picture; a camera's fragment comes whole when the next
    // key frame is taken. Fragment 0 is sent at once (it had come 600 ms before the viewer joined),
    // then each as a live camera sends it: 400 ms later, then every second
    const sentAt: number[] = [];
    async function* camera() {
      yield init;
      for (const [k, fragment] of fragments.entries()) {
        if (k > 0) await new Promise((resolve) => setTimeout(resolve, k === 1 ? 400 : 1000));
        sentAt.push(Date.now());
        yield fragment;
      }
    }
    const taken: (number | null)[] = [];
    for await (const frame of driver.readLiveKeyFrames(camera(), { width: 160, height: 120 })) taken.push(frame.takenAtMs);
    expect(taken).toHaveLength(4);
    // from fragment 1 on, the stream's clock is known: key frame k was taken when fragment k came, less its second
    for (const k of [1, 2, 3]) expect(Math.abs((taken[k] as number) - ((sentAt[k] as number) - 1000)), `key frame ${k}`).toBeLessThan(150);
    // the first too: nobody said how far apart the key frames are, so ffmpeg started once the second came, and by then its time was known
    expect(Math.abs((taken[0] as number) - ((sentAt[1] as number) - 2000))).toBeLessThan(150);
  });

  it('looks at a live picture whose key frames are 2 s apart every second: the picture between them too, dated a second after its key frame', async () => {
    const { live, init, fragments } = await liveFragments('live-gop2.mp4', { seconds: 6, width: 320, keyEvery: 20 });
    expect(fragments).toHaveLength(3);
    async function* camera() {
      yield init;
      for (const [k, fragment] of fragments.entries()) {
        if (k > 0) await new Promise((resolve) => setTimeout(resolve, 300));
        yield fragment;
      }
    }
    const frames: LiveKeyFrame[] = [];
    for await (const frame of driver.readLiveKeyFrames(camera(), { width: 160, height: 120 })) frames.push(frame);
    // 0, 1, 2, 3, 4, 5 s of the picture
    expect(frames).toHaveLength(6);
    // each picture between two key frames is dated a second after its key frame (the fragments come faster than real time here, so only within one)
    const taken = frames.map((frame) => frame.takenAtMs as number);
    for (const k of [1, 3, 5]) expect(Math.abs((taken[k] as number) - (taken[k - 1] as number) - 1000), `picture ${k}`).toBeLessThanOrEqual(1);
    // the one between the first two key frames is the picture at 1 s, as reading the file the usual way gives it
    const usual = [];
    for await (const frame of driver.readFrames(live, { fps: 10, width: 160, height: 120, startSec: 1, durationSec: 0.1 })) usual.push(frame);
    let difference = 0;
    for (let i = 0; i < usual[0].rgb.length; i++) difference += Math.abs((usual[0].rgb[i] as number) - (frames[1]?.rgb[i] as number));
    expect(difference / usual[0].rgb.length).toBeLessThan(3);
    // only key frames when asked so
    let keyOnly = 0;
    for await (const _ of driver.readLiveKeyFrames(camera(), { width: 160, height: 120, keyFramesEverySec: 3 })) keyOnly++;
    expect(keyOnly).toBe(3);
  });

  it('reads the whole fixture at 5 fps', async () => {
    let last = -1;
    for await (const frame of driver.readFrames(vtest, { fps: 5, width: 128, height: 96 })) last = frame.index;
    expect(last + 1).toBeGreaterThanOrEqual(396);
    expect(last + 1).toBeLessThanOrEqual(399);
  });
});

describe('FfmpegDriver writers', () => {
  it('writes a JPEG snapshot with a box', async () => {
    const out = join(workDir, 'snap.jpg');
    const written = await driver.writeSnapshot(vtest, out, {
      atSec: 10,
      width: 640,
      boxes: [{ box: { x: 100, y: 100, width: 50, height: 80 }, frameWidth: 512, frameHeight: 384 }],
    });
    const bytes = await readFile(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(written.sizeBytes).toBe(bytes.length);
    const info = await driver.probe(out).catch((error: unknown) => error);
    expect((info as { code?: string }).code).toBe('NOT_VIDEO'); // a still image is not a video
  });

  it('cuts an object out of a frame and scales JPEGs down to fit, never up', async () => {
    const { jpegSize } = await import('../../../test/support/openai-compatible.server.js');
    // vtest.avi is 768x576; a 100x200 box of a 384x288 analysis frame is 200x400 source pixels, +15% margin each side
    const crop = join(workDir, 'crop.jpg');
    await driver.writeFrameImage(vtest, crop, { atSec: 10, crop: { box: { x: 100, y: 50, width: 100, height: 200 }, frameWidth: 384, frameHeight: 288 }, maxSide: 384 });
    const cropSize = jpegSize(await readFile(crop));
    expect(Math.max(cropSize.width, cropSize.height)).toBe(384);
    expect(cropSize.width / cropSize.height).toBeCloseTo(260 / 520, 1);
    const context = join(workDir, 'context.jpg');
    await driver.writeFrameImage(vtest, context, { atSec: 10, maxSide: 400 });
    expect(jpegSize(await readFile(context))).toEqual({ width: 400, height: 300 });
    const small = join(workDir, 'small.jpg');
    await driver.writeFrameImage(vtest, small, { atSec: 10, crop: { box: { x: 10, y: 10, width: 20, height: 20 }, frameWidth: 384, frameHeight: 288 }, maxSide: 384 });
    const smallSize = jpegSize(await readFile(small));
    expect(smallSize.width).toBeLessThan(100);
  });

  it('writes a small looping GIF of 4 s', async () => {
    const out = join(workDir, 'anim.gif');
    const written = await driver.writeAnimation(vtest, out, { startSec: 5, durationSec: 4 });
    const bytes = await readFile(out);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(bytes.readUInt16LE(6)).toBe(320);
    expect(written.sizeBytes).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('writes an animated WebP', async () => {
    const out = join(workDir, 'anim.webp');
    await driver.writeAnimation(vtest, out, { startSec: 5, durationSec: 3, format: 'webp' });
    const bytes = await readFile(out);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('latin1')).toBe('WEBP');
  });

  it('transcodes a clip to H.264 MP4 with progress, playable (probe) and of the right length', async () => {
    const out = join(workDir, 'clip-h264.mp4');
    const progress: MediaProgress[] = [];
    await driver.transcodeToMp4(vtest, out, { startSec: 10, durationSec: 8 }, { onProgress: (p) => progress.push(p) });
    const info = await driver.probe(out);
    expect(info.codec).toBe('h264');
    expect(info.durationSec).toBeGreaterThan(7.5);
    expect(info.durationSec).toBeLessThan(8.5);
    expect(progress.at(-1)?.fraction).toBe(1);
    const head = await readFile(out);
    // +faststart: the index (moov) comes before the media data (mdat)
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat'));
  });

  it('fails with a clear error for a time outside the video', async () => {
    const { code } = await codeOf(driver.writeSnapshot(vtest, join(workDir, 'late.jpg'), { atSec: 500 }));
    expect(code).toBe('FFMPEG_FAILED');
  });

  it('copies are independent of the source name', async () => {
    const copy = join(workDir, 'copy with spaces.avi');
    await copyFile(vtest, copy);
    expect((await driver.probe(copy)).width).toBe(768);
  });
});

/** Seconds of vtest.avi as a recorder's live picture (fragmented MP4, a fragment per key frame, no B-frames): the file, its init segment and its fragments. */
async function liveFragments(name: string, options: { seconds: number; width: number; keyEvery: number }): Promise<{ live: string; init: Buffer; fragments: Buffer[] }> {
  const live = join(workDir, name);
  const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-ss', '5', '-i', vtest, '-t', String(options.seconds), '-an', '-vf', `scale=${options.width}:-2`, '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(options.keyEvery), '-bf', '0', '-pix_fmt', 'yuv420p', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', live]);
  expect(made.status, made.stderr.toString()).toBe(0);
  const boxes = new Mp4BoxSplitter().push(await readFile(live));
  const init = Buffer.concat(boxes.filter((box) => box.type === 'ftyp' || box.type === 'moov').map((box) => box.bytes));
  const fragments = boxes.flatMap((box, i) => (box.type === 'moof' ? [Buffer.concat([box.bytes, (boxes[i + 1] as { bytes: Buffer }).bytes])] : []));
  return { live, init, fragments };
}
