import { describe, expect, it } from 'vitest';
import { captureTime, checkPushedFrame, videoSizeFor } from './pushed-frame.js';

/** The headers of a JPEG of the given size (SOI, APP0, SOF0), a little data and the end marker. */
function jpeg(width: number, height: number, { end = true } = {}): Buffer {
  const head = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([head, sof, Buffer.alloc(40, 0x55), end ? Buffer.from([0xff, 0xd9]) : Buffer.alloc(0)]);
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return `${(error as { code: string }).code} ${(error as { httpStatus: number }).httpStatus}`;
  }
  return 'ok';
};

describe('checkPushedFrame', () => {
  it('accepts a whole JPEG and reads its size', () => {
    expect(checkPushedFrame(jpeg(640, 480), 'frame 1')).toMatchObject({ width: 640, height: 480 });
    // padding after the end marker, as some cameras send
    expect(checkPushedFrame(Buffer.concat([jpeg(64, 48), Buffer.alloc(10)]), 'frame 1')).toMatchObject({ width: 64 });
  });

  it('refuses what is not a whole JPEG of a sensible size, saying so', () => {
    expect(codeOf(() => checkPushedFrame(Buffer.alloc(0), 'frame 1'))).toBe('NO_FRAME 400');
    expect(codeOf(() => checkPushedFrame(Buffer.from('hello, this is text'), 'frame 1'))).toBe('NOT_JPEG 415');
    const png = Buffer.from('89504e470d0a1a0a0000000d494844520000028000000168080200000000', 'hex');
    expect(() => checkPushedFrame(png, 'frame 2')).toThrow(/frame 2 is a PNG picture; push JPEG/);
    expect(codeOf(() => checkPushedFrame(jpeg(640, 480, { end: false }), 'frame 1'))).toBe('FRAME_TRUNCATED 422');
    expect(codeOf(() => checkPushedFrame(jpeg(16, 480), 'frame 1'))).toBe('FRAME_TOO_SMALL 422');
    expect(codeOf(() => checkPushedFrame(jpeg(8000, 480), 'frame 1'))).toBe('FRAME_TOO_BIG 422');
  });
});

describe('videoSizeFor', () => {
  it('takes the size asked, else the first frame, always even', () => {
    expect(videoSizeFor({ width: 640, height: 360 }, { width: 1280, height: 720 })).toEqual({ width: 640, height: 360 });
    expect(videoSizeFor({ width: null, height: null }, { width: 641, height: 481 })).toEqual({ width: 640, height: 480 });
  });
});

describe('captureTime', () => {
  const now = new Date('2026-11-22T10:15:05.000Z');
  it("uses the device's time when it is believable", () => {
    expect(captureTime('2026-11-22T10:15:04.250Z', now)).toEqual({ at: new Date('2026-11-22T10:15:04.250Z'), warning: null });
    expect(captureTime('2026-11-22T11:15:04+01:00', now).at.toISOString()).toBe('2026-11-22T10:15:04.000Z');
    expect(captureTime(undefined, now)).toEqual({ at: now, warning: null });
  });

  it('falls back to the arrival time with a warning for garbage or a clock far off', () => {
    expect(captureTime('yesterday', now)).toMatchObject({ at: now, warning: expect.stringMatching(/not an ISO 8601 time/) });
    expect(captureTime('1970-01-01T00:00:00Z', now)).toMatchObject({ at: now, warning: expect.stringMatching(/check the device's clock/) });
    expect(captureTime('2026-11-22T12:00:00Z', now).at).toBe(now);
  });
});
