import * as gifencModule from 'gifenc';
import jpeg from 'jpeg-js';
import type { OverlayBox } from './media.types.js';

/**
 * Pictures made in this process from frames already decoded (packed RGB), without another ffmpeg:
 * the analysis has the frames of a clip in memory, so an event's snapshot and animation cost a few
 * milliseconds of JavaScript instead of decoding the clip again.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** packed RGB, 3 bytes per pixel, rows top to bottom */
  rgb: Uint8Array;
}

// Node loads gifenc's CommonJS build (everything on the default export), Vite its ES module build (named exports)
const { GIFEncoder, quantize } = typeof gifencModule.quantize === 'function' ? gifencModule : (gifencModule as unknown as { default: typeof gifencModule }).default;

/**
 * The image at `width` x `height`: each output pixel is the mean of the source pixels it covers
 * (a box filter: sharp and alias-free when shrinking); growing repeats the nearest pixel.
 */
export function scaleRgb(image: RgbImage, width: number, height: number): RgbImage {
  requireImage(image);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new RangeError(`scaleRgb: a size of ${width}x${height} is not a picture size`);
  if (width === image.width && height === image.height) return image;
  const { width: sw, height: sh, rgb } = image;
  const out = new Uint8Array(width * height * 3);
  const fx = sw / width;
  const fy = sh / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.min(sh - 1, Math.floor(y * fy));
    const y1 = Math.max(y0 + 1, Math.min(sh, Math.floor((y + 1) * fy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.min(sw - 1, Math.floor(x * fx));
      const x1 = Math.max(x0 + 1, Math.min(sw, Math.floor((x + 1) * fx)));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let k = (yy * sw + x0) * 3;
        for (let xx = x0; xx < x1; xx++, k += 3) {
          r += rgb[k] as number;
          g += rgb[k + 1] as number;
          b += rgb[k + 2] as number;
        }
      }
      const count = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 3;
      out[o] = Math.round(r / count);
      out[o + 1] = Math.round(g / count);
      out[o + 2] = Math.round(b / count);
    }
  }
  return { width, height, rgb: out };
}

const namedColors: Record<string, [number, number, number]> = {
  red: [255, 0, 0],
  yellow: [255, 255, 0],
  green: [0, 200, 0],
  lime: [0, 255, 0],
  blue: [0, 0, 255],
  cyan: [0, 255, 255],
  magenta: [255, 0, 255],
  orange: [255, 165, 0],
  white: [255, 255, 255],
  black: [0, 0, 0],
};

/** An OverlayBox colour (a name ffmpeg knows, 0xRRGGBB or #RRGGBB) as RGB; red when unknown. */
export function overlayColor(color: string | undefined): [number, number, number] {
  const name = (color ?? 'red').trim().toLowerCase();
  const hex = /^(?:0x|#)([0-9a-f]{6})$/.exec(name);
  if (hex) {
    const value = parseInt(hex[1] as string, 16);
    return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  }
  return namedColors[name] ?? (namedColors.red as [number, number, number]);
}

/** A copy of the image with each box outlined (`thickness` pixels, inside the box); boxes are scaled from their frame size. */
export function drawBoxes(image: RgbImage, boxes: readonly OverlayBox[], thickness = 3): RgbImage {
  requireImage(image);
  const rgb = Uint8Array.from(image.rgb);
  const { width, height } = image;
  const fill = (x0: number, y0: number, x1: number, y1: number, color: [number, number, number]) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) {
        const k = (y * width + x) * 3;
        rgb[k] = color[0];
        rgb[k + 1] = color[1];
        rgb[k + 2] = color[2];
      }
    }
  };
  for (const overlay of boxes) {
    const sx = width / overlay.frameWidth;
    const sy = height / overlay.frameHeight;
    const x0 = Math.round(overlay.box.x * sx);
    const y0 = Math.round(overlay.box.y * sy);
    const x1 = Math.round((overlay.box.x + overlay.box.width) * sx);
    const y1 = Math.round((overlay.box.y + overlay.box.height) * sy);
    if (!(x1 > x0 && y1 > y0)) continue;
    const color = overlayColor(overlay.color);
    const t = Math.max(1, Math.min(thickness, Math.floor((x1 - x0) / 2), Math.floor((y1 - y0) / 2)));
    fill(x0, y0, x1, y0 + t, color);
    fill(x0, y1 - t, x1, y1, color);
    fill(x0, y0, x0 + t, y1, color);
    fill(x1 - t, y0, x1, y1, color);
  }
  return { width, height, rgb };
}

