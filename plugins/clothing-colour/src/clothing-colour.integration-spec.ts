import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropFractions, FfmpegDriver, readImageFacts } from '@cameramonit/media';
import type { PluginRequest } from '@cameramonit/plugin-sdk';
import { clothingColour } from './clothing-colour.handler.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');

/**
 * Real people from fixtures/vtest.avi, 20 s in, boxes in the 640x480 analysis frame, colours
 * checked by looking at the crops: the man on the right wears a black jacket (and blue jeans),
 * the woman on the far left a light blue jacket.
 */
const people = [
  { who: 'the man in the black jacket', box: { x: 513, y: 221, width: 30, height: 86 }, colour: 'black' },
  { who: 'the woman in the light blue jacket', box: { x: 68, y: 126, width: 24, height: 52 }, colour: 'blue' },
] as const;

describe('clothing colour of real people in vtest.avi', () => {
  const ffmpeg = new FfmpegDriver();
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cm-clothing-'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.each(people)('$who: $colour', async ({ box, colour }) => {
    // the crop as the plugin host cuts it: from the clip at the best moment, around the box, as PNG
    const crop = { box, frameWidth: 640, frameHeight: 480 };
    const margin = 0.1;
    const file = join(work, `crop-${box.x}.png`);
    await ffmpeg.writeFrameImage(vtest, file, { atSec: 20, crop, margin, maxSide: 256, format: 'png' });
    const bytes = await readFile(file);
    const facts = readImageFacts(bytes);
    expect(facts?.contentType).toBe('image/png');
    const norm = (r: { x: number; y: number; width: number; height: number }) => ({ x: r.x / 640, y: r.y / 480, width: r.width / 640, height: r.height / 480 });
    const request = {
      requestId: 'r',
      plugin: 'clothing-colour',
      deadline: new Date(Date.now() + 10_000).toISOString(),
      event: { box: norm(box) },
      crop: { contentType: 'image/png', width: facts?.width ?? 0, height: facts?.height ?? 0, data: bytes.toString('base64'), box: cropFractions(crop, margin) },
    } as unknown as PluginRequest;
    const answer = clothingColour(request);
    expect(answer.features?.clothingColour).toBe(colour);
  });
});
