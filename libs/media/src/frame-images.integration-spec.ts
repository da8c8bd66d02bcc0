import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver } from './ffmpeg.driver.js';
import { encodeGif, type RgbImage } from './frame-images.js';

/**
 * A still background (grey on the right, a coloured texture on the left) with a camera's sensor
 * noise, and a white 16 px square moving 10 px right each frame.
 */
function scene(frames: number, width = 160, height = 90): RgbImage[] {
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 7) - 3;
  return Array.from({ length: frames }, (_, n) => {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const k = (y * width + x) * 3;
        const texture = x < 100 ? [(x * 37 + y * 11) % 200, (x * 13 + y * 29) % 200, (x * 7 + y * 17) % 200] : [100, 100, 100];
        for (let c = 0; c < 3; c++) rgb[k + c] = (texture[c] as number) + noise() + 20;
      }
    }
    for (let y = 30; y < 46; y++) for (let x = 10 + n * 10; x < 26 + n * 10; x++) rgb.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    return { width, height, rgb };
  });
}

const driver = new FfmpegDriver();
let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cameramonit-gif-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('encodeGif, read back by ffmpeg', () => {
  it('shows every frame as drawn: the square where it was in each frame, the background kept from before', async () => {
    const frames = scene(8);
    const file = join(workDir, 'moving.gif');
    await writeFile(file, encodeGif(frames, { delayMs: 200 }));
    const info = await driver.probe(file);
    expect(info).toMatchObject({ codec: 'gif', width: 160, height: 90 });
    expect(info.durationSec).toBeCloseTo(1.6, 1);
    const decoded: RgbImage[] = [];
    for await (const frame of driver.readFrames(file, { fps: 5, width: 160, height: 90 })) decoded.push(frame);
    expect(decoded).toHaveLength(8);
    decoded.forEach((frame, n) => {
      const at = (x: number, y: number) => frame.rgb[(y * 160 + x) * 3] as number;
      // inside the square now: white; where it was a frame ago (left of it): background again
      expect(at(18 + n * 10, 38), `frame ${n}: the square`).toBeGreaterThan(230);
      if (n > 0) expect(at(10 + (n - 1) * 10, 38), `frame ${n}: where the square was`).toBeLessThan(230);
      expect(Math.abs(at(150, 80) - 120), `frame ${n}: background`).toBeLessThan(12);
    });
  });

  it('stores a still background once: far smaller than redrawing each frame', async () => {
    const frames = scene(12);
    const diffed = encodeGif(frames, { delayMs: 200 });
    const full = encodeGif(frames, { delayMs: 200, sameWithin: 0 });
    expect(diffed.length).toBeLessThan(full.length / 3);
  });
});
