import type { Box, Detection } from '@cameramonit/contracts';
import { suppressOverlappingDetections } from './centernet-output.decoder.js';
import type { DetectorImage } from './object-detector.js';

/**
 * Where to run the object detector in a frame: square crops around the areas that matter (moving
 * regions, objects that stopped), merged where they overlap, or the whole frame when that is
 * cheaper. Pure functions: the frame loop (video-analysis.service.ts) decides when, this decides where.
 */
export interface CropPlanOptions {
  frameWidth: number;
  frameHeight: number;
  /** the detector's square crop input in pixels (a crop is scaled to it) */
  cropSize: number;
  /** the detector's whole-frame input in pixels (width x height): what a whole-frame pass costs */
  wholeFrameInput: { width: number; height: number };
  /** space added around an area on each side, as a fraction of its larger side (default 0.3) */
  marginFraction?: number;
  /** a crop is never scaled up more than this (default 2): its side is at least cropSize / maxUpscale */
  maxUpscale?: number;
  /** at most this many crops; more areas than that = whole frame (default 4) */
  maxCrops?: number;
}

export interface CropPlan {
  /** run the detector on the whole frame instead of crops */
  wholeFrame: boolean;
  /** square crops in frame pixels (integers, inside the frame); empty when wholeFrame */
  crops: Box[];
}

interface Square {
  cx: number;
  cy: number;
  side: number;
}

/**
 * Square crops covering `areas`. Two crops are merged when they overlap or when one square around
 * both is no bigger than the two together, as long as the merged crop is not scaled down more than
 * a whole-frame pass would scale the frame (so a crop never sees objects smaller than the whole-frame
 * pass would). The whole frame is chosen when an area is too large for a crop, when there are more
 * than `maxCrops` crops, or when the crops together cost at least as much as one whole-frame pass.
 */
export function planDetectionCrops(areas: readonly Box[], options: CropPlanOptions): CropPlan {
  const { frameWidth, frameHeight, cropSize } = options;
  const whole: CropPlan = { wholeFrame: true, crops: [] };
  if (areas.length === 0) return { wholeFrame: false, crops: [] };
  const margin = options.marginFraction ?? 0.3;
  const minSide = cropSize / (options.maxUpscale ?? 2);
  const wholeScale = Math.min(options.wholeFrameInput.width / frameWidth, options.wholeFrameInput.height / frameHeight);
  const maxSide = Math.min(frameWidth, frameHeight, cropSize / Math.min(1, wholeScale));

  let squares: Square[] = [];
  for (const area of areas) {
    const side = Math.max(minSide, Math.max(area.width, area.height) * (1 + 2 * margin));
    if (side > maxSide) return whole;
    squares.push({ cx: area.x + area.width / 2, cy: area.y + area.height / 2, side });
  }

  for (;;) {
    let best: { i: number; j: number; merged: Square } | null = null;
    for (let i = 0; i < squares.length; i++) {
      for (let j = i + 1; j < squares.length; j++) {
        const merged = mergeSquares(squares[i], squares[j], minSide);
        if (merged.side > maxSide) continue;
        const worthIt = squaresOverlap(squares[i], squares[j]) || merged.side ** 2 <= squares[i].side ** 2 + squares[j].side ** 2;
        if (worthIt && (!best || merged.side < best.merged.side)) best = { i, j, merged };
      }
    }
    if (!best) break;
    const { i, j, merged } = best;
    squares = squares.filter((_, k) => k !== i && k !== j);
    squares.push(merged);
  }

  const cropCost = squares.length * cropSize * cropSize;
  const wholeCost = options.wholeFrameInput.width * options.wholeFrameInput.height;
  if (squares.length > (options.maxCrops ?? 4) || cropCost >= wholeCost) return whole;
  return { wholeFrame: false, crops: squares.map((square) => placeSquare(square, frameWidth, frameHeight)) };
}

function mergeSquares(a: Square, b: Square, minSide: number): Square {
  const x1 = Math.min(a.cx - a.side / 2, b.cx - b.side / 2);
  const y1 = Math.min(a.cy - a.side / 2, b.cy - b.side / 2);
  const x2 = Math.max(a.cx + a.side / 2, b.cx + b.side / 2);
  const y2 = Math.max(a.cy + a.side / 2, b.cy + b.side / 2);
  return { cx: (x1 + x2) / 2, cy: (y1 + y2) / 2, side: Math.max(minSide, x2 - x1, y2 - y1) };
}

function squaresOverlap(a: Square, b: Square): boolean {
  return Math.abs(a.cx - b.cx) * 2 < a.side + b.side && Math.abs(a.cy - b.cy) * 2 < a.side + b.side;
}

/** The square as integer pixels, shifted (not shrunk) to lie inside the frame. */
function placeSquare(square: Square, frameWidth: number, frameHeight: number): Box {
  const side = Math.min(Math.round(square.side), frameWidth, frameHeight);
  const x = Math.min(frameWidth - side, Math.max(0, Math.round(square.cx - side / 2)));
  const y = Math.min(frameHeight - side, Math.max(0, Math.round(square.cy - side / 2)));
  return { x, y, width: side, height: side };
}

/** The pixels of `box` (integers, inside the frame) as an image of their own. */
export function cutCrop(frame: DetectorImage, box: Box): DetectorImage {
  const { x, y, width, height } = box;
  if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > frame.width || y + height > frame.height) {
    throw new RangeError(`crop ${width}x${height}+${x}+${y} is outside the ${frame.width}x${frame.height} frame`);
  }
  const rgb = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * frame.width + x) * 3;
    rgb.set(frame.rgb.subarray(from, from + rowBytes), row * rowBytes);
  }
  return { rgb, width, height };
}

/**
 * The detections of each crop in frame pixels, duplicates across overlapping crops removed. A
 * detection cut by a crop's inner edge (the object goes on outside the crop) is dropped when
 * another crop or pass saw the object whole (same label, mostly inside it).
 */
export function mergeCropDetections(crops: readonly Box[], perCrop: readonly Detection[][], iouThreshold = 0.4): Detection[] {
  const all: Detection[] = [];
  crops.forEach((crop, i) => {
    for (const detection of perCrop[i] ?? []) {
      all.push({ ...detection, box: { ...detection.box, x: detection.box.x + crop.x, y: detection.box.y + crop.y } });
    }
  });
  return suppressOverlappingDetections(all, iouThreshold);
}
