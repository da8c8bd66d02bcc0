import { resolve } from 'node:path';
import { FfmpegDriver, type VideoFrame } from '@cameramonit/media';
import { afterAll, describe, expect, it } from 'vitest';
import { intersectionOverUnion } from './box-geometry.js';
import { cutCrop, mergeCropDetections, planDetectionCrops } from './detection-crop.planner.js';
import { HumanObjectDetector } from './human-object-detector.driver.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');
const detector = new HumanObjectDetector({ minConfidence: 0.3 });
afterAll(() => detector.dispose());

async function frameAt(sec: number): Promise<VideoFrame> {
  for await (const frame of new FfmpegDriver().readFrames(vtest, { fps: 1, width: 512, height: 384, startSec: sec, durationSec: 1 })) return frame;
  throw new Error('no frame');
}

describe('HumanObjectDetector (real CenterNet on tfjs WASM)', () => {
  it('finds the people of a vtest.avi frame, and finds them again in batched crops around them', async () => {
    const frame = await frameAt(20);
    const people = (await detector.detect(frame.rgb, frame.width, frame.height, { classes: ['person'] })).filter((d) => d.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(3);

    // one crop per person, all in one batch call
    const crops = people.map((person) => planDetectionCrops([person.box], { frameWidth: 512, frameHeight: 384, cropSizes: detector.cropSizes, wholeFrameInput: { width: 384, height: 288 } }).crops[0]);
    expect(crops.every((crop) => crop !== undefined)).toBe(true);
    const images = crops.map((crop) => cutCrop(frame, crop, crop.inputSize));
    const batched = await detector.detectBatch(images, { classes: ['person'] });
    expect(batched).toHaveLength(images.length);
    // the same as one crop at a time: the batch dimension changes nothing
    const single = await Promise.all(images.map((image) => detector.detectBatch([image], { classes: ['person'] })));
    batched.forEach((found, i) => {
      expect(found.length).toBe(single[i][0].length);
      found.forEach((detection, k) => expect(detection.confidence).toBeCloseTo(single[i][0][k].confidence, 3));
    });
    const refound = mergeCropDetections(crops, batched);
    for (const person of people) expect(Math.max(...refound.map((d) => intersectionOverUnion(d.box, person.box)))).toBeGreaterThan(0.5);
  });

  it('reports only the classes and confidence asked for in the call', async () => {
    const frame = await frameAt(20);
    const all = await detector.detect(frame.rgb, frame.width, frame.height, { classes: null, minConfidence: 0.2 });
    const cars = await detector.detect(frame.rgb, frame.width, frame.height, { classes: ['car', 'truck'], minConfidence: 0.2 });
    expect(all.some((d) => d.label === 'person')).toBe(true);
    expect(cars.every((d) => d.label === 'car' || d.label === 'truck')).toBe(true);
    const confident = await detector.detect(frame.rgb, frame.width, frame.height, { classes: ['person'], minConfidence: 0.6 });
    expect(confident.every((d) => d.confidence >= 0.6)).toBe(true);
    await expect(detector.detect(frame.rgb, 100, 100)).rejects.toMatchObject({ code: 'INVALID_FRAME' });
  });
});
