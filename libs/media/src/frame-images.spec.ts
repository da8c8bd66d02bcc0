import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { fitFrameSize } from './ffmpeg.driver.js';
import { drawBoxes, encodeGif, encodeJpeg, GifPalette, overlayColor, scaleRgb, type RgbImage } from './frame-images.js';
import { readImageFacts } from './image-size.js';

function solid(width: number, height: number, color: [number, number, number]): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(color, p * 3);
  return { width, height, rgb };
}
const pixel = (image: RgbImage, x: number, y: number) => [...image.rgb.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3)];

describe('scaleRgb', () => {
  it('averages the pixels each output pixel covers', () => {
    // 2x2: black, white / white, black -> one grey pixel
    const image = { width: 2, height: 2, rgb: Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0]) };
    expect(pixel(scaleRgb(image, 1, 1), 0, 0)).toEqual([128, 128, 128]);
  });

  it('keeps a region where it was: a red right half stays the right half at a third of the size', () => {
    const image = solid(90, 30, [0, 0, 255]);
    for (let y = 0; y < 30; y++) for (let x = 45; x < 90; x++) image.rgb.set([255, 0, 0], (y * 90 + x) * 3);
    const small = scaleRgb(image, 30, 10);
    expect(pixel(small, 5, 5)).toEqual([0, 0, 255]);
    expect(pixel(small, 25, 5)).toEqual([255, 0, 0]);
  });

  it('grows by repeating pixels and refuses sizes that are not sizes or bytes that do not fit', () => {
    expect(scaleRgb(solid(2, 2, [9, 8, 7]), 4, 4).rgb.length).toBe(48);
    expect(() => scaleRgb(solid(2, 2, [0, 0, 0]), 0, 4)).toThrow(/not a picture size/);
    expect(() => scaleRgb({ width: 4, height: 4, rgb: new Uint8Array(10) }, 2, 2)).toThrow(/needs 48 bytes, got 10/);
  });
});

describe('fitFrameSize (the animation size of a frame)', () => {
  it('shrinks to the width keeping the aspect, in even pixels, and never grows', () => {
    expect(fitFrameSize(640, 360, 320)).toEqual({ width: 320, height: 180 });
    expect(fitFrameSize(768, 576, 320)).toEqual({ width: 320, height: 240 });
    expect(fitFrameSize(200, 100, 320)).toEqual({ width: 200, height: 100 });
  });
});

describe('drawBoxes', () => {
  it('outlines a box given in another frame size, leaving its inside and the original alone', () => {
    const image = solid(100, 50, [0, 0, 0]);
    // a box of 20..60 x 10..30 in a 200x100 analysis frame is 10..30 x 5..15 here
    const drawn = drawBoxes(image, [{ box: { x: 20, y: 10, width: 40, height: 20 }, frameWidth: 200, frameHeight: 100, color: 'yellow' }], 2);
    expect(pixel(drawn, 10, 10)).toEqual([255, 255, 0]);
    expect(pixel(drawn, 20, 5)).toEqual([255, 255, 0]);
    expect(pixel(drawn, 29, 14)).toEqual([255, 255, 0]);
    expect(pixel(drawn, 20, 10)).toEqual([0, 0, 0]);
    expect(pixel(drawn, 50, 40)).toEqual([0, 0, 0]);
    expect(pixel(image, 10, 10)).toEqual([0, 0, 0]);
  });

  it('reads ffmpeg-style colours', () => {
    expect(overlayColor('0x00FF7f')).toEqual([0, 255, 127]);
    expect(overlayColor('#102030')).toEqual([16, 32, 48]);
    expect(overlayColor('yellow')).toEqual([255, 255, 0]);
    expect(overlayColor('no such colour')).toEqual([255, 0, 0]);
  });
});

