import { describe, expect, it } from 'vitest';
import type { Detection } from '@cameramonit/contracts';
import { cocoClassMask, decodeCenternetOutputs, suppressOverlappingDetections } from './centernet-output.decoder.js';

/** Outputs of a 4x3-cell feature map (16x12 input) with the given peaks: cell, class, score, and edge distances. */
function outputs(peaks: { cx: number; cy: number; classIndex: number; score: number; edges: [number, number, number, number] }[]) {
  const featureWidth = 4;
  const featureHeight = 3;
  const scores = new Float32Array(featureWidth * featureHeight * 80);
  const sizes = new Float32Array(featureWidth * featureHeight * 4);
  for (const peak of peaks) {
    const cell = peak.cy * featureWidth + peak.cx;
    scores[cell * 80 + peak.classIndex] = peak.score;
    sizes.set(peak.edges, cell * 4);
  }
  return { scores, sizes, featureWidth, featureHeight };
}

describe('decodeCenternetOutputs', () => {
  it('turns peaks into boxes in the image pixels, best first, with COCO labels', () => {
    const { scores, sizes, featureWidth, featureHeight } = outputs([
      { cx: 1, cy: 1, classIndex: 0, score: 0.6, edges: [2, 3, 4, 5] }, // person at (4, 4) in input pixels
      { cx: 3, cy: 2, classIndex: 2, score: 0.9, edges: [1, 1, 1, 1] }, // car at (12, 8)
      { cx: 0, cy: 0, classIndex: 16, score: 0.1, edges: [1, 1, 1, 1] }, // a weak dog
    ]);
    // the image was 32x24, resized to the 16x12 input: boxes scale by 2
    const detections = decodeCenternetOutputs(scores, sizes, {
      featureWidth,
      featureHeight,
      inputWidth: 16,
      inputHeight: 12,
      imageWidth: 32,
      imageHeight: 24,
      minScore: 0.3,
      classMask: null,
    });
    expect(detections).toEqual([
      { label: 'car', confidence: expect.closeTo(0.9, 5), box: { x: 22, y: 14, width: 4, height: 4 } },
      { label: 'person', confidence: expect.closeTo(0.6, 5), box: { x: 4, y: 2, width: 12, height: 16 } },
    ]);
  });

  it('keeps only the wanted classes and clips boxes to the image', () => {
    const { scores, sizes, featureWidth, featureHeight } = outputs([
      { cx: 0, cy: 0, classIndex: 0, score: 0.8, edges: [10, 10, 2, 2] },
      { cx: 2, cy: 1, classIndex: 2, score: 0.8, edges: [1, 1, 1, 1] },
    ]);
    const options = { featureWidth, featureHeight, inputWidth: 16, inputHeight: 12, imageWidth: 16, imageHeight: 12, minScore: 0.3 };
    const people = decodeCenternetOutputs(scores, sizes, { ...options, classMask: cocoClassMask(['person']) });
    expect(people).toEqual([{ label: 'person', confidence: expect.closeTo(0.8, 5), box: { x: 0, y: 0, width: 2, height: 2 } }]);
  });

  it('refuses outputs of the wrong size', () => {
    expect(() =>
      decodeCenternetOutputs(new Float32Array(10), new Float32Array(4), {
        featureWidth: 4, featureHeight: 3, inputWidth: 16, inputHeight: 12, imageWidth: 16, imageHeight: 12, minScore: 0.3, classMask: null,
      }),
    ).toThrow(/expected 960/);
  });
});

describe('suppressOverlappingDetections', () => {
  const box = (x: number, y: number, width = 20, height = 40) => ({ x, y, width, height });
  const detection = (label: string, confidence: number, b = box(0, 0)): Detection => ({ label, confidence, box: b });

  it('keeps the most confident of overlapping boxes, also across labels (one van called car and truck)', () => {
    const kept = suppressOverlappingDetections([detection('car', 0.5, box(0, 0)), detection('truck', 0.7, box(1, 1)), detection('car', 0.6, box(100, 0))], 0.4);
    expect(kept.map((d) => `${d.label} ${d.confidence}`)).toEqual(['truck 0.7', 'car 0.6']);
  });

  it('keeps a rider and the bicycle, and drops a part of an object seen whole', () => {
    const kept = suppressOverlappingDetections(
      [detection('person', 0.8, box(0, 0)), detection('bicycle', 0.6, box(0, 10)), detection('person', 0.5, box(0, 0, 20, 18))],
      0.4,
    );
    expect(kept.map((d) => d.label)).toEqual(['person', 'bicycle']);
  });
});
