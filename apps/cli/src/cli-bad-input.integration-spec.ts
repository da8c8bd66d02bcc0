import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FfmpegDriver } from '@cameramonit/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

let workDir = '';
const ffmpegPath = new FfmpegDriver().binaries.ffmpegPath;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } } };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cameramonit-cli-bad-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('cameramonit analyse on bad input', () => {
  it('audio only: exit code 1 and a message that says there is no picture', async () => {
    const audio = join(workDir, 'voice-memo.m4a');
    spawnSync(ffmpegPath, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=1', '-y', audio]);
    const { io, err } = capture();
    expect(await runCli(['analyse', audio], io)).toBe(1);
    expect(err.join('')).toMatch(/no picture.*\[NO_VIDEO_STREAM\]/);
  });

  it('a 16x16 video: exit code 1 and the minimum size', async () => {
    const tiny = join(workDir, 'tiny.mp4');
    spawnSync(ffmpegPath, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=16x16:r=10:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', tiny]);
    const { io, err } = capture();
    expect(await runCli(['analyse', tiny], io)).toBe(1);
    expect(err.join('')).toMatch(/at least 32x32.*\[VIDEO_TOO_SMALL\]/);
  });
});

describe('cameramonit eval', () => {
  it('a missing clips folder: exit code 1 with what to run', async () => {
    const { io, err } = capture();
    expect(await runCli(['eval', '--clips', join(workDir, 'nowhere')], io)).toBe(1);
    expect(err.join('')).toMatch(/make-eval-clips\.mjs.*\[EVAL_CLIPS_NOT_FOUND\]/);
  });

  it('wrong usage: exit code 2', async () => {
    const { io, err } = capture();
    expect(await runCli(['eval', '--group', 'cats'], io)).toBe(2);
    expect(err.join('')).toMatch(/cats is not a group/);
  });
});
