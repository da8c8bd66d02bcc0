import { fillRect, pixelsOf, resultImage, strokeRect, type NormalisedBox, type PluginAnswer, type PluginRequest, type RgbImage } from '@cameramonit/plugin-sdk';
import { colourNamesPl, colourSwatches, dominantColour, upperBodyRegion } from './dominant-colour.js';

/** Where the person's box is inside the crop (both are given normalised to the frame). */
export function boxInCrop(box: NormalisedBox, crop: NormalisedBox): NormalisedBox {
  return { x: (box.x - crop.x) / crop.width, y: (box.y - crop.y) / crop.height, width: box.width / crop.width, height: box.height / crop.height };
}

/** The crop with the sampled region outlined and a swatch of the colour found below it. */
export function annotate(image: RgbImage, region: { x: number; y: number; width: number; height: number }, swatch: readonly [number, number, number]): RgbImage {
  const bar = Math.max(12, Math.round(image.height / 8));
  const out: RgbImage = { width: image.width, height: image.height + bar, rgb: new Uint8Array(image.width * (image.height + bar) * 3) };
  out.rgb.set(image.rgb);
  strokeRect(out, region.x - 1, region.y - 1, region.width + 2, region.height + 2, [255, 255, 255], 1);
  strokeRect(out, region.x - 2, region.y - 2, region.width + 4, region.height + 4, [0, 0, 0], 1);
  fillRect(out, 0, image.height, image.width, bar, swatch);
  return out;
}

/** For a person event: the dominant colour of the upper body as `clothingColour`, and the annotated crop. */
export function clothingColour(request: PluginRequest): PluginAnswer {
  if (!request.crop) return { ok: false, error: 'the event has no picture of the person (no box or no snapshot)' };
  const image = pixelsOf(request.crop);
  const person = request.event.box ? boxInCrop(request.event.box, request.crop.box) : { x: 0, y: 0, width: 1, height: 1 };
  const region = upperBodyRegion(image, person);
  const colour = dominantColour(image, region);
  const annotated = annotate(image, region, colourSwatches[colour.name]);
  return {
    features: { clothingColour: colour.name, clothingColourHex: colour.hex },
    images: [resultImage(annotated, `Clothing: ${colour.name} / ${colourNamesPl[colour.name]} (${Math.round(colour.share * 100)}% of the upper body)`)],
  };
}
