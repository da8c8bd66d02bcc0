import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver } from './ffmpeg.driver.js';
import { probeFragmentedMp4 } from './fmp4.probe.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');

/** `seconds` of vtest.avi as the recorder writes clips: fragmented MP4, a fragment per key frame. */
function recorded(file: string, seconds: number, codec: 'libx264' | 'libx265', extra: string[] = []): string {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-ss', '3', '-i', vtest, '-t', String(seconds), '-an', '-vf', 'scale=640:-2', '-c:v', codec, '-preset', 'veryfast',
    ...(codec === 'libx265' ? ['-x265-params', 'keyint=10:bframes=0:log-level=error', '-tag:v', 'hvc1'] : ['-g', '10', '-bf', '0']),
    '-pix_fmt', 'yuv420p', ...extra, '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file,
  ]);
  return file;
}

describe('probeFragmentedMp4: a recorded clip described from its boxes, without ffprobe', () => {
  let dir: string;
  const ffmpeg = new FfmpegDriver();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-fmp4-probe-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it.each([
    ['H.264', 'libx264' as const],
    ['H.265', 'libx265' as const],
  ])('says what ffprobe says of a %s clip (size, codec, duration, frame rate)', async (_name, codec) => {
    const file = recorded(join(dir, `${codec}.mp4`), 5, codec);
    const fast = await probeFragmentedMp4(file);
    const slow = await ffmpeg.probe(file, { decodeCheck: false });
    expect(fast).not.toBeNull();
    expect(fast).toMatchObject({ width: slow.width, height: slow.height, codec: slow.codec, sizeBytes: slow.sizeBytes, hasVideoStream: true, hasAudioStream: false });
    expect(fast?.durationSec).toBeCloseTo(slow.durationSec, 1);
    expect(fast?.fps).toBeCloseTo(slow.fps, 0);
    // the driver takes this way for recorded clips
    expect(await ffmpeg.probe(file, { decodeCheck: false, recorded: true })).toEqual(fast);
    // the key frames, where ffprobe finds them (one every 10 frames)
    const ffprobeKeyFrames = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => /,K/.test(line))
      .map((line) => Number(line.split(',')[0]));
    expect(ffprobeKeyFrames.length).toBeGreaterThanOrEqual(4);
    expect(fast?.keyFrameSecs).toHaveLength(ffprobeKeyFrames.length);
    fast?.keyFrameSecs?.forEach((sec, i) => expect(sec).toBeCloseTo(ffprobeKeyFrames[i] - ffprobeKeyFrames[0], 2));
  });

  it('reads only the key frames of a recorded clip, at their times, and refuses a list that misses some', async () => {
    const file = recorded(join(dir, 'keyframes.mp4'), 4, 'libx264');
    const info = await probeFragmentedMp4(file);
    const keyFrames = info?.keyFrameSecs ?? [];
    expect(keyFrames.length).toBeGreaterThanOrEqual(3);
    const frames = [];
    for await (const frame of ffmpeg.readFrames(file, { fps: 5, width: 320, height: 180, keyFrames, decodeThreads: 1 })) frames.push(frame);
    expect(frames.map((frame) => frame.sec)).toEqual(keyFrames);
    expect(frames.every((frame) => frame.rgb.length === 320 * 180 * 3)).toBe(true);
    // each is the picture at its time: the key frame matches the frame at that time read the usual way
    const at1 = frames.find((frame) => Math.abs(frame.sec - 1) < 0.01);
    const usual = [];
    for await (const frame of ffmpeg.readFrames(file, { fps: 10, width: 320, height: 180, startSec: 1, durationSec: 0.1 })) usual.push(frame);
    expect(at1).toBeDefined();
    let difference = 0;
    for (let i = 0; i < usual[0].rgb.length; i++) difference += Math.abs(usual[0].rgb[i] - (at1?.rgb[i] ?? 0));
    expect(difference / usual[0].rgb.length).toBeLessThan(3);
    await expect(async () => {
      for await (const frame of ffmpeg.readFrames(file, { fps: 5, width: 320, height: 180, keyFrames: keyFrames.slice(0, 1) })) void frame;
    }).rejects.toMatchObject({ code: 'CORRUPT_VIDEO', message: expect.stringMatching(/more key frames than the 1 its index lists/) });
  });

  it('leaves to ffprobe what the recorder does not write: a plain MP4, garbage, a clip without a whole fragment', async () => {
    const plain = join(dir, 'plain.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', vtest, '-t', '2', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-movflags', '+faststart', plain]);
    expect(await probeFragmentedMp4(plain)).toBeNull();
    const garbage = join(dir, 'garbage.mp4');
    await writeFile(garbage, Buffer.alloc(100_000, 7));
    expect(await probeFragmentedMp4(garbage)).toBeNull();
    await expect(ffmpeg.probe(garbage, { decodeCheck: false, recorded: true })).rejects.toMatchObject({ code: 'NOT_VIDEO' });
    // only the init segment and the start of a fragment left: no whole fragment
    const cut = recorded(join(dir, 'cut.mp4'), 2, 'libx264');
    const bytes = await readFile(cut);
    const firstMoof = bytes.indexOf(Buffer.from('moof'));
    await truncate(cut, firstMoof + 200);
    expect(await probeFragmentedMp4(cut)).toBeNull();
  });
});
