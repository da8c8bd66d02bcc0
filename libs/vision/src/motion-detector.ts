import type { Box } from '@cameramonit/contracts';

export interface MotionDetectorOptions {
  /** width of the grayscale working image the frame is box-averaged down to (default 128) */
  workWidth?: number;
  /** running-average learning rate of the background per frame (default 0.05) */
  learningRate?: number;
  /** a pixel changed when it differs from the background by at least this many gray levels (default 16) */
  minPixelThreshold?: number;
  /** ...and by at least this many times the frame's noise sigma (default 4) */
  noiseSigmas?: number;
  /** side of a grid cell in working pixels (default 4) */
  cellSize?: number;
  /** a cell moves when at least this fraction of its pixels changed (default 0.2) */
  cellFillRatio?: number;
  /** a region is kept when its changed pixels cover at least this fraction of the frame (default 0.0005) */
  minRegionArea?: number;
  /** more than this fraction of the frame changed at once = light switched / camera moved: background reset, no motion (default 0.5) */
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
  /** the whole picture changed (lighting, camera moved); the background was reset */
  globalChange: boolean;
  /** the first frame only initialises the background */
  warmingUp: boolean;
}

const noMotion = (warmingUp: boolean, globalChange: boolean): MotionResult => ({
  regions: [],
  changedFraction: 0,
  score: 0,
  globalChange,
  warmingUp,
});

/**
 * Finds moving regions in a stream of RGB frames: a running-average background on a small
 * grayscale image, a per-frame brightness fit (so a global brightness or contrast change is not
 * motion), a noise-scaled per-pixel threshold, a cell grid to clean up speckle, and 8-connected
 * regions of moving cells with a minimum area.
 */
export class MotionDetector {
  private readonly workWidth: number;
  private readonly learningRate: number;
  private readonly minPixelThreshold: number;
  private readonly noiseSigmas: number;
  private readonly cellSize: number;
  private readonly cellFillRatio: number;
  private readonly minRegionArea: number;
  private readonly globalChangeFraction: number;
  private background: Float32Array | null = null;
  private backgroundShape = '';

  constructor(options: MotionDetectorOptions = {}) {
    this.workWidth = options.workWidth ?? 128;
    this.learningRate = options.learningRate ?? 0.05;
    this.minPixelThreshold = options.minPixelThreshold ?? 16;
    this.noiseSigmas = options.noiseSigmas ?? 4;
    this.cellSize = options.cellSize ?? 4;
    this.cellFillRatio = options.cellFillRatio ?? 0.2;
    this.minRegionArea = options.minRegionArea ?? 0.0005;
    this.globalChangeFraction = options.globalChangeFraction ?? 0.5;
  }

  /** Forget the background (e.g. after a seek). */
  reset(): void {
    this.background = null;
    this.backgroundShape = '';
  }

  detect(rgb: Uint8Array, width: number, height: number): MotionResult {
    const scale = Math.max(1, Math.round(width / this.workWidth));
    const workWidth = Math.floor(width / scale);
    const workHeight = Math.floor(height / scale);
    const gray = downscaleToGray(rgb, width, height, scale, workWidth, workHeight);
    const shape = `${width}x${height}`;
    if (!this.background || this.backgroundShape !== shape) {
      this.background = gray;
      this.backgroundShape = shape;
      return noMotion(true, false);
    }
    const background = this.background;
    const pixelCount = gray.length;

    // Fit gray ≈ gain * background + offset (twice: the second fit ignores pixels the first called moving),
    // so a global brightness or contrast change leaves residuals near zero.
    let fit = fitLinear(gray, background, null, 0);
    const residual = new Float32Array(pixelCount);
    computeResiduals(gray, background, fit, residual);
    fit = fitLinear(gray, background, residual, Math.max(this.minPixelThreshold * 2, 3 * robustSigma(residual)));
    computeResiduals(gray, background, fit, residual);

    // the noise estimate is capped: when most of the picture changed, the residuals are not noise
    const noiseSigma = Math.min(robustSigma(residual), this.minPixelThreshold / 2);
    const threshold = Math.max(this.minPixelThreshold, this.noiseSigmas * noiseSigma);
    const changed = new Uint8Array(pixelCount);
    let changedCount = 0;
    for (let i = 0; i < pixelCount; i++) {
      if (Math.abs(residual[i]) >= threshold) {
        changed[i] = 1;
        changedCount++;
      }
    }
    if (changedCount > pixelCount * this.globalChangeFraction) {
      this.background = gray;
      return noMotion(false, true);
    }

    const { regions, keptChangedPixels } = this.findRegions(changed, workWidth, workHeight, scale, width, height);
    this.updateBackground(gray, changed);
    const changedFraction = keptChangedPixels / pixelCount;
    return {
      regions,
      changedFraction,
      score: 1 - Math.exp(-changedFraction / 0.01),
      globalChange: false,
      warmingUp: false,
    };
  }

