import { cocoLabels, type Detection } from '@cameramonit/contracts';
import { intersectionOverUnion } from './box-geometry.js';

/**
 * Turns CenterNet's raw outputs into detections, in plain TypeScript (no tfjs), so that a batch of
 * images can go through the model in one call: the graph's own post-processing (TopK, BatchGather)
 * is built for one image, its heads are not.
 *
 * - `peaks` is the graph's `tower_0/mul_1`: the class heat map (sigmoid) zeroed wherever a cell is
 *   not the maximum of its 3x3 neighbourhood, NHWC [featureHeight, featureWidth, 80] for one image;
 * - `sizes` is `tower_0/wh`: per cell the distances (input pixels) from the centre to the left, top,
 *   right and bottom edges, [featureHeight, featureWidth, 4].
 * A cell is `stride` input pixels; a peak at cell (cx, cy) is a box
 * (cx*stride - left, cy*stride - top, cx*stride + right, cy*stride + bottom) in input pixels.
 */
export interface CenternetDecodeOptions {
  featureWidth: number;
  featureHeight: number;
  /** the image the input was resized from: boxes come back in its pixels */
  imageWidth: number;
  imageHeight: number;
  /** the model input size in pixels (featureWidth * stride...) */
  inputWidth: number;
  inputHeight: number;
  /** peaks below this score are dropped */
  minScore: number;
  /** 80 flags in COCO order: 1 = report this class; null = all classes */
  classMask: Uint8Array | null;
  /** at most this many detections (the best) before overlap suppression (default 100, like the graph's TopK) */
  maxCandidates?: number;
  /** input pixels per feature cell (default 4) */
  stride?: number;
}

const classCount = 80;

export function decodeCenternetOutputs(peaks: Float32Array, sizes: Float32Array, options: CenternetDecodeOptions): Detection[] {
  const { featureWidth, featureHeight, minScore, classMask } = options;
  const cells = featureWidth * featureHeight;
  if (peaks.length !== cells * classCount || sizes.length !== cells * 4) {
    throw new Error(`CenterNet outputs have ${peaks.length} / ${sizes.length} values, expected ${cells * classCount} / ${cells * 4}`);
  }
  const stride = options.stride ?? 4;
  const scaleX = options.imageWidth / options.inputWidth;
  const scaleY = options.imageHeight / options.inputHeight;
  const candidates: { index: number; score: number }[] = [];
  for (let index = 0; index < peaks.length; index++) {
    const score = peaks[index];
    if (score < minScore) continue;
    if (classMask && !classMask[index % classCount]) continue;
    candidates.push({ index, score });
  }
  candidates.sort((a, b) => b.score - a.score);
  candidates.length = Math.min(candidates.length, options.maxCandidates ?? 100);
  const detections: Detection[] = [];
  for (const { index, score } of candidates) {
    const classIndex = index % classCount;
    const cell = (index - classIndex) / classCount;
    const cx = (cell % featureWidth) * stride;
    const cy = Math.floor(cell / featureWidth) * stride;
    const o = cell * 4;
    const x1 = Math.max(0, (cx - sizes[o]) * scaleX);
    const y1 = Math.max(0, (cy - sizes[o + 1]) * scaleY);
    const x2 = Math.min(options.imageWidth, (cx + sizes[o + 2]) * scaleX);
    const y2 = Math.min(options.imageHeight, (cy + sizes[o + 3]) * scaleY);
    if (x2 - x1 < 1 || y2 - y1 < 1) continue;
    detections.push({ label: cocoLabels[classIndex], confidence: score, box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 } });
  }
  return detections;
}

/** Pairs of labels that overlap in real life (a rider on a bicycle): never suppress one by the other. */
const overlappingPairs = new Set(['person|bicycle', 'person|motorcycle', 'person|horse', 'person|car', 'person|truck', 'person|bus']);
function mayOverlap(a: string, b: string): boolean {
  return a !== b && (overlappingPairs.has(`${a}|${b}`) || overlappingPairs.has(`${b}|${a}`));
}

/**
 * Non-maximum suppression: of boxes overlapping more than `iouThreshold` the most confident is kept,
 * across labels too (the model often calls one van both "car" and "truck"), except for labels that
 * really overlap (a person on a bicycle, in a car). Also drops a box mostly inside a more confident box
 * of the same label (`containment`, default 0.8: a crop's edge cut through an object it saw whole
 * in another crop). Keeps at most `maxDetections`, most confident first.
 */
export function suppressOverlappingDetections(
  detections: readonly Detection[],
  iouThreshold: number,
  maxDetections = 100,
  containment = 0.8,
): Detection[] {
  const sorted = [...detections].sort((a, b) => b.confidence - a.confidence);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxDetections) break;
    const duplicate = kept.some((better) => {
      if (mayOverlap(better.label, candidate.label)) return false;
      if (intersectionOverUnion(better.box, candidate.box) > iouThreshold) return true;
      return better.label === candidate.label && insideFraction(candidate.box, better.box) >= containment;
    });
    if (!duplicate) kept.push(candidate);
  }
  return kept;
}

/** The fraction of `inner`'s area that lies inside `outer`. */
function insideFraction(inner: Detection['box'], outer: Detection['box']): number {
  const x1 = Math.max(inner.x, outer.x);
  const y1 = Math.max(inner.y, outer.y);
  const x2 = Math.min(inner.x + inner.width, outer.x + outer.width);
  const y2 = Math.min(inner.y + inner.height, outer.y + outer.height);
  const area = inner.width * inner.height;
  return area > 0 ? (Math.max(0, x2 - x1) * Math.max(0, y2 - y1)) / area : 0;
}

/** 80 flags in COCO order for the wanted labels; null (all classes) stays null. */
export function cocoClassMask(classes: readonly string[] | null): Uint8Array | null {
  if (classes === null) return null;
  const wanted = new Set(classes);
  return Uint8Array.from(cocoLabels, (label) => (wanted.has(label) ? 1 : 0));
}
