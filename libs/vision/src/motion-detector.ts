import type { Box, Polygon } from '@cameramonit/contracts';

export interface MotionDetectorOptions {
  /**
   * The camera's motion sensitivity, 1 (only large, lasting motion) .. 10 (the smallest movement),
   * default 5. It sets the four thresholds below unless they are given explicitly:
   *
   * | sensitivity            | 1     | 3     | 5      | 7      | 10      |
   * | minPixelThreshold      | 26    | 22    | 18     | 14     | 8       |  (gray levels, 0..255)
   * | minRegionArea          | 0.63% | 0.25% | 0.1%   | 0.04%  | 0.01%   |  (of the frame)
   * | persistenceSec         | 0.6   | 0.4   | 0.2    | 0.2    | 0       |  (a region must last this long)
   * | clutterFillRatio       | 0.7   | 0.6   | 0.5    | 0.45   | 0.4     |  (in cells that flicker all the time)
   */
  sensitivity?: number;
  /** areas never looked at (normalised polygons, 0..1): a tree, a flag, a road outside the fence */
  masks?: readonly Polygon[];
  /** frames per second the detector is given (to turn persistenceSec into frames; default 5) */
  fps?: number;
  /** width of the grayscale working image the frame is averaged down to (default 100: the frame width divided by a whole number) */
  workWidth?: number;
  /** running-average learning rate of the background per frame (default 0.05) */
  learningRate?: number;
  /** a pixel changed when it differs from the background by at least this many gray levels */
  minPixelThreshold?: number;
  /** ...and by at least this many times the frame's noise sigma (default 4) */
  noiseSigmas?: number;
  /** side of a grid cell in working pixels (default 4) */
  cellSize?: number;
  /** a cell moves when at least this fraction of its pixels changed (default 0.2) */
  cellFillRatio?: number;
  /** a region is kept when its changed pixels cover at least this fraction of the frame */
  minRegionArea?: number;
  /** a region is reported once it has lasted (moving consistently: cell to neighbouring cell) this long */
  persistenceSec?: number;
  /** a cell moving in more than this fraction of frames (running average) is clutter: leaves, a flag, rain (default 0.25) */
  clutterLevel?: number;
  /** in clutter cells a cell moves only when this fraction of its pixels changed by twice the threshold */
  clutterFillRatio?: number;
  /** how fast the clutter map learns, per frame (default 0.02: about 10 s at 5 fps) */
  clutterRate?: number;
  /** more than this fraction of the frame changed at once = scene cut / camera moved: background reset, no motion (default 0.5) */
  globalChangeFraction?: number;
}

export interface MotionRegion {
  /** in the pixels of the frames given to detect() */
  box: Box;
  /** changed pixels of the region, as a fraction of the frame */
  areaFraction: number;
}

export interface MotionResult {
  regions: MotionRegion[];
  /** changed pixels inside kept regions, as a fraction of the frame */
  changedFraction: number;
  /** 0..1, saturating: 1 - exp(-changedFraction / 1%) */
  score: number;
  /** the whole picture changed (scene cut, camera moved); the background was reset */
  globalChange: boolean;
  /** the first frame only initialises the background */
  warmingUp: boolean;
}

/** The detector's memory as JSON (8-bit, base64): the background and the clutter map. */
export interface MotionState {
  version: 1;
  /** the frame size it was learnt at; another size starts cold */
  frameWidth: number;
  frameHeight: number;
  workWidth: number;
  workHeight: number;
  /** gray background, one byte per working pixel */
  background: string;
  /** clutter level per cell, 0..255 = 0..1 */
  clutter: string;
}

const noMotion = (warmingUp: boolean, globalChange: boolean): MotionResult => ({
  regions: [],
  changedFraction: 0,
  score: 0,
  globalChange,
  warmingUp,
});

/** The thresholds a sensitivity of 1..10 stands for (see MotionDetectorOptions.sensitivity). */
export function motionSensitivityThresholds(sensitivity: number): {
  minPixelThreshold: number;
  minRegionArea: number;
  persistenceSec: number;
  clutterFillRatio: number;
} {
  const s = Math.min(10, Math.max(1, Math.round(sensitivity)));
  return {
    minPixelThreshold: 8 + (10 - s) * 2,
    minRegionArea: 0.001 * 2 ** ((5 - s) / 1.5),
    persistenceSec: [0.6, 0.5, 0.4, 0.3, 0.2, 0.2, 0.2, 0.1, 0, 0][s - 1],
    clutterFillRatio: [0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.45, 0.45, 0.4, 0.4][s - 1],
  };
}

