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
  /** the detector's square crop inputs in pixels: each crop is scaled to the smallest that keeps it at least as sharp as a whole-frame pass */
  cropSizes: readonly number[];
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
  crops: PlannedCrop[];
}

export interface PlannedCrop extends Box {
  /** the square model input the crop is scaled to */
  inputSize: number;
}

interface Square {
  cx: number;
  cy: number;
  side: number;
}

/**
 * Square crops covering `areas`, each scaled to the smallest crop input that keeps it at least as
 * sharp as a whole-frame pass (so a crop never sees objects smaller than the whole-frame pass would;
 * small objects are scaled up, at most `maxUpscale`). Two crops are merged when they overlap or when
 * the merged crop costs no more model pixels than the two. The whole frame is chosen when an area is
 * too large for a crop, when there are more than `maxCrops` crops, or when the crops together cost at
 * least as many model pixels as one whole-frame pass.
 */
export function planDetectionCrops(areas: readonly Box[], options: CropPlanOptions): CropPlan {
  const { frameWidth, frameHeight } = options;
  const whole: CropPlan = { wholeFrame: true, crops: [] };
  if (areas.length === 0) return { wholeFrame: false, crops: [] };
  const sizes = [...options.cropSizes].sort((a, b) => a - b);
  if (sizes.length === 0) return whole;
  const margin = options.marginFraction ?? 0.3;
  const minSide = sizes[0] / (options.maxUpscale ?? 2);
  const wholeScale = Math.min(1, options.wholeFrameInput.width / frameWidth, options.wholeFrameInput.height / frameHeight);
  const maxSide = Math.min(frameWidth, frameHeight, sizes[sizes.length - 1] / wholeScale);
  /** the smallest input that sees the square at least as sharp as the whole-frame pass */
  const inputFor = (side: number) => sizes.find((size) => size >= side * wholeScale - 1e-6) ?? sizes[sizes.length - 1];
  const cost = (square: Square) => inputFor(square.side) ** 2;

  let squares: Square[] = [];
  for (const area of areas) {
    const side = Math.max(minSide, Math.max(area.width, area.height) * (1 + 2 * margin));
    if (side > maxSide) return whole;
    squares.push({ cx: area.x + area.width / 2, cy: area.y + area.height / 2, side });
  }

  for (;;) {
    let best: { i: number; j: number; merged: Square; saving: number } | null = null;
    for (let i = 0; i < squares.length; i++) {
      for (let j = i + 1; j < squares.length; j++) {
        const merged = mergeSquares(squares[i], squares[j], minSide);
        if (merged.side > maxSide) continue;
        const saving = cost(squares[i]) + cost(squares[j]) - cost(merged);
        if ((saving >= 0 || squaresOverlap(squares[i], squares[j])) && (!best || saving > best.saving)) best = { i, j, merged, saving };
      }
    }
    if (!best) break;
    const { i, j, merged } = best;
    squares = squares.filter((_, k) => k !== i && k !== j);
    squares.push(merged);
  }

  const cropCost = squares.reduce((sum, square) => sum + cost(square), 0);
  const wholeCost = options.wholeFrameInput.width * options.wholeFrameInput.height;
  if (squares.length > (options.maxCrops ?? 6) || cropCost >= wholeCost) return whole;
  return {
    wholeFrame: false,
    crops: squares.map((square) => ({ ...placeSquare(square, frameWidth, frameHeight), inputSize: inputFor(square.side) })),
  };
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

/**
 * The pixels of `box` (integers, inside the frame) as an image of `size` x `size` (bilinear; the
 * box should be square).
 */
export function cutCrop(frame: DetectorImage, box: Box, size: number): DetectorImage {
  const { x, y, width, height } = box;
  if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > frame.width || y + height > frame.height) {
    throw new RangeError(`crop ${width}x${height}+${x}+${y} is outside the ${frame.width}x${frame.height} frame`);
  }
  const rgb = new Uint8Array(size * size * 3);
  const source = frame.rgb;
  const stepX = width / size;
  const stepY = height / size;
  // per output column: the two source columns and the weight of the second
  const x0s = new Int32Array(size);
  const x1s = new Int32Array(size);
  const wxs = new Float32Array(size);
  for (let ox = 0; ox < size; ox++) {
    const sx = Math.min(width - 1, Math.max(0, (ox + 0.5) * stepX - 0.5));
    const x0 = Math.floor(sx);
    x0s[ox] = (x + x0) * 3;
    x1s[ox] = (x + Math.min(width - 1, x0 + 1)) * 3;
    wxs[ox] = sx - x0;
  }
  let out = 0;
  for (let oy = 0; oy < size; oy++) {
    const sy = Math.min(height - 1, Math.max(0, (oy + 0.5) * stepY - 0.5));
    const y0 = Math.floor(sy);
    const wy = sy - y0;
    const row0 = (y + y0) * frame.width * 3;
    const row1 = (y + Math.min(height - 1, y0 + 1)) * frame.width * 3;
    for (let ox = 0; ox < size; ox++) {
      const wx = wxs[ox];
      const a = row0 + x0s[ox];
      const b = row0 + x1s[ox];
      const c = row1 + x0s[ox];
      const d = row1 + x1s[ox];
      for (let channel = 0; channel < 3; channel++) {
        const top = source[a + channel] + (source[b + channel] - source[a + channel]) * wx;
        const bottom = source[c + channel] + (source[d + channel] - source[c + channel]) * wx;
        rgb[out++] = top + (bottom - top) * wy + 0.5;
      }
    }
  }
  return { rgb, width: size, height: size };
}

/**
 * The detections of each crop in frame pixels, duplicates across overlapping crops removed. A
 * detection cut by a crop's inner edge (the object goes on outside the crop) is dropped when
 * another crop or pass saw the object whole (same label, mostly inside it).
 */
export function mergeCropDetections(crops: readonly PlannedCrop[], perCrop: readonly Detection[][], iouThreshold = 0.4): Detection[] {
  const all: Detection[] = [];
  crops.forEach((crop, i) => {
    const scaleX = crop.width / crop.inputSize;
    const scaleY = crop.height / crop.inputSize;
    for (const detection of perCrop[i] ?? []) {
      const { box } = detection;
      all.push({ ...detection, box: { x: crop.x + box.x * scaleX, y: crop.y + box.y * scaleY, width: box.width * scaleX, height: box.height * scaleY } });
    }
  });
  return suppressOverlappingDetections(all, iouThreshold);
}