  private updateBackground(gray: Float32Array, changed: Uint8Array): void {
    const background = this.background;
    if (!background) return;
    const fast = this.learningRate;
    const slow = this.learningRate / 10; // a parked object slowly becomes background; a passer-by does not
    for (let i = 0; i < gray.length; i++) {
      const rate = changed[i] ? slow : fast;
      background[i] += rate * (gray[i] - background[i]);
    }
  }

  private findRegions(
    changed: Uint8Array,
    workWidth: number,
    workHeight: number,
    scale: number,
    frameWidth: number,
    frameHeight: number,
  ): { regions: MotionRegion[]; keptChangedPixels: number } {
    const cell = this.cellSize;
    const gridWidth = Math.ceil(workWidth / cell);
    const gridHeight = Math.ceil(workHeight / cell);
    const counts = new Uint16Array(gridWidth * gridHeight);
    for (let y = 0; y < workHeight; y++) {
      const row = y * workWidth;
      const gridRow = Math.floor(y / cell) * gridWidth;
      for (let x = 0; x < workWidth; x++) {
        if (changed[row + x]) counts[gridRow + Math.floor(x / cell)]++;
      }
    }
    const active = new Uint8Array(gridWidth * gridHeight);
    for (let gy = 0; gy < gridHeight; gy++) {
      for (let gx = 0; gx < gridWidth; gx++) {
        const cellPixels = (Math.min(cell, workWidth - gx * cell) * Math.min(cell, workHeight - gy * cell)) || 1;
        if (counts[gy * gridWidth + gx] >= Math.max(1, this.cellFillRatio * cellPixels)) active[gy * gridWidth + gx] = 1;
      }
    }

    const label = new Int32Array(gridWidth * gridHeight).fill(-1);
    const regions: MotionRegion[] = [];
    let keptChangedPixels = 0;
    const minPixels = this.minRegionArea * workWidth * workHeight;
    const stack: number[] = [];
    for (let start = 0; start < active.length; start++) {
      if (!active[start] || label[start] >= 0) continue;
      label[start] = start;
      stack.push(start);
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, pixels = 0;
      const cells: number[] = [];
      while (stack.length > 0) {
        const current = stack.pop() as number;
        cells.push(current);
        pixels += counts[current];
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
      if (pixels < minPixels) continue;
      // tighten the box to the changed pixels inside the region's cells
      for (const current of cells) {
        const cx = current % gridWidth;
        const cy = (current - cx) / gridWidth;
        for (let y = cy * cell; y < Math.min(workHeight, cy * cell + cell); y++) {
          for (let x = cx * cell; x < Math.min(workWidth, cx * cell + cell); x++) {
            if (!changed[y * workWidth + x]) continue;
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

/** Box-averaged luma (BT.601 weights) at 1/scale of the size. */
function downscaleToGray(
  rgb: Uint8Array,
  width: number,
  height: number,
  scale: number,
  workWidth: number,
  workHeight: number,
): Float32Array {
  const gray = new Float32Array(workWidth * workHeight);
  const norm = 1 / (scale * scale * 1000);
  for (let wy = 0; wy < workHeight; wy++) {
    for (let wx = 0; wx < workWidth; wx++) {
      let sum = 0;
      for (let y = wy * scale; y < wy * scale + scale; y++) {
        let offset = (y * width + wx * scale) * 3;
        for (let x = 0; x < scale; x++) {
          sum += 299 * rgb[offset] + 587 * rgb[offset + 1] + 114 * rgb[offset + 2];
          offset += 3;
        }
      }
      gray[wy * workWidth + wx] = sum * norm;
    }
  }
  return gray;
}

interface LinearFit {
  gain: number;
  offset: number;
}

/** Least squares gray = gain * background + offset, over pixels whose |residual| < limit (all when residual is null). */
function fitLinear(gray: Float32Array, background: Float32Array, residual: Float32Array | null, limit: number): LinearFit {
  let n = 0, sumB = 0, sumG = 0, sumBB = 0, sumBG = 0;
  for (let i = 0; i < gray.length; i++) {
    if (residual && Math.abs(residual[i]) >= limit) continue;
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

function computeResiduals(gray: Float32Array, background: Float32Array, fit: LinearFit, out: Float32Array): void {
  for (let i = 0; i < gray.length; i++) out[i] = gray[i] - (fit.gain * background[i] + fit.offset);
}

/** 1.4826 * median(|r|): the noise sigma, not fooled by the (minority of) moving pixels. */
function robustSigma(residual: Float32Array): number {
  const histogram = new Uint32Array(512);
  for (let i = 0; i < residual.length; i++) histogram[Math.min(511, Math.floor(Math.abs(residual[i]) * 2))]++;
  const half = residual.length / 2;
  let seen = 0;
  for (let bin = 0; bin < histogram.length; bin++) {
    seen += histogram[bin];
    if (seen >= half) return 1.4826 * ((bin + 0.5) / 2);
  }
  return 0;
}