/**
 * Finds moving regions in a stream of RGB frames, on a small grayscale image (~100 px wide):
 * - a running-average background, compared after a per-frame gain/offset fit (global brightness,
 *   exposure) and a smooth per-block offset field (a lamp lighting one side, a cloud shadow), so
 *   lighting is not motion, and the background adopts the new lighting at once;
 * - each pixel is compared with the range of its background neighbourhood (3x3), so 1-3 px camera
 *   shake is not motion;
 * - a noise-scaled threshold, a cell grid and a minimum area, so sensor noise and compression blocks
 *   are not motion; masks are never looked at;
 * - persistence: a region counts once it has lasted a few frames (cell to neighbouring cell);
 * - a clutter map: cells that move most of the time (leaves, a flag) need a much stronger change,
 *   so a person walking through them is still seen.
 * Its memory (background, clutter) is JSON (snapshot / restore) so the next clip starts warm.
 */
export class MotionDetector {
  private readonly workWidthTarget: number;
  private readonly learningRate: number;
  private readonly minPixelThreshold: number;
  private readonly noiseSigmas: number;
  private readonly cellSize: number;
  private readonly cellFillRatio: number;
  private readonly minRegionArea: number;
  private readonly persistenceFrames: number;
  private readonly clutterLevel: number;
  private readonly clutterFillRatio: number;
  private readonly clutterRate: number;
  private readonly globalChangeFraction: number;
  private readonly masks: readonly Polygon[];
  private background: Float32Array | null = null;
  private clutter: Float32Array | null = null;
  private persistence: Uint8Array | null = null;
  private mask: Uint8Array | null = null;
  private scratch: Scratch | null = null;
  private shape = { frameWidth: 0, frameHeight: 0, scale: 1, workWidth: 0, workHeight: 0, gridWidth: 0, gridHeight: 0 };

  constructor(options: MotionDetectorOptions = {}) {
    const bySensitivity = motionSensitivityThresholds(options.sensitivity ?? 5);
    this.workWidthTarget = options.workWidth ?? 100;
    this.learningRate = options.learningRate ?? 0.05;
    this.minPixelThreshold = options.minPixelThreshold ?? bySensitivity.minPixelThreshold;
    this.noiseSigmas = options.noiseSigmas ?? 4;
    this.cellSize = options.cellSize ?? 4;
    this.cellFillRatio = options.cellFillRatio ?? 0.2;
    this.minRegionArea = options.minRegionArea ?? bySensitivity.minRegionArea;
    const persistenceSec = options.persistenceSec ?? bySensitivity.persistenceSec;
    this.persistenceFrames = Math.max(1, Math.min(6, 1 + Math.round(persistenceSec * (options.fps ?? 5))));
    this.clutterLevel = options.clutterLevel ?? 0.25;
    this.clutterFillRatio = options.clutterFillRatio ?? bySensitivity.clutterFillRatio;
    this.clutterRate = options.clutterRate ?? 0.02;
    this.globalChangeFraction = options.globalChangeFraction ?? 0.5;
    this.masks = options.masks ?? [];
  }

  /** Forget the background (e.g. after a seek). */
  reset(): void {
    this.background = null;
    this.clutter = null;
    this.persistence = null;
    this.shape.frameWidth = 0;
  }

  /** The background and clutter map, compact, for the camera's next clip; null before the first frame. */
  snapshot(): MotionState | null {
    if (!this.background || !this.clutter) return null;
    const { frameWidth, frameHeight, workWidth, workHeight } = this.shape;
    const toBytes = (values: Float32Array, scale: number) => Buffer.from(Uint8Array.from(values, (value) => Math.max(0, Math.min(255, Math.round(value * scale))))).toString('base64');
    return { version: 1, frameWidth, frameHeight, workWidth, workHeight, background: toBytes(this.background, 1), clutter: toBytes(this.clutter, 255) };
  }

