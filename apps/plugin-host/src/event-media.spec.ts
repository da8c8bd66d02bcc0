import { describe, expect, it } from 'vitest';
import { cropRectangle, normaliseAnalysisBox } from './event-media.js';

describe('normaliseAnalysisBox', () => {
  it('uses the analysis frame the worker used (768x576 at 640 wide is 640x480)', () => {
    expect(normaliseAnalysisBox({ x: 320, y: 120, width: 64, height: 96 }, { width: 768, height: 576 }, 640)).toEqual({ x: 0.5, y: 0.25, width: 0.1, height: 0.2 });
  });

  it('never upscales small videos and keeps boxes inside the frame', () => {
    const box = normaliseAnalysisBox({ x: 300, y: 200, width: 40, height: 60 }, { width: 320, height: 240 }, 640);
    expect(box.x).toBe(0.9375);
    expect(box.width).toBeCloseTo(0.0625, 9);
    expect(box.y).toBeCloseTo(200 / 240, 9);
    expect(box.height).toBeCloseTo(40 / 240, 9);
  });
});

describe('cropRectangle', () => {
  it('adds the margin on every side', () => {
    expect(cropRectangle({ x: 0.5, y: 0.25, width: 0.1, height: 0.2 }, 640, 480, 0.1)).toEqual({ x: 313, y: 110, width: 77, height: 116 });
  });

  it('stays inside the picture at its edges', () => {
    const rect = cropRectangle({ x: 0, y: 0.9, width: 0.2, height: 0.1 }, 640, 480, 0.5);
    expect(rect.x).toBe(0);
    expect(rect.y + rect.height).toBeLessThanOrEqual(480);
    expect(rect.x + rect.width).toBeLessThanOrEqual(640);
  });
});
