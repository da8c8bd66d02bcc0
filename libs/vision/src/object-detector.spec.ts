import { describe, expect, it } from 'vitest';
import { centernetShapeConstants, centernetSizeConstants, frameInputShape } from './human-object-detector.driver.js';
import { filterDetections, toCocoLabel } from './object-detector.js';

describe('COCO labels and filtering', () => {
  it('maps other datasets\' names to COCO', () => {
    expect(toCocoLabel('Motorbike')).toBe('motorcycle');
    expect(toCocoLabel('traffic_light')).toBe('traffic light');
    expect(toCocoLabel('person')).toBe('person');
  });

  it('keeps wanted classes above the confidence, clipped to the frame, best first', () => {
    const kept = filterDetections(
      [
        { label: 'person', confidence: 0.5, box: { x: -5, y: 10, width: 30, height: 50 } },
        { label: 'skis', confidence: 0.9, box: { x: 0, y: 0, width: 10, height: 10 } },
        { label: 'car', confidence: 0.2, box: { x: 0, y: 0, width: 10, height: 10 } },
        { label: 'Motorbike', confidence: 0.8, box: { x: 90, y: 90, width: 30, height: 30 } },
      ],
      { minConfidence: 0.3, classes: ['person', 'car', 'motorcycle'], frameWidth: 100, frameHeight: 100 },
    );
    expect(kept).toEqual([
      { label: 'motorcycle', confidence: 0.8, box: { x: 90, y: 90, width: 10, height: 10 } },
      { label: 'person', confidence: 0.5, box: { x: 0, y: 10, width: 25, height: 50 } },
    ]);
  });

  it('keeps every class when classes is null', () => {
    const kept = filterDetections([{ label: 'skis', confidence: 0.9, box: { x: 0, y: 0, width: 10, height: 10 } }], {
      minConfidence: 0.3, classes: null, frameWidth: 100, frameHeight: 100,
    });
    expect(kept).toHaveLength(1);
  });
});

describe('CenterNet input size', () => {
  it('computes the constants for a smaller input', () => {
    expect(centernetSizeConstants(384)).toEqual({
      'tower_0/BatchGather/concat': [96 * 96, 4],
      'tower_0/strided_slice_6': [96],
      'tower_0/CenternetHead/c5_upsample/up_sampling2d/mul': [24, 24],
      'tower_0/CenternetHead/c4_upsample/up_sampling2d_1/mul': [48, 48],
      'tower_0/CenternetHead/c3_upsample/up_sampling2d_2/mul': [96, 96],
    });
  });

  it('refuses sizes the graph cannot take', () => {
    expect(() => centernetSizeConstants(400)).toThrow(/multiple of 32/);
    expect(() => centernetSizeConstants(1024)).toThrow(/between 128 and 512/);
  });

  it('computes the constants for a non-square input (a 4:3 frame)', () => {
    expect(centernetShapeConstants(288, 384)).toMatchObject({
      'tower_0/CenternetHead/c5_upsample/up_sampling2d/mul': [18, 24],
      'tower_0/CenternetHead/c3_upsample/up_sampling2d_2/mul': [72, 96],
    });
    expect(() => centernetShapeConstants(300, 384)).toThrow(/height must be a multiple of 32/);
  });

  it('keeps a whole frame\'s aspect ratio: the longer side is the input size', () => {
    expect(frameInputShape(512, 384, 384)).toEqual({ width: 384, height: 288 });
    expect(frameInputShape(1280, 720, 384)).toEqual({ width: 384, height: 224 });
    expect(frameInputShape(720, 1280, 384)).toEqual({ width: 224, height: 384 }); // a phone held upright
    expect(frameInputShape(320, 320, 256)).toEqual({ width: 256, height: 256 });
    expect(frameInputShape(4000, 100, 384)).toEqual({ width: 384, height: 64 });
  });
});