  /** Starts from a snapshot (the end of the camera's previous clip). Returns false (and stays cold) if it does not fit. */
  restore(state: MotionState | null | undefined): boolean {
    if (!state || state.version !== 1) return false;
    this.configure(state.frameWidth, state.frameHeight);
    const { workWidth, workHeight, gridWidth, gridHeight } = this.shape;
    if (state.workWidth !== workWidth || state.workHeight !== workHeight) return false;
    const background = Buffer.from(state.background ?? '', 'base64');
    const clutter = Buffer.from(state.clutter ?? '', 'base64');
    if (background.length !== workWidth * workHeight || clutter.length !== gridWidth * gridHeight) return false;
    this.background = Float32Array.from(background);
    this.clutter = Float32Array.from(clutter, (value) => value / 255);
    this.persistence = new Uint8Array(gridWidth * gridHeight);
    return true;
  }

  detect(rgb: Uint8Array, width: number, height: number): MotionResult {
    if (width !== this.shape.frameWidth || height !== this.shape.frameHeight) this.configure(width, height);
    const { scale, workWidth, workHeight, gridWidth, gridHeight } = this.shape;
    const gray = downscaleToGray(rgb, width, scale, workWidth, workHeight);
    if (!this.background || !this.clutter || !this.persistence) {
      this.background = gray;
      this.clutter = new Float32Array(gridWidth * gridHeight);
      this.persistence = new Uint8Array(gridWidth * gridHeight);
      return noMotion(true, false);
    }
    const background = this.background;
    const mask = this.mask as Uint8Array;
    const pixelCount = gray.length;

    // 1. lighting: gray ≈ gain * background + offset over the picture (twice: the second fit ignores
    //    pixels the first called moving), then a smooth offset field from per-block medians.
    const scratch = this.scratch as Scratch;
    const { predicted, residual, change, coarse, fine, low, high } = scratch;
    const sigmaHistogram = scratch.sigmaHistogram;
    let fit = fitLinear(gray, background, mask, null, 0);
    let unmasked = applyFit(gray, background, mask, fit, predicted, residual, sigmaHistogram, null);
    fit = fitLinear(gray, background, mask, residual, Math.max(this.minPixelThreshold * 2, 3 * sigmaFromHistogram(sigmaHistogram, unmasked)));
    unmasked = applyFit(gray, background, mask, fit, predicted, residual, sigmaHistogram, scratch.coarseGrid);
    // coarse blocks cannot follow a narrow shadow, fine blocks would swallow a large object: the fine
    // correction is limited to half the threshold, a large object keeps its contrast and its surroundings stay still
    const coarseApplied = interpolateField(scratch.coarseGrid, coarse);
    if (coarseApplied) for (let i = 0; i < pixelCount; i++) residual[i] -= coarse[i];
    fillBlockHistograms(residual, mask, scratch.fineGrid);
    const fineApplied = interpolateField(scratch.fineGrid, fine);
    if (coarseApplied || fineApplied) {
      const limit = this.minPixelThreshold / 2;
      sigmaHistogram.fill(0);
      for (let i = 0; i < pixelCount; i++) {
        const fineCorrection = fineApplied ? Math.max(-limit, Math.min(limit, fine[i])) : 0;
        predicted[i] += (coarseApplied ? coarse[i] : 0) + fineCorrection;
        residual[i] -= fineCorrection;
        if (!mask[i]) {
          const bin = (Math.abs(residual[i]) * 2) | 0;
          sigmaHistogram[bin > 511 ? 511 : bin]++;
        }
      }
    }

    // 2. noise-scaled threshold; the noise estimate is capped: when most of the picture changed, the residuals are not noise
    const noiseSigma = Math.min(sigmaFromHistogram(sigmaHistogram, unmasked), this.minPixelThreshold / 2);
    const threshold = Math.max(this.minPixelThreshold, this.noiseSigmas * noiseSigma);

    // 3. camera shake: a pixel changed only if it lies outside its (lit) background neighbourhood's range
    neighbourhoodRange(background, workWidth, workHeight, scratch);
    const gain = fit.gain;
    // change: how far outside the range, gray levels (0 = inside)
    let changedCount = 0;
    let lookedAt = 0;
    let differing = 0; // pixels far from the background before any lighting correction (for isSceneCut)
    for (let i = 0; i < pixelCount; i++) {
      if (mask[i]) {
        change[i] = 0;
        continue;
      }
      lookedAt++;
      const raw = gray[i] - background[i];
      if (raw >= threshold || raw <= -threshold) differing++;
      const shift = predicted[i] - gain * background[i];
      const lo = gain * low[i] + shift;
      const hi = gain * high[i] + shift;
      const value = gray[i];
      const outside = value > hi ? value - hi : value < lo ? lo - value : 0;
      change[i] = outside;
      if (outside >= threshold) changedCount++;
    }
    if (lookedAt === 0) return noMotion(false, false);
    if (changedCount > lookedAt * this.globalChangeFraction || this.isSceneCut(gray, background, mask, differing, lookedAt)) {
      this.background = gray;
      this.persistence.fill(0);
      return noMotion(false, true);
    }

    // 4. cells: normal cells need `cellFillRatio` of their pixels changed; clutter cells need
    //    `clutterFillRatio` changed by twice the threshold. Clutter and persistence are learnt here.
    const cell = this.cellSize;
    const cellCount = gridWidth * gridHeight;
    const counts = new Uint16Array(cellCount);
    const strong = new Uint16Array(cellCount);
    const open = new Uint16Array(cellCount);
    const cellOfX = scratch.cellOfX;
    for (let y = 0; y < workHeight; y++) {
      const row = y * workWidth;
      const gridRow = ((y / cell) | 0) * gridWidth;
      for (let x = 0; x < workWidth; x++) {
        const i = row + x;
        if (mask[i]) continue;
        const c = gridRow + cellOfX[x];
        open[c]++;
        if (change[i] >= threshold) {
          counts[c]++;
          if (change[i] >= 2 * threshold) strong[c]++;
        }
      }
    }
    const clutter = this.clutter;
    const clutterNear = dilate(clutter, gridWidth, gridHeight); // the edge of a tree flickers less often than its middle
    const previous = this.persistence;
    const persistence = new Uint8Array(cellCount);
    const active = new Uint8Array(cellCount);
    for (let c = 0; c < cellCount; c++) {
      if (open[c] === 0) continue;
      const moving = counts[c] >= Math.max(1, this.cellFillRatio * open[c]);
      const isClutter = clutterNear[c] >= this.clutterLevel;
      clutter[c] += this.clutterRate * ((moving ? 1 : 0) - clutter[c]);
      if (!moving || (isClutter && strong[c] < this.clutterFillRatio * open[c])) continue;
      active[c] = 1;
      const cx = c % gridWidth;
      const cy = (c - cx) / gridWidth;
      let before = 0;
      for (let ny = Math.max(0, cy - 1); ny <= Math.min(gridHeight - 1, cy + 1); ny++) {
        for (let nx = Math.max(0, cx - 1); nx <= Math.min(gridWidth - 1, cx + 1); nx++) before = Math.max(before, previous[ny * gridWidth + nx]);
      }
      persistence[c] = Math.min(255, before + 1);
    }
    this.persistence = persistence;

    const { regions, keptChangedPixels } = this.findRegions(active, counts, persistence, change, threshold);
    this.updateBackground(gray, predicted, change, threshold);
    const changedFraction = keptChangedPixels / pixelCount;
    return {
      regions,
      changedFraction,
      score: 1 - Math.exp(-changedFraction / 0.01),
      globalChange: false,
      warmingUp: false,
    };
  }

