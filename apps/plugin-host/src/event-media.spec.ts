import { describe, expect, it } from 'vitest';
import { normalisedBox } from './event-media.js';

describe('normalisedBox', () => {
  it('gives the box in fractions of the analysis frame', () => {
    expect(normalisedBox({ sec: 1, box: { x: 320, y: 120, width: 64, height: 96 }, frameWidth: 640, frameHeight: 480 })).toEqual({ x: 0.5, y: 0.25, width: 0.1, height: 0.2 });
  });

  it('keeps a box that reaches past the frame inside it', () => {
    const box = normalisedBox({ sec: 1, box: { x: 300, y: 200, width: 40, height: 60 }, frameWidth: 320, frameHeight: 240 });
    expect(box.x).toBe(0.9375);
    expect(box.width).toBeCloseTo(0.0625, 9);
    expect(box.y).toBeCloseTo(200 / 240, 9);
    expect(box.height).toBeCloseTo(40 / 240, 9);
  });
});
