import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import type { AnalysedEvent } from '@cameramonit/contracts';
import { readImageFacts, type VideoFrame } from '@cameramonit/media';
import { animationWindow, ClipFrames, eventPicturesFromFrames } from './clip-frames.js';

/** 5 fps frames of a grey 160x90 picture, each with its index written into its first pixel's red. */
function framesOf(seconds: number, fps = 5, width = 160, height = 90): VideoFrame[] {
  return Array.from({ length: Math.round(seconds * fps) }, (_, index) => {
    const rgb = new Uint8Array(width * height * 3).fill(90);
    rgb[0] = index;
    return { index, sec: index / fps, width, height, rgb };
  });
}

const event: AnalysedEvent = {
  kind: 'object', label: 'person', count: 1, startSec: 1, endSec: 4, confidence: 0.8, direction: 'left-to-right',
  bestSec: 2.1, bestBox: { x: 40, y: 20, width: 40, height: 50 }, trackIds: [1], summary: { en: 'A person', pl: 'Osoba' },
  zones: [], dwellSec: 3, speedPxPerSec: 10, key: 'k', continued: false, open: false,
};
const gifFrames = (gif: Buffer) => [...gif.keys()].filter((i) => gif[i] === 0x21 && gif[i + 1] === 0xf9 && gif[i + 2] === 4);

describe('ClipFrames', () => {
  it('finds the frame nearest a moment and the frames of a window, thinned to a frame rate', () => {
    const frames = new ClipFrames();
    for (const frame of framesOf(5, 25)) frames.keep(frame);
    expect(frames.complete).toBe(true);
    expect(frames.nearest(2.01)?.index).toBe(50);
    const { frames: window, fps } = frames.between(1, 3, 10);
    // 25 fps thinned to every third frame: 8.3 fps, from 1 s up to (not including) 3 s
    expect(fps).toBeCloseTo(25 / 3, 5);
    expect(window.map((frame) => frame.index)).toEqual([25, 28, 31, 34, 37, 40, 43, 46, 49, 52, 55, 58, 61, 64, 67, 70, 73]);
  });

  it('forgets the key frames of a look that was given up: the event pictures come from the frames read after it', () => {
    const frames = new ClipFrames();
    const keyFrames = framesOf(5, 1).map((frame) => ({ ...frame, rgb: frame.rgb.slice().fill(200) }));
    for (const frame of keyFrames) frames.keep(frame);
    frames.animationPalette();
    frames.clear();
    expect(frames.count).toBe(0);
    for (const frame of framesOf(5)) frames.keep(frame);
    expect(frames.complete).toBe(true);
    expect(frames.count).toBe(25);
    expect(frames.nearest(2)?.rgb[3]).toBe(90);
    const pictures = eventPicturesFromFrames(frames, event, { durationSec: 5, frameWidth: 160, frameHeight: 90 }, 4);
    expect(gifFrames(pictures?.animation as Buffer).length).toBe(20);
  });

  it('lets every frame go once the clip passes its memory budget, and says it is not complete', () => {
    const frames = new ClipFrames(160 * 90 * 3 * 10);
    for (const frame of framesOf(2)) frames.keep(frame);
    expect(frames.complete).toBe(true);
    frames.keep(framesOf(1)[0] as VideoFrame);
    expect(frames.complete).toBe(false);
    expect(frames.count).toBe(0);
    expect(eventPicturesFromFrames(frames, event, { durationSec: 2.2, frameWidth: 160, frameHeight: 90 }, 4)).toBeNull();
  });
});

describe('animationWindow', () => {
  it('centres the animation on the best moment and keeps it inside the clip', () => {
    expect(animationWindow(2.5, 5, 4)).toEqual({ startSec: 0.5, durationSec: 4 });
    expect(animationWindow(0.2, 5, 4)).toEqual({ startSec: 0, durationSec: 4 });
    expect(animationWindow(4.9, 5, 4)).toEqual({ startSec: 1, durationSec: 4 });
    expect(animationWindow(1, 2, 4)).toEqual({ startSec: 0, durationSec: 2 });
  });
});

describe('eventPicturesFromFrames', () => {
  it('makes the snapshot from the best moment with the box drawn, and a GIF of the animation seconds', () => {
    const frames = new ClipFrames();
    for (const frame of framesOf(5)) frames.keep(frame);
    const pictures = eventPicturesFromFrames(frames, event, { durationSec: 5, frameWidth: 160, frameHeight: 90 }, 4);
    if (!pictures) throw new Error('no pictures from a complete clip');
    expect(readImageFacts(pictures.snapshot)).toEqual({ contentType: 'image/jpeg', width: 160, height: 90 });
    const decoded = jpeg.decode(pictures.snapshot, { useTArray: true });
    const at = (x: number, y: number) => [...decoded.data.subarray((y * 160 + x) * 4, (y * 160 + x) * 4 + 3)];
    // the box's left edge is yellow, its inside still grey
    const [r, g, b] = at(41, 45) as [number, number, number];
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
    expect(Math.abs((at(60, 45)[0] as number) - 90)).toBeLessThan(10);
    // the animation: 4 s around 2.1 s (0.1 .. 4.1 s) at 5 fps = 20 frames of 0.2 s, 160 px wide (never enlarged)
    expect(pictures.animation.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(pictures.animation.readUInt16LE(6)).toBe(160);
    const controls = gifFrames(pictures.animation);
    expect(controls).toHaveLength(20);
    expect(pictures.animation.readUInt16LE((controls[0] as number) + 4)).toBe(20);
  });
});