  /**
   * Most of the picture differs from the background and its fine structure (differences between
   * neighbouring pixels) no longer matches the background's: another scene, not other lighting.
   */
  private isSceneCut(gray: Float32Array, background: Float32Array, mask: Uint8Array, differing: number, lookedAt: number): boolean {
    if (differing <= lookedAt * this.globalChangeFraction) return false;
    const width = this.shape.workWidth;
    let n = 0, sumG = 0, sumB = 0, sumGG = 0, sumBB = 0, sumGB = 0;
    for (let i = 0; i + 1 < gray.length; i++) {
      if ((i + 1) % width === 0 || mask[i] || mask[i + 1]) continue;
      const dg = gray[i + 1] - gray[i];
      const db = background[i + 1] - background[i];
      n++;
      sumG += dg;
      sumB += db;
      sumGG += dg * dg;
      sumBB += db * db;
      sumGB += dg * db;
    }
    if (n < 16) return true;
    const varianceG = sumGG / n - (sumG / n) ** 2;
    const varianceB = sumBB / n - (sumB / n) ** 2;
    if (varianceB < 1 || varianceG < 1) return true; // a flat picture changed as a whole: nothing to compare, start again
    const correlation = (sumGB / n - (sumG / n) * (sumB / n)) / Math.sqrt(varianceG * varianceB);
    return correlation < 0.3;
  }

