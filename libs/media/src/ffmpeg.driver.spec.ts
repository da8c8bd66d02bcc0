import { describe, expect, it } from 'vitest';
import { fitFrameSize, readableDurationSec } from './ffmpeg.driver.js';

describe('readableDurationSec', () => {
  it('keeps the header duration when the frames agree (within a second)', () => {
    expect(readableDurationSec(10, 9.8, 5)).toBe(10);
    expect(readableDurationSec(10, 9.2, 5)).toBe(10);
  });

  it('takes the frames when the header is missing (0), promises more (a file cut short) or less', () => {
    expect(readableDurationSec(0, 2.8, 5)).toBe(3);
    expect(readableDurationSec(60, 2.8, 5)).toBe(3);
    expect(readableDurationSec(2, 9.8, 5)).toBe(10);
  });

  it('keeps the header when no frame was read', () => {
    expect(readableDurationSec(4, null, 5)).toBe(4);
  });
});

describe('fitFrameSize', () => {
  it('keeps a portrait picture portrait and both sides even (odd source sizes)', () => {
    expect(fitFrameSize(1080, 1920, 512)).toEqual({ width: 512, height: 910 });
    expect(fitFrameSize(321, 241, 512)).toEqual({ width: 320, height: 240 });
  });
});
