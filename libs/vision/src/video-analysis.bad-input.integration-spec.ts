/**
 * Unusual and broken videos through the whole engine (real ffmpeg, the real detector): a correct
 * result or a clear CameramonitError, never a crash.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver } from '@cameramonit/media';
import { HumanObjectDetector } from './human-object-detector.driver.js';
import { analyseVideo } from './video-analysis.service.js';

const personClip = resolve(import.meta.dirname, '../../../fixtures/eval/person-left-to-right.mp4');
const ffmpegPath = new FfmpegDriver().binaries.ffmpegPath;
const detector = new HumanObjectDetector();
let workDir = '';

function make(name: string, args: string[]): string {
  const file = join(workDir, name);
  const run = spawnSync(ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', ...args, '-y', file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`making ${name} failed: ${run.stderr}`);
  return file;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  return { code: 'NO_ERROR', message: '' };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cameramonit-analysis-bad-input-'));
  await detector.load();
});
afterAll(async () => {
  await detector.dispose();
  await rm(workDir, { recursive: true, force: true });
});

describe('analyseVideo on unusual input', () => {
  it('a phone video stored sideways with a rotation flag: analysed upright, the walking person found', async () => {
    // a portrait view of the person clip, stored turned 90 degrees clockwise, with the rotate flag that turns it back upright for display
    const sideways = make('sideways.mp4', ['-ss', '2', '-t', '5', '-i', personClip, '-vf', 'crop=432:576:168:0,transpose=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-an']);
    const phone = make('phone.mp4', ['-i', sideways, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    const result = await analyseVideo(phone, { width: 320, detector });
    expect(result.frameWidth).toBeLessThan(result.frameHeight);
    expect(result).toMatchObject({ frameWidth: 320, frameHeight: 426 });
    const people = result.events.filter((event) => event.label === 'person');
    expect(people.length, JSON.stringify(result.events.map((e) => e.summary.en))).toBeGreaterThanOrEqual(1);
    const box = people[0].bestBox;
    expect(box).not.toBeNull();
    // upright: a person is taller than wide, and inside the portrait frame
    expect(box!.height).toBeGreaterThan(box!.width);
    expect(box!.y + box!.height).toBeLessThanOrEqual(result.frameHeight + 1);
  });

  it('an MKV cut in half: the readable part is analysed and its real length reported (not the header)', async () => {
    const whole = make('whole.mkv', ['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=10:d=6', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const bytes = await readFile(whole);
    const half = join(workDir, 'half.mkv');
    await writeFile(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const result = await analyseVideo(half, { detector });
    expect(result.durationSec).toBeGreaterThan(1);
    expect(result.durationSec).toBeLessThan(5);
    expect(result.analysedFrames).toBe(Math.round(result.durationSec * 5));
  });

  it('raw H.264 without a duration: the length comes from the frames', async () => {
    const raw = make('raw.h264', ['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=10:d=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'h264']);
    const result = await analyseVideo(raw, { detector });
    expect(result.durationSec).toBeCloseTo(3, 1);
    expect(result.analysedFrames).toBe(15);
  });

  it('odd size, 1 fps and 60 fps sources are analysed at the analysis size and rate', async () => {
    const odd = make('odd.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=321x241:r=10:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv444p']);
    expect(await analyseVideo(odd, { detector })).toMatchObject({ frameWidth: 320, frameHeight: 240, analysedFrames: 10 });
    const slow = make('fps1.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=1:d=4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    expect(await analyseVideo(slow, { detector })).toMatchObject({ durationSec: 4, analysedFrames: 20 });
    const fast = make('fps60.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=60:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    expect(await analyseVideo(fast, { detector })).toMatchObject({ durationSec: 2, analysedFrames: 10 });
  });

  it('refuses what cannot be analysed with the reason: audio only, a tiny picture, an MP4 cut before its index', async () => {
    const audio = make('tone.m4a', ['-f', 'lavfi', '-i', 'sine=d=1']);
    expect(await errorOf(analyseVideo(audio, { detector }))).toMatchObject({ code: 'NO_VIDEO_STREAM', message: expect.stringMatching(/no picture/) });
    const tiny = make('tiny.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=16x16:r=10:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    expect((await errorOf(analyseVideo(tiny, { detector }))).code).toBe('VIDEO_TOO_SMALL');
    const mp4 = make('clip.mp4', ['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=10:d=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const cut = join(workDir, 'cut.mp4');
    await writeFile(cut, (await readFile(mp4)).subarray(0, 4000));
    expect((await errorOf(analyseVideo(cut, { detector }))).code).toBe('CORRUPT_VIDEO');
  });
});