  private configure(frameWidth: number, frameHeight: number): void {
    const scale = Math.max(1, Math.round(frameWidth / this.workWidthTarget));
    const workWidth = Math.max(1, Math.floor(frameWidth / scale));
    const workHeight = Math.max(1, Math.floor(frameHeight / scale));
    const gridWidth = Math.ceil(workWidth / this.cellSize);
    const gridHeight = Math.ceil(workHeight / this.cellSize);
    this.shape = { frameWidth, frameHeight, scale, workWidth, workHeight, gridWidth, gridHeight };
    this.mask = rasteriseMasks(this.masks, workWidth, workHeight);
    this.scratch = createScratch(workWidth, workHeight, this.cellSize);
    this.background = null;
    this.clutter = null;
    this.persistence = null;
  }

  /**
   * Unchanged pixels follow the picture (fast, and at once where the lighting changed); changed
   * pixels slowly, so a parked object becomes background and a passer-by does not.
   */
  private updateBackground(gray: Float32Array, predicted: Float32Array, change: Float32Array, threshold: number): void {
    const background = this.background;
    if (!background) return;
    const fast = this.learningRate;
    const slow = this.learningRate / 10;
    for (let i = 0; i < gray.length; i++) {
      if (change[i] >= threshold) {
        background[i] += slow * (gray[i] - background[i]);
      } else if (Math.abs(predicted[i] - background[i]) >= threshold / 2) {
        background[i] = gray[i]; // the lighting changed here and it is explained: adopt it now
      } else {
        background[i] += fast * (gray[i] - background[i]);
      }
    }
  }

  private findRegions(
    active: Uint8Array,
    counts: Uint16Array,
    persistence: Uint8Array,
    change: Float32Array,
    threshold: number,
  ): { regions: MotionRegion[]; keptChangedPixels: number } {
    const { scale, workWidth, workHeight, gridWidth, gridHeight, frameWidth, frameHeight } = this.shape;
    const cell = this.cellSize;
    const label = new Int32Array(gridWidth * gridHeight).fill(-1);
    const regions: MotionRegion[] = [];
    let keptChangedPixels = 0;
    const minPixels = Math.max(2, this.minRegionArea * workWidth * workHeight);
    const stack: number[] = [];
    for (let start = 0; start < active.length; start++) {
      if (!active[start] || label[start] >= 0) continue;
      label[start] = start;
      stack.push(start);
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, pixels = 0, lastingPixels = 0;
      const cells: number[] = [];
      while (stack.length > 0) {
        const current = stack.pop() as number;
        cells.push(current);
        pixels += counts[current];
        if (persistence[current] >= this.persistenceFrames) lastingPixels += counts[current];
        const cx = current % gridWidth;
        const cy = (current - cx) / gridWidth;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = cx + dx;
            const ny = cy + dy;
            if (nx < 0 || ny < 0 || nx >= gridWidth || ny >= gridHeight) continue;
            const neighbour = ny * gridWidth + nx;
            if (active[neighbour] && label[neighbour] < 0) {
              label[neighbour] = start;
              stack.push(neighbour);
            }
          }
        }
      }
      // the region's lasting part alone must be big enough: flickering compression blocks next to each other are not
      if (pixels < minPixels || lastingPixels < minPixels) continue;
      // tighten the box to the changed pixels inside the region's cells
      for (const current of cells) {
        const cx = current % gridWidth;
        const cy = (current - cx) / gridWidth;
        for (let y = cy * cell; y < Math.min(workHeight, cy * cell + cell); y++) {
          for (let x = cx * cell; x < Math.min(workWidth, cx * cell + cell); x++) {
            if (change[y * workWidth + x] < threshold) continue;
            if (x < minX) minX = x;
            if (x > maxX) maxX = x;
            if (y < minY) minY = y;
            if (y > maxY) maxY = y;
          }
        }
      }
      keptChangedPixels += pixels;
      const x = minX * scale;
      const y = minY * scale;
      regions.push({
        box: {
          x,
          y,
          width: Math.min(frameWidth, (maxX + 1) * scale) - x,
          height: Math.min(frameHeight, (maxY + 1) * scale) - y,
        },
        areaFraction: pixels / (workWidth * workHeight),
      });
    }
    regions.sort((a, b) => b.areaFraction - a.areaFraction);
    return { regions, keptChangedPixels };
  }
}

