import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver } from './ffmpeg.driver.js';
import { probeFragmentedMp4 } from './fmp4.probe.js';
import { parseFragment, parseInitSegment, shiftFragmentTime } from './fmp4.parser.js';
import { splitFragmentedClip } from './key-frame-decoder.js';
import type { VideoFrame } from './media.types.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');
const size = { width: 320, height: 240 };

/** init segment and moof + mdat pairs of a fragmented MP4 (whatever its pictures' order) */
function fragmentsOf(bytes: Buffer): { init: Buffer; fragments: { moof: Buffer; mdat: Buffer; baseDecodeTime: bigint }[] } {
  let init: Buffer | null = null;
  let moof: Buffer | null = null;
  const fragments: { moof: Buffer; mdat: Buffer; baseDecodeTime: bigint }[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const boxSize = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const box = bytes.subarray(offset, offset + boxSize);
    offset += boxSize;
    if (type === 'moov') init = bytes.subarray(0, offset);
    else if (type === 'moof') moof = box;
    else if (type === 'mdat' && moof && init) {
      fragments.push({ moof, mdat: box, baseDecodeTime: parseFragment(moof, parseInitSegment(init)).baseDecodeTime });
      moof = null;
    }
  }
  if (!init) throw new Error('the test recording has no moov');
  return { init, fragments };
}

/** A camera's recording as the recorder stores it: fragmented MP4 (a fragment per key frame, one a second), cut into clips that each start at 0. */
async function recording(dir: string, name: string, options: { seconds: number; perClip: number; scale?: string; bframes?: number; start?: number }): Promise<string[]> {
  const stream = join(dir, `${name}-stream.mp4`);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-ss', String(options.start ?? 0), '-i', vtest, '-t', String(options.seconds), '-an', '-vf', `fps=10,scale=${options.scale ?? '640:480'}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-bf', String(options.bframes ?? 0), '-pix_fmt', 'yuv420p',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', stream,
  ]);
  const split = fragmentsOf(await readFile(stream));
  const clips: string[] = [];
  for (let at = 0; at + options.perClip <= split.fragments.length; at += options.perClip) {
    const fragments = split.fragments.slice(at, at + options.perClip);
    const shift = fragments[0].baseDecodeTime;
    const file = join(dir, `${name}-${clips.length}.mp4`);
    await writeFile(file, Buffer.concat([split.init, ...fragments.flatMap((fragment) => [shiftFragmentTime(fragment.moof, shift), fragment.mdat])]));
    clips.push(file);
  }
  return clips;
}

async function keyFramesOf(ffmpeg: FfmpegDriver, file: string, continuing?: string, stopAfter = Infinity): Promise<VideoFrame[]> {
  const info = await probeFragmentedMp4(file);
  const keyFrames = info?.keyFrameSecs ?? [];
  expect(keyFrames.length).toBeGreaterThan(0);
  const frames: VideoFrame[] = [];
  for await (const frame of ffmpeg.readFrames(file, { fps: 5, ...size, keyFrames, decodeThreads: 1, continuing })) {
    frames.push(frame);
    if (frames.length >= stopAfter) break;
  }
  return frames;
}

function meanDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** the frames are the same pictures at the same times as an ffmpeg of its own reads */
async function expectSameAsPerClip(frames: VideoFrame[], file: string): Promise<void> {
  const own = await keyFramesOf(new FfmpegDriver(), file);
  expect(frames.map((frame) => frame.sec)).toEqual(own.map((frame) => frame.sec));
  expect(frames.map((frame) => frame.index)).toEqual(own.map((_, i) => i));
  frames.forEach((frame, i) => expect(meanDifference(frame.rgb, own[i].rgb)).toBeLessThan(0.5));
}

