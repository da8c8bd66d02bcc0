import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFrameAtOrBefore } from './concat-args.builder.js';
import { FfmpegDriver } from './ffmpeg.driver.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');
const driver = new FfmpegDriver();
let workDir = '';

/** 5 s of vtest.avi from `startSec` as the recorder stores clips: H.264 fragmented MP4, a key frame every 2 s (10 fps). */
function recordedClip(file: string, startSec: number, extra: string[] = []): string {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-ss', String(startSec), '-i', vtest, '-t', '5', '-an', ...extra,
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '20',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file,
  ]);
  return file;
}

function ffprobe(file: string, entries: string): Record<string, string> {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', entries, '-of', 'default=noprint_wrappers=1', file], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((line) => line.split('=') as [string, string]));
}

/** Decodes every frame; ffmpeg prints nothing at -v error when the stream is clean. */
function decodeErrors(file: string): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "cameramonit concat O'Brien-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('FfmpegDriver: joining recorded clips', () => {
  it('reads codec and size from the MP4 header, and from ffprobe for other containers', async () => {
    const clip = recordedClip(join(workDir, 'header.mp4'), 0);
    const track = await driver.videoTrack(clip);
    expect(track).toMatchObject({ width: 768, height: 576 });
    expect(track.codec).toMatch(/^avc1\.64/);
    const ts = join(workDir, 'header.ts');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c', 'copy', '-f', 'mpegts', ts]);
    expect(await driver.videoTrack(ts)).toEqual({ codec: 'h264', width: 768, height: 576 });
  });

  it('finds the key frames of a clip on its own timeline', async () => {
    const clip = recordedClip(join(workDir, 'keys.mp4'), 0);
    const times = await driver.keyFrameTimes(clip);
    expect(times.keyFrameSecs).toHaveLength(3);
    expect(times.keyFrameSecs[1]! - times.keyFrameSecs[0]!).toBeCloseTo(2, 3);
    expect(times.keyFrameSecs[0]).toBeCloseTo(times.startSec, 3);
  });

  it("copies three clips into one MP4 trimmed at key frames, through paths with spaces and quotes, and leaves no list files", async () => {
    const clips = [0, 5, 10].map((start, index) => recordedClip(join(workDir, `it's clip ${index}.mp4`), start));
    const first = await driver.keyFrameTimes(clips[0]!);
    const last = await driver.keyFrameTimes(clips[2]!);
    // from 3.5 s into the first clip to 1.5 s into the third: the copy starts at the key frame at 2 s
    const inpointSec = keyFrameAtOrBefore(first, 3.5);
    expect(inpointSec - first.startSec).toBeCloseTo(2, 3);
    const out = join(workDir, 'out', 'copied.mp4');
    const written = await driver.concatToMp4([[{ file: clips[0]!, inpointSec }, { file: clips[1]! }, { file: clips[2]!, outpointSec: last.startSec + 1.5 }]], out, { mode: 'copy' });
    expect(written.sizeBytes).toBeGreaterThan(100_000);
    const info = await driver.probe(out);
    expect(info).toMatchObject({ codec: 'h264', width: 768, height: 576 });
    expect(info.durationSec).toBeGreaterThan(9.3);
    expect(info.durationSec).toBeLessThan(9.8);
    expect(decodeErrors(out)).toBe('');
    // +faststart: the index is in front of the media data
    const head = execFileSync('head', ['-c', '4096', out]).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(-1);
    expect(head.indexOf('mdat') === -1 || head.indexOf('moov') < head.indexOf('mdat')).toBe(true);
    expect((await readdir(join(workDir, 'out'))).sort()).toEqual(['copied.mp4']);
  });

  it('re-encodes runs of another size and codec into one H.264 stream of the largest size', async () => {
    const big = recordedClip(join(workDir, 'big.mp4'), 20);
    const small = recordedClip(join(workDir, 'small.mp4'), 25, ['-vf', 'scale=384:288']);
    const other = join(workDir, 'other-codec.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '30', '-i', vtest, '-t', '3', '-an', '-c:v', 'mpeg4', '-q:v', '5', '-f', 'mp4', other]);
    // an MP4 written without +faststart: its header is after the media data, and still read without ffprobe
    expect(await driver.videoTrack(other)).toEqual({ codec: 'mp4v', width: 768, height: 576 });
    expect(await driver.videoTrack(small)).toMatchObject({ width: 384, height: 288 });
    const out = join(workDir, 'encoded.mp4');
    await driver.concatToMp4([[{ file: big }], [{ file: small }], [{ file: other }]], out, { mode: 'encode', width: 768, height: 576 });
    const info = await driver.probe(out);
    expect(info).toMatchObject({ codec: 'h264', width: 768, height: 576 });
    expect(info.durationSec).toBeGreaterThan(12.5);
    expect(info.durationSec).toBeLessThan(13.5);
    expect(ffprobe(out, 'stream=pix_fmt').pix_fmt).toBe('yuv420p');
    expect(decodeErrors(out)).toBe('');
  });

  it('fails with ffmpeg\'s reason when a clip is missing, and keeps no half-written output', async () => {
    const clip = recordedClip(join(workDir, 'present.mp4'), 40);
    const out = join(workDir, 'failed', 'export.mp4');
    await expect(driver.concatToMp4([[{ file: clip }, { file: join(workDir, 'gone.mp4') }]], out, { mode: 'copy' })).rejects.toMatchObject({
      code: 'FFMPEG_FAILED',
      message: expect.stringMatching(/gone\.mp4/),
    });
    expect(await readdir(join(workDir, 'failed'))).toEqual([]);
  });
});
