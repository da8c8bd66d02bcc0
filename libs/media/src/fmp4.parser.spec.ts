import { describe, expect, it } from 'vitest';
import { completeFragmentedLength, inBandSps, Mp4BoxSplitter, Mp4FormatError, parseFragment, parseInitSegment, shiftFragmentTime } from './fmp4.parser.js';
import { box, testFragment, testInitSegment, u32 } from './fmp4.testing.js';

describe('Mp4BoxSplitter', () => {
  it('cuts a stream into whole boxes whatever the chunk boundaries', () => {
    const init = testInitSegment();
    const one = testFragment({ baseDecodeTime: 0n, durations: [9000, 9000] });
    const two = testFragment({ baseDecodeTime: 18000n, durations: [9000] });
    const stream = Buffer.concat([init, one.bytes, two.bytes]);
    for (const chunkSize of [1, 7, 100, stream.length]) {
      const splitter = new Mp4BoxSplitter();
      const types: string[] = [];
      for (let at = 0; at < stream.length; at += chunkSize) types.push(...splitter.push(stream.subarray(at, at + chunkSize)).map((b) => b.type));
      expect(types).toEqual(['ftyp', 'moov', 'moof', 'mdat', 'moof', 'mdat']);
      expect(splitter.bufferedBytes).toBe(0);
    }
  });

  it('refuses a box that says it is huge or smaller than its header', () => {
    const huge = Buffer.concat([u32(0x7fffffff), Buffer.from('mdat')]);
    expect(() => new Mp4BoxSplitter(1024 * 1024).push(huge)).toThrow(Mp4FormatError);
    const tiny = Buffer.concat([u32(4), Buffer.from('moof')]);
    expect(() => new Mp4BoxSplitter().push(tiny)).toThrow(/less than its header/);
    const noSize = Buffer.concat([u32(0), Buffer.from('mdat')]);
    expect(() => new Mp4BoxSplitter().push(noSize)).toThrow(/without a size/);
  });
});

describe('parseInitSegment', () => {
  it('finds the video track (not the audio one), its timescale, size and the codec string for MediaSource', () => {
    const info = parseInitSegment(testInitSegment({ trackId: 2, timescale: 90_000, width: 1280, height: 720, avc: [0x4d, 0x40, 0x28] }));
    expect(info).toMatchObject({ trackId: 2, timescale: 90_000, width: 1280, height: 720, codec: 'avc1.4d4028', sampleEntry: 'avc1', browserPlayable: true });
  });

  it('says when the browser cannot play the codec (H.265 is recorded, not shown live)', () => {
    expect(parseInitSegment(testInitSegment({ sampleEntry: 'hvc1' }))).toMatchObject({ codec: 'hvc1', browserPlayable: false });
  });

  it('refuses what is not an init segment', () => {
    expect(() => parseInitSegment(box('ftyp', Buffer.from('isom')))).toThrow(/no moov/);
  });
});

describe('parseFragment', () => {
  const init = parseInitSegment(testInitSegment());

  it('reads the decode time, the duration and whether it starts with a key frame', () => {
    const { moof } = testFragment({ sequenceNumber: 7, baseDecodeTime: 8_100_000_000n, durations: [9000, 9000, 9000] });
    expect(parseFragment(moof, init)).toMatchObject({ sequenceNumber: 7, baseDecodeTime: 8_100_000_000n, duration: 27000, sampleCount: 3, startsWithKeyFrame: true });
    const other = testFragment({ baseDecodeTime: 27000n, durations: [9000], keyFrame: false, tfdtVersion0: true });
    expect(parseFragment(other.moof, init)).toMatchObject({ baseDecodeTime: 27000n, startsWithKeyFrame: false });
  });

  it('refuses a fragment of another track', () => {
    const { moof } = testFragment({ trackId: 5, baseDecodeTime: 0n, durations: [1] });
    expect(() => parseFragment(moof, init)).toThrow(/no run of track 1/);
  });
});

describe('inBandSps', () => {
  it("finds a new SPS in a key frame's first sample (the camera changed its picture size), not in other frames", () => {
    const oldSps = Buffer.from([0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50]);
    const newSps = Buffer.from([0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78]);
    const init = parseInitSegment(testInitSegment({ sps: oldSps }));
    expect(init.sps?.equals(oldSps)).toBe(true);
    expect(init.nalLengthSize).toBe(4);
    const pps = Buffer.from([0x68, 0xeb, 0xe3]);
    const idr = Buffer.from([0x65, 0x88, 0x84, 0x00]);
    const changed = testFragment({ baseDecodeTime: 0n, durations: [9000, 9000], firstSampleNals: [newSps, pps, idr] });
    expect(inBandSps(changed.moof, changed.mdat, parseFragment(changed.moof, init), init.nalLengthSize)?.equals(newSps)).toBe(true);
    const same = testFragment({ baseDecodeTime: 0n, durations: [9000], firstSampleNals: [oldSps, pps, idr] });
    expect(inBandSps(same.moof, same.mdat, parseFragment(same.moof, init), init.nalLengthSize)?.equals(oldSps)).toBe(true);
    const plain = testFragment({ baseDecodeTime: 0n, durations: [9000], firstSampleNals: [idr] });
    expect(inBandSps(plain.moof, plain.mdat, parseFragment(plain.moof, init), init.nalLengthSize)).toBeNull();
  });
});

describe('shiftFragmentTime', () => {
  it('moves a fragment back in time so a clip cut from the stream starts at 0, leaving the original alone', () => {
    const init = parseInitSegment(testInitSegment());
    for (const tfdtVersion0 of [false, true]) {
      const { moof } = testFragment({ baseDecodeTime: 900_000n, durations: [9000], tfdtVersion0 });
      const shifted = shiftFragmentTime(moof, 810_000n);
      expect(parseFragment(shifted, init).baseDecodeTime).toBe(90_000n);
      expect(parseFragment(moof, init).baseDecodeTime).toBe(900_000n);
    }
  });
});

describe('completeFragmentedLength', () => {
  it('keeps the init segment and every whole fragment of a file cut short', () => {
    const init = testInitSegment();
    const one = testFragment({ baseDecodeTime: 0n, durations: [9000] }).bytes;
    const two = testFragment({ baseDecodeTime: 9000n, durations: [9000] }).bytes;
    const file = Buffer.concat([init, one, two]);
    expect(completeFragmentedLength(file)).toBe(file.length);
    expect(completeFragmentedLength(file.subarray(0, file.length - 3))).toBe(init.length + one.length);
    // a moof without its mdat is not whole
    const moofOnly = testFragment({ baseDecodeTime: 9000n, durations: [9000] }).moof;
    expect(completeFragmentedLength(Buffer.concat([init, one, moofOnly]))).toBe(init.length + one.length);
    expect(completeFragmentedLength(init.subarray(0, 20))).toBe(0);
  });
});