describe('KeyFrameDecoder: the key frames of a camera\'s clips, one ffmpeg kept running for the camera', () => {
  let dir: string;
  let clips: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-keyframe-decoder-'));
    clips = await recording(dir, 'cam', { seconds: 12, perClip: 3 });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads clip after clip of a recording in one process: each clip\'s own key frames, at their times', async () => {
    const ffmpeg = new FfmpegDriver();
    try {
      expect(clips.length).toBeGreaterThanOrEqual(4);
      const read: VideoFrame[][] = [];
      for (const clip of clips) {
        const frames = await keyFramesOf(ffmpeg, clip, 'cam:recording');
        await expectSameAsPerClip(frames, clip);
        read.push(frames);
      }
      // one ffmpeg for all of them, still running for the next clip
      expect(ffmpeg.keyFrameDecoders.started).toBe(1);
      expect(ffmpeg.keyFrameDecoders.pidOf('cam:recording')).toBeGreaterThan(0);
      // and the clips are not the same picture over and over (people walk through vtest)
      expect(meanDifference(read[0][0].rgb, read[3][0].rgb)).toBeGreaterThan(2);
      // a clip read again out of order (a re-analysis) is still itself
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, clips[1], 'cam:recording'), clips[1]);
      expect(ffmpeg.keyFrameDecoders.started).toBe(1);
    } finally {
      ffmpeg.close();
    }
  });

  it('a reader that stops early (something moved) leaves no picture behind for the next clip', async () => {
    const ffmpeg = new FfmpegDriver();
    try {
      expect(await keyFramesOf(ffmpeg, clips[0], 'cam:recording', 1)).toHaveLength(1);
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, clips[1], 'cam:recording'), clips[1]);
      expect(await keyFramesOf(ffmpeg, clips[2], 'cam:recording', 2)).toHaveLength(2);
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, clips[3], 'cam:recording'), clips[3]);
      expect(ffmpeg.keyFrameDecoders.started).toBe(1);
    } finally {
      ffmpeg.close();
    }
  });

  it('cameras each get their own; a stream whose pictures change size gets a new one', async () => {
    const ffmpeg = new FfmpegDriver();
    try {
      const smaller = await recording(dir, 'small', { seconds: 6, perClip: 3, scale: '480:360', start: 5 });
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, clips[0], 'a:recording'), clips[0]);
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, smaller[0], 'b:recording'), smaller[0]);
      expect(ffmpeg.keyFrameDecoders.started).toBe(2);
      expect(ffmpeg.keyFrameDecoders.running).toBe(2);
      // camera a now sends another size (its recorder restarted the stream)
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, smaller[1], 'a:recording'), smaller[1]);
      expect(ffmpeg.keyFrameDecoders.started).toBe(3);
      expect(ffmpeg.keyFrameDecoders.running).toBe(2);
    } finally {
      ffmpeg.close();
    }
  });

  it('clips with B-frames and plain MP4s are read by an ffmpeg of their own', async () => {
    const ffmpeg = new FfmpegDriver();
    try {
      const reordered = await recording(dir, 'bframes', { seconds: 6, perClip: 3, bframes: 2 });
      expect(splitFragmentedClip(await readFile(reordered[0]))).toBeNull();
      for (const clip of reordered) await expectSameAsPerClip(await keyFramesOf(ffmpeg, clip, 'bf:recording'), clip);
      expect(ffmpeg.keyFrameDecoders.started).toBe(0);
      // what is not a recorder's fragmented MP4 is not taken apart either
      const plain = join(dir, 'plain.mp4');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', vtest, '-t', '2', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-movflags', '+faststart', plain]);
      expect(splitFragmentedClip(await readFile(plain))).toBeNull();
      expect(splitFragmentedClip(Buffer.alloc(50_000, 7))).toBeNull();
    } finally {
      ffmpeg.close();
    }
  });

  it('a decoder killed while it reads: the clip\'s other key frames still come (read the per-clip way), and the next clips too', async () => {
    const failures: string[] = [];
    const ffmpeg = new FfmpegDriver({ keyFrameDecoders: { failureBackoffMs: 60_000, onFailure: (stream, error) => failures.push(`${stream}: ${error.message}`) } });
    try {
      await keyFramesOf(ffmpeg, clips[0], 'cam:recording');
      const info = await probeFragmentedMp4(clips[1]);
      const keyFrames = info?.keyFrameSecs ?? [];
      const frames: VideoFrame[] = [];
      for await (const frame of ffmpeg.readFrames(clips[1], { fps: 5, ...size, keyFrames, continuing: 'cam:recording' })) {
        frames.push(frame);
        const pid = ffmpeg.keyFrameDecoders.pidOf('cam:recording');
        if (frames.length === 1 && pid) process.kill(pid, 'SIGKILL');
      }
      await expectSameAsPerClip(frames, clips[1]);
      expect(failures).toEqual([expect.stringMatching(/^cam:recording: the key-frame decoder stopped/)]);
      // the stream is read the per-clip way for a while
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, clips[2], 'cam:recording'), clips[2]);
      expect(ffmpeg.keyFrameDecoders.started).toBe(1);
      expect(ffmpeg.keyFrameDecoders.running).toBe(0);
    } finally {
      ffmpeg.close();
    }
  });

  it('a decoder that outlived its process (killed between clips) is started again', async () => {
    const ffmpeg = new FfmpegDriver();
    try {
      await keyFramesOf(ffmpeg, clips[0], 'cam:recording');
      const pid = ffmpeg.keyFrameDecoders.pidOf('cam:recording');
      expect(pid).toBeGreaterThan(0);
      process.kill(pid as number, 'SIGKILL');
      await new Promise((done) => setTimeout(done, 200));
      await expectSameAsPerClip(await keyFramesOf(ffmpeg, clips[1], 'cam:recording'), clips[1]);
      expect(ffmpeg.keyFrameDecoders.started).toBe(2);
    } finally {
      ffmpeg.close();
    }
  });
});
