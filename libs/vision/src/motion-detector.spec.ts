import { describe, expect, it } from 'vitest';
import { MotionDetector } from './motion-detector.js';
import { renderFrame, sceneGray } from './synthetic-frames.testing.js';

const width = 320;
const height = 240;
const base = sceneGray(width, height);

function warmUp(detector: MotionDetector, frames = 5): void {
  for (let i = 0; i < frames; i++) detector.detect(renderFrame(base, width, height, { noise: 3, noiseSeed: 100 + i }), width, height);
}

describe('MotionDetector', () => {
  it('the first frame only initialises the background', () => {
    const result = new MotionDetector().detect(renderFrame(base, width, height), width, height);
    expect(result).toMatchObject({ warmingUp: true, regions: [], score: 0 });
  });

  it('finds a moving square where it is', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    let last = detector.detect(renderFrame(base, width, height), width, height);
    for (let step = 0; step < 6; step++) {
      const square = { x: 40 + step * 20, y: 100, size: 30, value: 250 };
      last = detector.detect(renderFrame(base, width, height, { square, noise: 3, noiseSeed: step }), width, height);
    }
    // the square is at x 140..170, y 100..130 now
    expect(last.regions.length).toBeGreaterThanOrEqual(1);
    const box = last.regions[0].box;
    expect(box.x).toBeGreaterThanOrEqual(130);
    expect(box.x).toBeLessThanOrEqual(145);
    expect(box.y).toBeGreaterThanOrEqual(95);
    expect(box.y).toBeLessThanOrEqual(105);
    expect(box.x + box.width).toBeGreaterThanOrEqual(165);
    expect(box.y + box.height).toBeGreaterThanOrEqual(125);
    expect(last.score).toBeGreaterThan(0.3);
    expect(last.globalChange).toBe(false);
  });

  it('does not call sensor noise motion', () => {
    const detector = new MotionDetector();
    for (let i = 0; i < 30; i++) {
      const result = detector.detect(renderFrame(base, width, height, { noise: 12, noiseSeed: i }), width, height);
      expect(result.regions).toEqual([]);
    }
  });

  it('does not call a global brightness step motion', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    const brighter = detector.detect(renderFrame(base, width, height, { offset: 40, noise: 3 }), width, height);
    expect(brighter.regions).toEqual([]);
    expect(brighter.score).toBe(0);
  });

  it('does not call an exposure (gain) change motion', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    const darker = detector.detect(renderFrame(base, width, height, { gain: 0.7, offset: 5, noise: 3 }), width, height);
    expect(darker.regions).toEqual([]);
  });

  it('still sees a moving object while the brightness changes', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    const result = detector.detect(
      renderFrame(base, width, height, { offset: 30, square: { x: 200, y: 50, size: 40, value: 10 } }),
      width,
      height,
    );
    expect(result.regions).toHaveLength(1);
    expect(result.regions[0].box.x).toBeGreaterThanOrEqual(195);
  });

  it('resets on a scene change instead of reporting the whole frame', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    const other = sceneGray(width, height).reverse();
    const result = detector.detect(renderFrame(other, width, height), width, height);
    expect(result.globalChange).toBe(true);
    expect(result.regions).toEqual([]);
    expect(detector.detect(renderFrame(other, width, height), width, height).regions).toEqual([]);
  });

  it('ignores regions smaller than the minimum area', () => {
    const detector = new MotionDetector({ minRegionArea: 0.05 });
    warmUp(detector);
    const result = detector.detect(renderFrame(base, width, height, { square: { x: 10, y: 10, size: 20, value: 255 } }), width, height);
    expect(result.regions).toEqual([]);
  });
});