describe('encodeJpeg', () => {
  it('writes a JPEG of the picture: its size in the header, its colours when decoded', () => {
    const image = solid(64, 48, [200, 40, 40]);
    const bytes = encodeJpeg(image, 90);
    expect(readImageFacts(bytes)).toEqual({ contentType: 'image/jpeg', width: 64, height: 48 });
    const decoded = jpeg.decode(bytes, { useTArray: true });
    const [r, g, b] = [...decoded.data.subarray(4 * (24 * 64 + 32), 4 * (24 * 64 + 32) + 3)];
    expect(Math.abs((r as number) - 200)).toBeLessThan(8);
    expect(Math.abs((g as number) - 40)).toBeLessThan(8);
    expect(Math.abs((b as number) - 40)).toBeLessThan(8);
  });
});

describe('encodeGif', () => {
  it('refuses no frames and frames of different sizes', () => {
    expect(() => encodeGif([], { delayMs: 200 })).toThrow(/no frame/);
    expect(() => encodeGif([solid(4, 4, [0, 0, 0]), solid(4, 2, [0, 0, 0])], { delayMs: 200 })).toThrow(/frames of 4x2 and 4x4/);
  });

  it('is a looping GIF89a of the frames size with one image per frame', () => {
    const frames = [0, 1, 2].map((n) => solid(40, 30, [n * 100, 50, 50]));
    const gif = encodeGif(frames, { delayMs: 200 });
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(gif.readUInt16LE(6)).toBe(40);
    expect(gif.readUInt16LE(8)).toBe(30);
    expect(gif.includes(Buffer.from('NETSCAPE2.0', 'latin1'))).toBe(true);
    // one graphic control extension (0x21 0xf9) per frame, delay 20 hundredths
    const controls = [...gif.keys()].filter((i) => gif[i] === 0x21 && gif[i + 1] === 0xf9 && gif[i + 2] === 4);
    expect(controls).toHaveLength(3);
    for (const at of controls) expect(gif.readUInt16LE(at + 4)).toBe(20);
  });
});

describe('GifPalette', () => {
  it('gives one set of colours to several animations: each frame matched once, callers get their own copy', () => {
    const red = solid(8, 8, [250, 0, 0]);
    const blue = solid(8, 8, [0, 0, 250]);
    const palette = new GifPalette([red, blue]);
    const first = palette.indices(red);
    first.fill(99);
    const again = palette.indices(red);
    expect(again[0]).not.toBe(99);
    const color = palette.colors[again[0] as number] as number[];
    expect(color[0]).toBeGreaterThan(200);
    expect(color[2]).toBeLessThan(50);
    // an animation made with it carries exactly these colours in its global table (after the 13-byte header)
    const gif = encodeGif([blue, red], { delayMs: 100, palette });
    expect([...gif.subarray(13, 16)]).toEqual(palette.colors[0]);
    expect(() => new GifPalette([])).toThrow(/no frame/);
  });

  it('matches every pixel to its nearest colour of the palette, in every frame that shares it', () => {
    // 256 colours (red across, green down), then the same picture mirrored
    const gradient = (mirror: boolean) => {
      const rgb = new Uint8Array(16 * 16 * 3);
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x < 16; x++) {
          const k = (y * 16 + (mirror ? 15 - x : x)) * 3;
          rgb[k] = x * 16;
          rgb[k + 1] = y * 16;
          rgb[k + 2] = 128;
        }
      }
      return { width: 16, height: 16, rgb };
    };
    const frames = [gradient(false), gradient(true)];
    const palette = new GifPalette(frames, 64);
    const distance = (colour: number[], rgb: Uint8Array, k: number) => ((colour[0] as number) - (rgb[k] as number)) ** 2 + ((colour[1] as number) - (rgb[k + 1] as number)) ** 2 + ((colour[2] as number) - (rgb[k + 2] as number)) ** 2;
    for (const frame of frames) {
      const index = palette.indices(frame);
      for (let p = 0; p < 256; p++) {
        const best = Math.min(...palette.colors.map((colour) => distance(colour, frame.rgb, p * 3)));
        expect(distance(palette.colors[index[p] as number] as number[], frame.rgb, p * 3)).toBe(best);
      }
    }
  });
});
