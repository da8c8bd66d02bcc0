import { describe, expect, it } from 'vitest';
import { MotionDetector, motionSensitivityThresholds, rasteriseMasks, type MotionResult } from './motion-detector.js';
import { edgesScene, renderFrame, sceneGray, seededRandom, type FrameEdit } from './synthetic-frames.testing.js';

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
    let result = detector.detect(renderFrame(base, width, height, { offset: 30, square: { x: 200, y: 50, size: 40, value: 10 } }), width, height);
    result = detector.detect(renderFrame(base, width, height, { offset: 30, square: { x: 206, y: 50, size: 40, value: 10 } }), width, height);
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

  // --- night, wind and rain ---------------------------------------------------------------------

  it('does not call grain and compression blocks motion (night, a busy encoder)', () => {
    const detector = new MotionDetector();
    const results = run(detector, 40, (i) => ({ noise: 8, noiseSeed: i, blocks: { fraction: 0.04, amplitude: 30, seed: 1000 + i } }));
    expect(results.flatMap((result) => result.regions)).toEqual([]);
  });

  it('sees a person-sized object walk through grain and compression blocks', () => {
    const detector = new MotionDetector();
    const results = run(detector, 12, (i) => ({ noise: 8, noiseSeed: i, blocks: { fraction: 0.04, amplitude: 30, seed: 1000 + i }, square: i >= 6 ? { x: 60 + i * 8, y: 90, size: 24, value: 20 } : undefined }));
    expect(results.at(-1)?.regions.length).toBeGreaterThanOrEqual(1);
  });

  it('does not call a lamp lighting one side of the picture motion, and adopts the new light at once', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    // the right half gets 70 % brighter, with a soft edge over a quarter of the picture
    const lamp = (x: number) => 1 + 0.7 * Math.min(1, Math.max(0, (x - width * 0.45) / (width * 0.25)));
    const lit = run(detector, 6, (i) => ({ light: lamp, noise: 3, noiseSeed: 50 + i }));
    expect(lit.flatMap((result) => [...result.regions, ...(result.globalChange ? ['global change'] : [])])).toEqual([]);
    // in the lit part, a moving object is seen right away
    const walking = run(detector, 3, (i) => ({ light: lamp, noise: 3, noiseSeed: 60 + i, square: { x: 220 + i * 6, y: 100, size: 30, value: 10 } }));
    expect(walking.at(-1)?.regions).toHaveLength(1);
    expect(walking.at(-1)?.regions[0].box.x).toBeGreaterThanOrEqual(215);
  });

  it('does not call a cloud shadow sweeping over the picture motion', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    // a soft shadow 160 px wide (35 % darker in its middle) crossing at 12 px per frame
    const shadowAt = (centre: number) => (x: number) => 1 - 0.35 * Math.max(0, 1 - Math.abs(x - centre) / 80);
    const results = run(detector, 30, (i) => ({ light: shadowAt(-80 + i * 12), noise: 3, noiseSeed: 200 + i }));
    expect(results.flatMap((result) => result.regions)).toEqual([]);
  });

  it('does not call 1-3 px camera shake motion, and still sees an object while the camera shakes', () => {
    const fence = edgesScene(width, height); // strong edges: where shake shows most
    const detector = new MotionDetector();
    run(detector, 5, (i) => ({ noise: 3, noiseSeed: i }), fence);
    const jitter = seededRandom(5);
    const shake = () => ({ dx: Math.round(jitter() * 6 - 3), dy: Math.round(jitter() * 6 - 3) });
    const shaking = run(detector, 30, (i) => ({ shift: shake(), noise: 3, noiseSeed: 300 + i }), fence);
    expect(shaking.flatMap((result) => [...result.regions, ...(result.globalChange ? ['global change'] : [])])).toEqual([]);
    const walking = run(detector, 4, (i) => ({ shift: shake(), noise: 3, noiseSeed: 400 + i, square: { x: 100 + i * 8, y: 120, size: 30, value: 250 } }), fence);
    expect(walking.at(-1)?.regions.length).toBeGreaterThanOrEqual(1);
  });

  it('never looks inside a mask', () => {
    const tree = { x: 200, y: 40, width: 80, height: 100, amplitude: 60, seed: 0 };
    const masked = new MotionDetector({ masks: [[[200 / width, 40 / height], [280 / width, 40 / height], [280 / width, 140 / height], [200 / width, 140 / height]]] });
    const unmasked = new MotionDetector();
    const edit = (i: number): FrameEdit => ({ flicker: { ...tree, seed: i }, noise: 3, noiseSeed: i });
    expect(run(masked, 10, edit).flatMap((result) => result.regions)).toEqual([]);
    expect(run(unmasked, 10, edit).some((result) => result.regions.length > 0)).toBe(true);
  });

  it('learns swaying leaves as clutter, and still sees a person walking through them', () => {
    const detector = new MotionDetector();
    const leaves = (i: number) => ({ x: 120, y: 60, width: 100, height: 110, amplitude: 45, seed: 500 + i });
    const learning = run(detector, 80, (i) => ({ flicker: leaves(i), noise: 3, noiseSeed: i }));
    expect(learning.slice(0, 10).some((result) => result.regions.length > 0)).toBe(true); // at first the leaves are motion
    expect(learning.slice(-30).flatMap((result) => result.regions)).toEqual([]); // then they are known clutter
    const person = run(detector, 6, (i) => ({ flicker: leaves(100 + i), noise: 3, noiseSeed: 100 + i, square: { x: 110 + i * 10, y: 90, size: 36, value: 250 } }));
    const seen = person.at(-1)?.regions ?? [];
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0].box.x).toBeGreaterThanOrEqual(150);
    expect(seen[0].box.x).toBeLessThanOrEqual(175);
  });

  it('reports a region only once it has lasted (a one-frame flash is not motion)', () => {
    const detector = new MotionDetector();
    warmUp(detector);
    const flash = detector.detect(renderFrame(base, width, height, { square: { x: 100, y: 100, size: 40, value: 250 }, noise: 3 }), width, height);
    expect(flash.regions).toEqual([]);
    const after = run(detector, 3, (i) => ({ noise: 3, noiseSeed: 700 + i }));
    expect(after.flatMap((result) => result.regions)).toEqual([]);
    const walking = run(detector, 2, (i) => ({ noise: 3, noiseSeed: 800 + i, square: { x: 40 + i * 8, y: 40, size: 40, value: 250 } }));
    expect(walking[0].regions).toEqual([]);
    expect(walking[1].regions).toHaveLength(1);
  });

  it('maps sensitivity 1..10 to thresholds: higher sees smaller and shorter motion', () => {
    const low = motionSensitivityThresholds(1);
    const normal = motionSensitivityThresholds(5);
    const high = motionSensitivityThresholds(10);
    expect(low.minPixelThreshold).toBeGreaterThan(normal.minPixelThreshold);
    expect(normal.minPixelThreshold).toBeGreaterThan(high.minPixelThreshold);
    expect(low.minRegionArea).toBeGreaterThan(normal.minRegionArea);
    expect(normal.minRegionArea).toBeGreaterThan(high.minRegionArea);
    expect(low.persistenceSec).toBeGreaterThan(high.persistenceSec);
    // a small, faint object (a cat far away) is seen at 10, not at 1
    const faint = (i: number): FrameEdit => ({ noise: 2, noiseSeed: 900 + i, square: i >= 5 ? { x: 60 + i * 4, y: 150, size: 9, value: 150 } : undefined });
    expect(run(new MotionDetector({ sensitivity: 10 }), 12, faint).some((result) => result.regions.length > 0)).toBe(true);
    expect(run(new MotionDetector({ sensitivity: 1 }), 12, faint).some((result) => result.regions.length > 0)).toBe(false);
  });

  it('hands its background and clutter map to the next clip as compact JSON', () => {
    const first = new MotionDetector();
    const leaves = (i: number) => ({ x: 120, y: 60, width: 100, height: 110, amplitude: 45, seed: 500 + i });
    run(first, 80, (i) => ({ flicker: leaves(i), noise: 3, noiseSeed: i }));
    const state = first.snapshot();
    const json = JSON.stringify(state);
    expect(json.length).toBeLessThan(30_000);

    const next = new MotionDetector();
    expect(next.restore(JSON.parse(json))).toBe(true);
    const results = run(next, 10, (i) => ({ flicker: leaves(200 + i), noise: 3, noiseSeed: 200 + i }));
    expect(results[0].warmingUp).toBe(false);
    expect(results.flatMap((result) => result.regions)).toEqual([]); // warm: knows the background and the leaves
    const walking = run(next, 3, (i) => ({ noise: 3, noiseSeed: 300 + i, square: { x: 20 + i * 8, y: 180, size: 30, value: 250 } }));
    expect(walking.at(-1)?.regions.length).toBeGreaterThanOrEqual(1);

    const cold = new MotionDetector();
    cold.restore({ ...(state as NonNullable<typeof state>), frameWidth: 640, frameHeight: 480 }); // learnt at another size...
    expect(cold.detect(renderFrame(base, width, height), width, height).warmingUp).toBe(true); // ...so this clip starts cold
    expect(new MotionDetector().restore({ ...(state as NonNullable<typeof state>), background: 'AAAA' })).toBe(false); // damaged: ignored
  });

  it('rasterises mask polygons at the working resolution', () => {
    const raster = rasteriseMasks([[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]], 8, 4);
    expect(Array.from(raster)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
    const triangle = rasteriseMasks([[[0, 0], [1, 0], [0, 1]]], 10, 10);
    expect(triangle[0]).toBe(1);
    expect(triangle[99]).toBe(0);
  });
});

/** `count` frames of the scene with `edit(i)` applied, through the detector. */
function run(detector: MotionDetector, count: number, edit: (i: number) => FrameEdit, scene = base): MotionResult[] {
  return Array.from({ length: count }, (_, i) => detector.detect(renderFrame(scene, width, height, edit(i)), width, height));
}
