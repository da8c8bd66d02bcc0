import { describe, expect, it } from 'vitest';
import { cutCrop, mergeCropDetections, planDetectionCrops, type CropPlanOptions } from './detection-crop.planner.js';

const options: CropPlanOptions = { frameWidth: 512, frameHeight: 384, cropSizes: [128, 192, 256], wholeFrameInput: { width: 384, height: 288 } };

describe('planDetectionCrops', () => {
  it('puts a square crop around a small moving area, scaled up, inside the frame', () => {
    const plan = planDetectionCrops([{ x: 500, y: 10, width: 10, height: 30 }], options);
    expect(plan.wholeFrame).toBe(false);
    expect(plan.crops).toHaveLength(1);
    const [crop] = plan.crops;
    expect(crop.width).toBe(crop.height);
    expect(crop.inputSize).toBe(128);
    expect(crop.width).toBe(64); // at most 2x scaled up
    expect(crop.x + crop.width).toBeLessThanOrEqual(512); // shifted into the frame
    expect(crop.x).toBeLessThanOrEqual(500);
    expect(crop.y).toBe(0);
  });

  it('merges areas that are close, keeps far ones apart, and never sees objects smaller than a whole-frame pass would', () => {
    const plan = planDetectionCrops(
      [
        { x: 100, y: 100, width: 30, height: 80 },
        { x: 120, y: 110, width: 30, height: 80 },
        { x: 420, y: 250, width: 25, height: 60 },
      ],
      options,
    );
    expect(plan.wholeFrame).toBe(false);
    expect(plan.crops).toHaveLength(2);
    for (const crop of plan.crops) expect(crop.inputSize / crop.width).toBeGreaterThanOrEqual(384 / 512 - 1e-9);
    const near = plan.crops.find((crop) => crop.x < 300);
    expect(near && near.x <= 100 && near.x + near.width >= 150).toBe(true);
  });

  it('chooses the whole frame when an area is too large or crops would cost more', () => {
    expect(planDetectionCrops([{ x: 0, y: 0, width: 400, height: 300 }], options)).toEqual({ wholeFrame: true, crops: [] });
    const spread = [0, 1, 2, 3].flatMap((i) => [0, 1].map((j) => ({ x: 10 + i * 125, y: 10 + j * 190, width: 40, height: 100 })));
    expect(planDetectionCrops(spread, options).wholeFrame).toBe(true);
    expect(planDetectionCrops([], options)).toEqual({ wholeFrame: false, crops: [] });
  });
});

describe('cutCrop and mergeCropDetections', () => {
  it('cuts and scales a crop, and maps boxes found in it back to the frame', () => {
    const width = 8;
    const height = 6;
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([x * 10, y * 10, 0], (y * width + x) * 3);
    const crop = cutCrop({ rgb, width, height }, { x: 2, y: 1, width: 4, height: 4 }, 4);
    expect(crop).toMatchObject({ width: 4, height: 4 });
    expect(Array.from(crop.rgb.slice(0, 3))).toEqual([20, 10, 0]);
    const doubled = cutCrop({ rgb, width, height }, { x: 2, y: 1, width: 4, height: 4 }, 8);
    expect(doubled.width).toBe(8);
    expect(() => cutCrop({ rgb, width, height }, { x: 6, y: 0, width: 4, height: 4 }, 4)).toThrow(/outside/);

    const merged = mergeCropDetections(
      [
        { x: 100, y: 50, width: 64, height: 64, inputSize: 128 },
        { x: 120, y: 50, width: 64, height: 64, inputSize: 128 },
      ],
      [
        [{ label: 'person', confidence: 0.9, box: { x: 40, y: 20, width: 40, height: 80 } }],
        [{ label: 'person', confidence: 0.7, box: { x: 0, y: 20, width: 40, height: 80 } }],
      ],
    );
    expect(merged).toEqual([{ label: 'person', confidence: 0.9, box: { x: 120, y: 60, width: 20, height: 40 } }]);
  });
});