/**
 * Luma ((R + 2G + B) / 4) at 1/scale of the size: the mean of 2x2 samples spread over each
 * scale x scale block (all of it when scale is 1 or 2), a quarter of the memory reads of a full
 * box average at scale 4 for about the same noise.
 */
function downscaleToGray(rgb: Uint8Array, width: number, scale: number, workWidth: number, workHeight: number): Float32Array {
  const gray = new Float32Array(workWidth * workHeight);
  const step = scale >= 2 ? scale >> 1 : 1;
  const samples = scale >= 2 ? 2 : 1;
  const norm = 1 / (samples * samples * 4);
  const stride = width * 3;
  const blockBytes = scale * 3;
  const stepBytes = step * 3;
  for (let wy = 0; wy < workHeight; wy++) {
    const row = wy * workWidth;
    for (let sy = 0; sy < samples; sy++) {
      let offset = (wy * scale + sy * step) * stride;
      for (let wx = 0; wx < workWidth; wx++) {
        let sum = rgb[offset] + 2 * rgb[offset + 1] + rgb[offset + 2];
        if (samples === 2) sum += rgb[offset + stepBytes] + 2 * rgb[offset + stepBytes + 1] + rgb[offset + stepBytes + 2];
        gray[row + wx] += sum;
        offset += blockBytes;
      }
    }
    for (let wx = 0; wx < workWidth; wx++) gray[row + wx] *= norm;
  }
  return gray;
}

/** 1 where a working pixel's centre lies inside any mask polygon (even-odd rule). */
export function rasteriseMasks(masks: readonly Polygon[], width: number, height: number): Uint8Array {
  const raster = new Uint8Array(width * height);
  for (const polygon of masks) {
    if (polygon.length < 3) continue;
    for (let y = 0; y < height; y++) {
      const py = (y + 0.5) / height;
      // x positions where the polygon's edges cross this row
      const crossings: number[] = [];
      for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
        const [xi, yi] = polygon[i];
        const [xj, yj] = polygon[j];
        if (yi > py !== yj > py) crossings.push(xi + ((py - yi) / (yj - yi)) * (xj - xi));
      }
      crossings.sort((a, b) => a - b);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        const from = Math.max(0, Math.ceil(crossings[k] * width - 0.5));
        const to = Math.min(width - 1, Math.floor(crossings[k + 1] * width - 0.5));
        for (let x = from; x <= to; x++) raster[y * width + x] = 1;
      }
    }
  }
  return raster;
}

interface LinearFit {
  gain: number;
  offset: number;
}

/** Least squares gray = gain * background + offset, over unmasked pixels whose |residual| < limit (all when residual is null). */
function fitLinear(gray: Float32Array, background: Float32Array, mask: Uint8Array, residual: Float32Array | null, limit: number): LinearFit {
  let n = 0, sumB = 0, sumG = 0, sumBB = 0, sumBG = 0;
  for (let i = 0; i < gray.length; i++) {
    if (mask[i] || (residual && Math.abs(residual[i]) >= limit)) continue;
    const b = background[i];
    const g = gray[i];
    n++;
    sumB += b;
    sumG += g;
    sumBB += b * b;
    sumBG += b * g;
  }
  if (n < 16) return { gain: 1, offset: 0 };
  const meanB = sumB / n;
  const meanG = sumG / n;
  const varianceB = sumBB / n - meanB * meanB;
  if (varianceB < 4) return { gain: 1, offset: meanG - meanB }; // flat scene: brightness offset only
  const gain = Math.min(2, Math.max(0.5, (sumBG / n - meanB * meanG) / varianceB));
  return { gain, offset: meanG - gain * meanB };
}

/**
 * predicted = gain * background + offset and residual = gray - predicted, in one pass that also fills
 * the |residual| histogram for the noise estimate and, when given, a block grid's histograms.
 * Returns the number of unmasked pixels.
 */
