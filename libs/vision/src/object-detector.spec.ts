import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameInputShape, HumanObjectDetector, makeCenternetAnySize } from './human-object-detector.driver.js';
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
  const modelFile = (name: string) => join(dirname(dirname(createRequire(import.meta.url).resolve('@vladmandic/human'))), 'models', name);

  it('rewires the model so one graph takes any input size and a batch', () => {
    const json = JSON.parse(readFileSync(modelFile('centernet.json'), 'utf8'));
    const weights = readFileSync(modelFile('centernet.bin'));
    const data = makeCenternetAnySize(json, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer);
    const nodes = json.modelTopology.node as { name: string; op: string; input?: string[] }[];
    const placeholder = nodes.find((node) => node.op === 'Placeholder') as unknown as { attr: { shape: { shape: { dim: { size: string }[] } } } };
    expect(placeholder.attr.shape.shape.dim.map((dim) => dim.size)).toEqual(['-1', '-1', '-1', '3']);
    const resizes = nodes.filter((node) => node.op === 'ResizeBilinear');
    expect(resizes).toHaveLength(3);
    for (const resize of resizes) {
      const size = nodes.find((node) => node.name === resize.input?.[1]);
      expect(size?.op).toBe('StridedSlice');
      expect(nodes.find((node) => node.name === size?.input?.[0])?.op).toBe('Shape');
    }
    // the slice bounds [1:3] (height, width of NHWC) are appended to the weights
    expect(data.byteLength).toBe(weights.byteLength + 12);
    expect(Array.from(new Int32Array(data.slice(weights.byteLength)))).toEqual([1, 3, 1]);
    expect(json.weightsManifest.at(-1).weights.slice(-3).map((spec: { name: string }) => spec.name)).toEqual([
      'cameramonit/height_width/begin', 'cameramonit/height_width/end', 'cameramonit/height_width/strides',
    ]);
  });

  it('refuses a model it does not know', () => {
    expect(() => makeCenternetAnySize({ weightsManifest: [{ paths: [], weights: [] }], modelTopology: { node: [] } }, new ArrayBuffer(0))).toThrow(/input shape/);
  });

  it('refuses sizes the graph cannot take', () => {
    expect(() => new HumanObjectDetector({ inputSize: 400 })).toThrow(/multiple of 32/);
    expect(() => new HumanObjectDetector({ cropSizes: [1024] })).toThrow(/between 128 and 512/);
  });

  it('keeps a whole frame\'s aspect ratio: the longer side is the input size', () => {
    expect(frameInputShape(512, 384, 384)).toEqual({ width: 384, height: 288 });
    expect(frameInputShape(1280, 720, 384)).toEqual({ width: 384, height: 224 });
    expect(frameInputShape(720, 1280, 384)).toEqual({ width: 224, height: 384 }); // a phone held upright
    expect(frameInputShape(320, 320, 256)).toEqual({ width: 256, height: 256 });
    expect(frameInputShape(4000, 100, 384)).toEqual({ width: 384, height: 64 });
  });
});
