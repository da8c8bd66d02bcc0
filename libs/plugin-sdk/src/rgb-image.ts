import type { PluginImage, PluginResultImage } from '@cameramonit/contracts';
import { decodePng, encodePng, type RgbImage } from './png.codec.js';

/** The pixels of an image the host sent. PNG only: ask for `"crop": {"format": "png"}` in the manifest. */
export function pixelsOf(image: PluginImage): RgbImage {
  if (image.contentType !== 'image/png') {
    throw new Error(`pixelsOf: the SDK decodes PNG images; this one is ${image.contentType} (set "format": "png" in the manifest's consumes.crop)`);
  }
  return decodePng(Buffer.from(image.data, 'base64'));
}

/** An image for a result (PNG), with an optional caption. */
export function resultImage(image: RgbImage, caption?: string): PluginResultImage {
  return { contentType: 'image/png', data: encodePng(image).toString('base64'), ...(caption ? { caption } : {}) };
}

export type Rgb = readonly [number, number, number];

/** Paint a rectangle (pixels, clipped to the image) in place. */
export function fillRect(image: RgbImage, x: number, y: number, width: number, height: number, colour: Rgb): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(image.width, Math.ceil(x + width));
  const y1 = Math.min(image.height, Math.ceil(y + height));
  for (let row = y0; row < y1; row++) {
    for (let col = x0; col < x1; col++) {
      const i = (row * image.width + col) * 3;
      image.rgb[i] = colour[0];
      image.rgb[i + 1] = colour[1];
      image.rgb[i + 2] = colour[2];
    }
  }
}

/** Draw a rectangle's outline (pixels) in place. */
export function strokeRect(image: RgbImage, x: number, y: number, width: number, height: number, colour: Rgb, thickness = 2): void {
  fillRect(image, x, y, width, thickness, colour);
  fillRect(image, x, y + height - thickness, width, thickness, colour);
  fillRect(image, x, y, thickness, height, colour);
  fillRect(image, x + width - thickness, y, thickness, height, colour);
}