/** A baseline JPEG of the image; `quality` 1..100 (default 85). */
export function encodeJpeg(image: RgbImage, quality = 85): Buffer {
  requireImage(image);
  const encoded = jpeg.encode({ data: rgba(image.rgb), width: image.width, height: image.height }, Math.min(100, Math.max(1, Math.round(quality))));
  return Buffer.from(encoded.data);
}

/**
 * The colours of an animation (at most 255, chosen from a sample of `frames`) and each frame's
 * pixels as palette indices, remembered per frame: the animations of several events of one clip
 * share one palette, and a frame two of them show is matched to it once.
 */
export class GifPalette {
  readonly colors: number[][];
  private readonly indexed = new WeakMap<RgbImage, Uint8Array>();
  /** the nearest palette colour of each RGB565 colour met so far (-1: not looked up yet), shared by all frames */
  private readonly nearestOf = new Int16Array(65536).fill(-1);

  constructor(frames: readonly RgbImage[], maxColors = 255) {
    if (frames.length === 0) throw new RangeError('GifPalette: no frame to choose colours from');
    for (const frame of frames) requireImage(frame);
    // colours binned to 12 bits while choosing: about ten times faster than 16 bits on camera pictures, the palette about as close (rms 6.3 against 6.0 on vtest.avi)
    this.colors = quantize(paletteSample(frames), Math.min(255, Math.max(2, Math.round(maxColors))), { format: 'rgb444' });
  }

  /** The frame's pixels as indices into `colors` (a fresh copy: callers may change it). */
  indices(frame: RgbImage): Uint8Array {
    let index = this.indexed.get(frame);
    if (!index) {
      index = this.match(frame);
      this.indexed.set(frame, index);
    }
    return Uint8Array.from(index);
  }

  /** Each pixel's nearest colour, looked up once per RGB565 colour for all the frames of the palette. */
  private match(frame: RgbImage): Uint8Array {
    const { rgb } = frame;
    const nearestOf = this.nearestOf;
    const index = new Uint8Array(frame.width * frame.height);
    for (let p = 0, k = 0; p < index.length; p++, k += 3) {
      const r = rgb[k] as number;
      const g = rgb[k + 1] as number;
      const b = rgb[k + 2] as number;
      const key = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
      let nearest = nearestOf[key] as number;
      if (nearest < 0) {
        nearest = nearestColour(this.colors, r, g, b);
        nearestOf[key] = nearest;
      }
      index[p] = nearest;
    }
    return index;
  }
}

/** The palette entry closest to r, g, b (squared distance). */
function nearestColour(colors: readonly number[][], r: number, g: number, b: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < colors.length; i++) {
    const colour = colors[i] as number[];
    const dr = (colour[0] as number) - r;
    let distance = dr * dr;
    if (distance >= bestDistance) continue;
    const dg = (colour[1] as number) - g;
    distance += dg * dg;
    if (distance >= bestDistance) continue;
    const db = (colour[2] as number) - b;
    distance += db * db;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = i;
    }
  }
  return best;
}

export interface GifOptions {
  /** time each frame shows, milliseconds (GIF keeps hundredths of a second) */
  delayMs: number;
  /** the colours to use (e.g. one palette for a whole clip); default: chosen from these frames */
  palette?: GifPalette;
  /** colours of the palette made when none is given, 2..255 (default 255) */
  maxColors?: number;
  /**
   * a pixel whose colour moved at most this much (per channel, 0..255) since it was last drawn
   * is left transparent (the viewer keeps seeing it), so a still background costs almost nothing
   * (default 16; 0 = redraw every pixel)
   */
  sameWithin?: number;
}

