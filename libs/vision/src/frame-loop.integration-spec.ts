import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Detection } from '@cameramonit/contracts';
import { FfmpegDriver } from '@cameramonit/media';
import { afterAll, describe, expect, it } from 'vitest';
import type { DetectorImage, ObjectDetector } from './object-detector.js';
import { analyseVideoWithStats } from './video-analysis.service.js';

const ffmpeg = new FfmpegDriver();
const dir = mkdtempSync(join(tmpdir(), 'cameramonit-frame-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A short clip made by ffmpeg: a white 30 px square crossing a gray picture at `speed` px/s (default 60), at `rate`
 * frames per second, scaled to `size`, encoded with libx264 (yuv444p, so odd sizes are allowed).
 */
function clip(name: string, options: { rate: number; durationSec: number; size?: string; speed?: number }): string {
  const file = join(dir, name);
  const graph =
    `color=c=0x808080:s=320x240:r=${options.rate}:d=${options.durationSec}[bg];` +
    `color=c=white:s=30x30:r=${options.rate}:d=${options.durationSec}[fg];` +
    `[bg][fg]overlay=x='20+t*${options.speed ?? 60}':y=100${options.size ? `,scale=${options.size.replace('x', ':')}` : ''}`;
  const made = spawnSync(ffmpeg.binaries.ffmpegPath, ['-v', 'error', '-f', 'lavfi', '-i', graph, '-c:v', 'libx264', '-pix_fmt', 'yuv444p', '-r', String(options.rate), '-y', file]);
  if (made.status !== 0) throw new Error(`ffmpeg could not make ${name}: ${made.stderr.toString()}`);
  return file;
}

/** Finds the white square as a person, in the pixels it is given (whole frames or crops). */
class WhiteSquareDetector implements ObjectDetector {
  readonly cropSizes = [128, 192, 256];
  readonly imageSizes: string[] = [];

  async detect(rgb: Uint8Array, width: number, height: number): Promise<Detection[]> {
    this.imageSizes.push(`${width}x${height}`);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < rgb.length; i += 3) {
      if (rgb[i] < 220 || rgb[i + 1] < 220) continue;
      const pixel = i / 3;
      const x = pixel % width;
      const y = Math.floor(pixel / width);
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
    return maxX >= minX ? [{ label: 'person', confidence: 0.8, box: { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 } }] : [];
  }

  async detectBatch(images: readonly DetectorImage[]): Promise<Detection[][]> {
    return Promise.all(images.map((image) => this.detect(image.rgb, image.width, image.height)));
  }

  async dispose(): Promise<void> {}
}

describe('the frame loop on awkward real videos (ffmpeg, a scripted detector)', () => {
  it('analyses a 321x241 video at an even size and finds the object crossing it', async () => {
    const detector = new WhiteSquareDetector();
    const { result } = await analyseVideoWithStats(clip('odd.mp4', { rate: 25, durationSec: 3, size: '321x241' }), { detector, width: 512 });
    expect(result).toMatchObject({ frameWidth: 320, frameHeight: 240 });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ kind: 'object', label: 'person', direction: 'left-to-right' });
    expect(detector.imageSizes.some((size) => size !== '320x240')).toBe(true); // crops, not only whole frames
  });

  it('analyses a 1 fps source at 5 fps and a 60 fps source at 30 fps', async () => {
    // at 1 fps a person moves well under their size between frames (here 20 px/s, a 30 px square)
    const slow = await analyseVideoWithStats(clip('slow.mp4', { rate: 1, durationSec: 6, speed: 20 }), { detector: new WhiteSquareDetector() });
    expect(slow.result.analysedFrames).toBeGreaterThanOrEqual(25);
    expect(slow.result.events.map((event) => event.label)).toEqual(['person']);
    const fast = await analyseVideoWithStats(clip('fast.mp4', { rate: 60, durationSec: 2 }), { detector: new WhiteSquareDetector(), fps: 30 });
    expect(fast.result.analysedFrames).toBeGreaterThanOrEqual(55);
    expect(fast.result.events.map((event) => event.label)).toEqual(['person']);
    expect(fast.result.events[0].direction).toBe('left-to-right');
  });

  it('gives a correct, empty result for a clip shorter than one analysis frame', async () => {
    const { result } = await analyseVideoWithStats(clip('blink.mp4', { rate: 25, durationSec: 0.12 }), { detector: new WhiteSquareDetector(), fps: 2 });
    expect(result.durationSec).toBeLessThan(0.5);
    expect(result.analysedFrames).toBeLessThanOrEqual(1);
    expect(result.events).toEqual([]);
  });
});
