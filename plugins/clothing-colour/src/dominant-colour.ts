import type { NormalisedBox, RgbImage } from '@cameramonit/plugin-sdk';

export type ColourName = 'black' | 'white' | 'grey' | 'red' | 'orange' | 'yellow' | 'brown' | 'green' | 'blue' | 'purple' | 'pink';

/** How each name is shown (swatch, chip). */
export const colourSwatches: Record<ColourName, readonly [number, number, number]> = {
  black: [20, 20, 20],
  white: [245, 245, 245],
  grey: [128, 128, 128],
  red: [200, 30, 30],
  orange: [240, 140, 20],
  yellow: [240, 220, 30],
  brown: [120, 75, 35],
  green: [40, 150, 50],
  blue: [30, 80, 200],
  purple: [130, 50, 170],
  pink: [240, 120, 180],
};

/** Polish names, for the plugin's words. */
export const colourNamesPl: Record<ColourName, string> = {
  black: 'czarny',
  white: 'biały',
  grey: 'szary',
  red: 'czerwony',
  orange: 'pomarańczowy',
  yellow: 'żółty',
  brown: 'brązowy',
  green: 'zielony',
  blue: 'niebieski',
  purple: 'fioletowy',
  pink: 'różowy',
};

/**
 * The name of one colour, from its hue, saturation and value (HSV): dark is black whatever the
 * hue, unsaturated is white / grey / black by brightness, the rest by hue, with dark oranges and
 * reds named brown. HSV rather than RGB distances, so shading on a jacket keeps its name.
 */
export function nameColour(r: number, g: number, b: number): ColourName {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  if (v < 0.2) return 'black';
  if (s < 0.2 || (s < 0.3 && v < 0.35)) return v > 0.78 ? 'white' : v < 0.33 ? 'black' : 'grey';
  let h: number;
  const d = max - min;
  if (max === r) h = (60 * ((g - b) / d) + 360) % 360;
  else if (max === g) h = 60 * ((b - r) / d) + 120;
  else h = 60 * ((r - g) / d) + 240;
  if (h < 15 || h >= 345) return v < 0.45 && s < 0.6 ? 'brown' : 'red';
  if (h < 40) return v < 0.6 ? 'brown' : 'orange';
  if (h < 70) return v < 0.45 ? 'brown' : 'yellow';
  if (h < 165) return 'green';
  if (h < 255) return 'blue';
  if (h < 290) return 'purple';
  return v < 0.5 ? 'purple' : 'pink';
}

export interface DominantColour {
  name: ColourName;
  /** share of the sampled pixels with that name, 0..1 */
  share: number;
  /** mean colour of those pixels, #rrggbb */
  hex: string;
  /** the sampled region, in the image's pixels */
  region: { x: number; y: number; width: number; height: number };
}

/**
 * Where the upper body is in a crop: inside the person's box (the crop has a margin around it),
 * below the head and above the waist (15%..50% of the box height), the middle half of its width
 * (the sides of a box are mostly background), a few pixels in from the box's drawn outline.
 */
export function upperBodyRegion(image: RgbImage, personInCrop: NormalisedBox): DominantColour['region'] {
  const bx = personInCrop.x * image.width;
  const by = personInCrop.y * image.height;
  const bw = personInCrop.width * image.width;
  const bh = personInCrop.height * image.height;
  const inset = 3;
  const x0 = Math.max(inset, Math.round(bx + bw * 0.25));
  const x1 = Math.min(image.width - inset, Math.round(bx + bw * 0.75));
  const y0 = Math.max(inset, Math.round(by + bh * 0.15));
  const y1 = Math.min(image.height - inset, Math.round(by + bh * 0.5));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/** The most common colour name in a region of the picture (each pixel votes for its name). */
export function dominantColour(image: RgbImage, region: DominantColour['region']): DominantColour {
  const votes = new Map<ColourName, { count: number; r: number; g: number; b: number }>();
  let total = 0;
  for (let y = region.y; y < region.y + region.height && y < image.height; y++) {
    for (let x = region.x; x < region.x + region.width && x < image.width; x++) {
      const i = (y * image.width + x) * 3;
      const r = image.rgb[i] as number;
      const g = image.rgb[i + 1] as number;
      const b = image.rgb[i + 2] as number;
      const name = nameColour(r, g, b);
      const vote = votes.get(name) ?? { count: 0, r: 0, g: 0, b: 0 };
      vote.count++;
      vote.r += r;
      vote.g += g;
      vote.b += b;
      votes.set(name, vote);
      total++;
    }
  }
  const [name, vote] = [...votes.entries()].sort((a, b) => b[1].count - a[1].count)[0] ?? ['grey', { count: 0, r: 0, g: 0, b: 0 }];
  const hex = (n: number) => Math.round(n / Math.max(1, vote.count)).toString(16).padStart(2, '0');
  return { name, share: total ? vote.count / total : 0, hex: `#${hex(vote.r)}${hex(vote.g)}${hex(vote.b)}`, region };
}