/**
 * An animated GIF, looping for ever, of same-sized frames: one palette for all frames, and every
 * frame after the first stores only the pixels that changed.
 */
export function encodeGif(frames: readonly RgbImage[], options: GifOptions): Buffer {
  const first = frames[0];
  if (!first) throw new RangeError('encodeGif: no frame to encode');
  const { width, height } = first;
  for (const frame of frames) {
    requireImage(frame);
    if (frame.width !== width || frame.height !== height) throw new RangeError(`encodeGif: frames of ${frame.width}x${frame.height} and ${width}x${height} in one animation`);
  }
  const sameWithin = Math.max(0, options.sameWithin ?? 16);
  const delay = Math.max(20, Math.round(options.delayMs));
  const palette = options.palette ?? new GifPalette(frames, options.maxColors);
  // one more entry after the real colours: the transparent "unchanged" pixel
  const transparentIndex = palette.colors.length;
  const fullPalette = [...palette.colors, [0, 0, 0]];
  const encoder = GIFEncoder();
  // each pixel's source colour when it was last drawn: compared with the source, not the palette
  // colour, so a colour the palette cannot match closely is not redrawn in every frame
  const drawnFrom = new Uint8Array(width * height * 3);
  frames.forEach((frame, n) => {
    const index = palette.indices(frame);
    const rgb = frame.rgb;
    for (let p = 0, k = 0; p < index.length; p++, k += 3) {
      if (n > 0 && sameWithin > 0) {
        const change = Math.max(
          Math.abs((rgb[k] as number) - (drawnFrom[k] as number)),
          Math.abs((rgb[k + 1] as number) - (drawnFrom[k + 1] as number)),
          Math.abs((rgb[k + 2] as number) - (drawnFrom[k + 2] as number)),
        );
        if (change <= sameWithin) {
          index[p] = transparentIndex;
          continue;
        }
      }
      drawnFrom[k] = rgb[k] as number;
      drawnFrom[k + 1] = rgb[k + 1] as number;
      drawnFrom[k + 2] = rgb[k + 2] as number;
    }
    encoder.writeFrame(
      index,
      width,
      height,
      n === 0 ? { palette: fullPalette, delay, repeat: 0, dispose: 1 } : { delay, transparent: sameWithin > 0, transparentIndex, dispose: 1 },
    );
  });
  encoder.finish();
  return Buffer.from(encoder.bytes());
}

/** Up to 4 frames spread over the animation, every other pixel of every other row, as RGBA: enough to choose the colours. */
function paletteSample(frames: readonly RgbImage[]): Uint8Array {
  const picks = [...new Set([0, 1, 2, 3].map((i) => Math.round((i * (frames.length - 1)) / 3)))];
  const { width, height } = frames[0] as RgbImage;
  const perFrame = Math.ceil(width / 2) * Math.ceil(height / 2);
  const out = new Uint8Array(picks.length * perFrame * 4);
  let o = 0;
  for (const pick of picks) {
    const rgb = (frames[pick] as RgbImage).rgb;
    for (let y = 0; y < height; y += 2) {
      for (let x = 0; x < width; x += 2, o += 4) {
        const k = (y * width + x) * 3;
        out[o] = rgb[k] as number;
        out[o + 1] = rgb[k + 1] as number;
        out[o + 2] = rgb[k + 2] as number;
        out[o + 3] = 255;
      }
    }
  }
  return out.subarray(0, o);
}

function rgba(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgb.length / 3) * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    out[j] = rgb[i] as number;
    out[j + 1] = rgb[i + 1] as number;
    out[j + 2] = rgb[i + 2] as number;
    out[j + 3] = 255;
  }
  return out;
}

function requireImage(image: RgbImage): void {
  if (!(image.width > 0 && image.height > 0) || image.rgb.length !== image.width * image.height * 3) {
    throw new RangeError(`an RGB picture of ${image.width}x${image.height} needs ${image.width * image.height * 3} bytes, got ${image.rgb.length}`);
  }
}