function applyFit(
  gray: Float32Array,
  background: Float32Array,
  mask: Uint8Array,
  fit: LinearFit,
  predicted: Float32Array,
  residual: Float32Array,
  sigmaHistogram: Uint32Array,
  grid: BlockGrid | null,
): number {
  sigmaHistogram.fill(0);
  if (grid) {
    grid.histograms.fill(0);
    grid.totals.fill(0);
  }
  const { gain, offset } = fit;
  let unmasked = 0;
  const width = grid?.width ?? 1;
  for (let i = 0; i < gray.length; i++) {
    const p = gain * background[i] + offset;
    const r = gray[i] - p;
    predicted[i] = p;
    residual[i] = r;
    if (mask[i]) continue;
    unmasked++;
    const bin = ((r < 0 ? -r : r) * 2) | 0;
    sigmaHistogram[bin > 511 ? 511 : bin]++;
    if (grid) {
      const y = (i / width) | 0;
      const b = grid.blockOfY[y] * grid.blocksX + grid.blockOfX[i - y * width];
      let fieldBin = (r + 128) | 0;
      fieldBin = fieldBin < 0 ? 0 : fieldBin >= fieldBins ? fieldBins - 1 : fieldBin;
      grid.histograms[b * fieldBins + fieldBin]++;
      grid.totals[b]++;
    }
  }
  return unmasked;
}

/** 1.4826 * median(|r|) from a histogram of half gray levels: the noise sigma, not fooled by the (minority of) moving pixels. */
function sigmaFromHistogram(histogram: Uint32Array, count: number): number {
  const half = count / 2;
  let seen = 0;
  for (let bin = 0; bin < histogram.length; bin++) {
    seen += histogram[bin];
    if (seen >= half) return 1.4826 * ((bin + 0.5) / 2);
  }
  return 0;
}

/**
 * What is left of a lighting change after the global fit, as a smooth field: the median residual of
 * each block of `block` x `block` working pixels, bilinear between block centres. A compact moving
 * object covers less than half a block and does not move the median; a lamp lighting one side or a
 * cloud shadow does. Medians come from histograms (one gray level bins over -128..128), in O(pixels).
 */
function fillBlockHistograms(residual: Float32Array, mask: Uint8Array, grid: BlockGrid): void {
  const { width, height, blocksX, blockOfX, blockOfY, histograms, totals } = grid;
  const bins = fieldBins;
  histograms.fill(0);
  totals.fill(0);
  for (let y = 0; y < height; y++) {
    const blockRow = blockOfY[y] * blocksX;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (mask[i]) continue;
      const b = blockRow + blockOfX[x];
      let bin = (residual[i] + 128) | 0;
      bin = bin < 0 ? 0 : bin >= bins ? bins - 1 : bin;
      histograms[b * bins + bin]++;
      totals[b]++;
    }
  }
}

/** The field from the grid's filled histograms (medians, bilinear); false (and a zero field left unused) when there is none to follow. */
function interpolateField(grid: BlockGrid, field: Float32Array): boolean {
  const { width, height, blocksX, histograms, totals, medians } = grid;
  const bins = fieldBins;
  for (let b = 0; b < medians.length; b++) {
    medians[b] = 0;
    if (totals[b] === 0) continue;
    const half = totals[b] / 2;
    let seen = 0;
    let bin = 0;
    for (; bin < bins; bin++) {
      seen += histograms[b * bins + bin];
      if (seen >= half) break;
    }
    medians[b] = bin + 0.5 - 128;
  }
  let largest = 0;
  for (let b = 0; b < medians.length; b++) largest = Math.max(largest, Math.abs(medians[b]));
  if (largest <= 0.5) return false; // the usual case: no lighting change to follow
  const { x0s, x1s, wxs, y0s, y1s, wys } = grid;
  for (let y = 0; y < height; y++) {
    const r0 = y0s[y] * blocksX;
    const r1 = y1s[y] * blocksX;
    const wy = wys[y];
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const wx = wxs[x];
      const top = medians[r0 + x0s[x]] * (1 - wx) + medians[r0 + x1s[x]] * wx;
      const bottom = medians[r1 + x0s[x]] * (1 - wx) + medians[r1 + x1s[x]] * wx;
      field[row + x] = top + (bottom - top) * wy;
    }
  }
  return true;
}

const fieldBins = 256;

/** A block grid over the working image, with its histograms and bilinear tables, built once per frame size. */
interface BlockGrid {
  width: number;
  height: number;
  blocksX: number;
  blocksY: number;
  blockOfX: Int32Array;
  blockOfY: Int32Array;
  histograms: Uint16Array;
  totals: Uint16Array;
  medians: Float32Array;
  x0s: Int32Array;
  x1s: Int32Array;
  wxs: Float32Array;
  y0s: Int32Array;
  y1s: Int32Array;
  wys: Float32Array;
}

function createBlockGrid(width: number, height: number, block: number): BlockGrid {
  const blocksX = Math.max(1, Math.round(width / block));
  const blocksY = Math.max(1, Math.round(height / block));
  const axis = (size: number, blocks: number) => {
    const blockOf = new Int32Array(size);
    const first = new Int32Array(size);
    const second = new Int32Array(size);
    const weight = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      blockOf[i] = Math.min(blocks - 1, Math.floor((i * blocks) / size));
      const f = Math.min(blocks - 1, Math.max(0, ((i + 0.5) * blocks) / size - 0.5));
      first[i] = Math.floor(f);
      second[i] = Math.min(blocks - 1, first[i] + 1);
      weight[i] = f - first[i];
    }
    return { blockOf, first, second, weight };
  };
  const xs = axis(width, blocksX);
  const ys = axis(height, blocksY);
  return {
    width,
    height,
    blocksX,
    blocksY,
    blockOfX: xs.blockOf,
    blockOfY: ys.blockOf,
    histograms: new Uint16Array(blocksX * blocksY * fieldBins),
    totals: new Uint16Array(blocksX * blocksY),
    medians: new Float32Array(blocksX * blocksY),
    x0s: xs.first,
    x1s: xs.second,
    wxs: xs.weight,
    y0s: ys.first,
    y1s: ys.second,
    wys: ys.weight,
  };
}

/** Per cell the maximum of its 3x3 neighbourhood. */
function dilate(values: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = 0;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) best = Math.max(best, values[ny * width + nx]);
      }
      out[y * width + x] = best;
    }
  }
  return out;
}

/**
 * Per pixel the minimum and maximum of the 3x3 neighbourhood (separable), into `low` and `high`.
 * Computed on 1/16 gray-level integers with branch-free min/max: comparisons of image values are
 * unpredictable branches, and this runs on every pixel of every frame.
 */
function neighbourhoodRange(values: Float32Array, width: number, height: number, scratch: Scratch): void {
  const { fixed, rowLow, rowHigh, low, high } = scratch;
  const count = width * height;
  for (let i = 0; i < count; i++) fixed[i] = (values[i] * 16) | 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const c = fixed[i];
      const l = x > 0 ? fixed[i - 1] : c;
      const r = x + 1 < width ? fixed[i + 1] : c;
      let d = l - c;
      const low1 = c + (d & (d >> 31));
      const high1 = l - (d & (d >> 31));
      d = r - low1;
      rowLow[i] = low1 + (d & (d >> 31));
      d = r - high1;
      rowHigh[i] = r - (d & (d >> 31));
    }
  }
  const last = count - width;
  for (let i = 0; i < count; i++) {
    const up = i >= width ? i - width : i;
    const down = i < last ? i + width : i;
    let a = rowLow[up];
    let b = rowLow[i];
    let d = a - b;
    let m = b + (d & (d >> 31));
    b = rowLow[down];
    d = b - m;
    low[i] = (m + (d & (d >> 31))) / 16;
    a = rowHigh[up];
    b = rowHigh[i];
    d = a - b;
    m = a - (d & (d >> 31));
    b = rowHigh[down];
    d = b - m;
    high[i] = (b - (d & (d >> 31))) / 16;
  }
}

/** Per-frame working buffers, allocated once per frame size. */
interface Scratch {
  predicted: Float32Array;
  residual: Float32Array;
  change: Float32Array;
  coarse: Float32Array;
  fine: Float32Array;
  fixed: Int32Array;
  rowLow: Int32Array;
  rowHigh: Int32Array;
  low: Float32Array;
  high: Float32Array;
  coarseGrid: BlockGrid;
  fineGrid: BlockGrid;
  sigmaHistogram: Uint32Array;
  /** grid cell of each working column */
  cellOfX: Int32Array;
}

function createScratch(width: number, height: number, cell: number): Scratch {
  const make = () => new Float32Array(width * height);
  return {
    predicted: make(),
    residual: make(),
    change: make(),
    coarse: make(),
    fine: make(),
    fixed: new Int32Array(width * height),
    rowLow: new Int32Array(width * height),
    rowHigh: new Int32Array(width * height),
    low: make(),
    high: make(),
    coarseGrid: createBlockGrid(width, height, 24),
    sigmaHistogram: new Uint32Array(512),
    fineGrid: createBlockGrid(width, height, 12),
    cellOfX: Int32Array.from({ length: width }, (_, x) => Math.floor(x / cell)),
  };
}
