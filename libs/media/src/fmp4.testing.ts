/**
 * Builds small fragmented MP4 streams box by box, the way ffmpeg writes a live camera, for tests
 * of code that reads them (no video inside: the samples are a few bytes each).
 */

export function box(type: string, ...parts: Buffer[]): Buffer {
  const payload = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

export function u32(...values: number[]): Buffer {
  const buffer = Buffer.alloc(4 * values.length);
  values.forEach((value, i) => buffer.writeUInt32BE(value >>> 0, i * 4));
  return buffer;
}

function u16(...values: number[]): Buffer {
  const buffer = Buffer.alloc(2 * values.length);
  values.forEach((value, i) => buffer.writeUInt16BE(value, i * 2));
  return buffer;
}

function u64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(value);
  return buffer;
}

export interface TestInitOptions {
  trackId?: number;
  timescale?: number;
  width?: number;
  height?: number;
  /** avc1 (default) or another sample entry such as hvc1 */
  sampleEntry?: string;
  /** profile, compatibility, level of the avcC box (default High 3.1: 0x64 0x00 0x1f) */
  avc?: [number, number, number];
  defaultSampleDuration?: number;
  /** the SPS in the avcC box */
  sps?: Buffer;
}

/** ftyp + moov with one video track (and an audio track before it, to be skipped). */
export function testInitSegment(options: TestInitOptions = {}): Buffer {
  const trackId = options.trackId ?? 1;
  const timescale = options.timescale ?? 90_000;
  const [profile, compatibility, level] = options.avc ?? [0x64, 0x00, 0x1f];
  const entryType = options.sampleEntry ?? 'avc1';
  const visualFields = Buffer.concat([
    Buffer.alloc(6), u16(1), // reserved, data reference index
    Buffer.alloc(16), // pre-defined and reserved
    u16(options.width ?? 1280, options.height ?? 720),
    u32(0x00480000, 0x00480000, 0), u16(1), Buffer.alloc(32), u16(0x18, 0xffff),
  ]);
  const sps = options.sps ?? Buffer.from([0x67, profile, compatibility, level, 0xac, 0xd9]);
  const spsCount = Buffer.alloc(3);
  spsCount.writeUInt8(0xe1, 0);
  spsCount.writeUInt16BE(sps.length, 1);
  // version, profile, compatibility, level, 4-byte NAL lengths, one SPS, no PPS
  const avcC = box('avcC', Buffer.from([1, profile, compatibility, level, 0xff]), spsCount, sps, Buffer.from([0]));
  const sampleEntry = box(entryType, visualFields, entryType.startsWith('avc') ? avcC : Buffer.alloc(0));
  const videoTrak = box(
    'trak',
    box('tkhd', u32(0x00000003, 0, 0, trackId, 0, 0), Buffer.alloc(60)),
    box(
      'mdia',
      box('mdhd', u32(0, 0, 0, timescale, 0), u16(0x55c4, 0)),
      box('hdlr', u32(0, 0), Buffer.from('vide'), Buffer.alloc(12), Buffer.from('VideoHandler\0')),
      box('minf', box('stbl', box('stsd', u32(0, 1), sampleEntry))),
    ),
  );
  const audioTrak = box(
    'trak',
    box('tkhd', u32(0x00000003, 0, 0, trackId + 1, 0, 0), Buffer.alloc(60)),
    box('mdia', box('mdhd', u32(0, 0, 0, 48_000, 0), u16(0x55c4, 0)), box('hdlr', u32(0, 0), Buffer.from('soun'), Buffer.alloc(12), Buffer.from('Sound\0'))),
  );
  const trex = box('trex', u32(0, trackId, 1, options.defaultSampleDuration ?? 0, 0, 0));
  return Buffer.concat([
    box('ftyp', Buffer.from('isom'), u32(0x200), Buffer.from('isomiso6mp41')),
    box('moov', box('mvhd', u32(0, 0, 0, 1000, 0), Buffer.alloc(80)), audioTrak, videoTrak, box('mvex', trex)),
  ]);
}

export interface TestFragmentOptions {
  trackId?: number;
  sequenceNumber?: number;
  baseDecodeTime: bigint;
  /** per-sample durations (ticks) */
  durations: number[];
  /** the first sample is a key frame (default true) */
  keyFrame?: boolean;
  /** write the tfdt as version 0 (32 bits) */
  tfdtVersion0?: boolean;
  /** NAL units of the first sample (4-byte lengths are added); the other samples are filler */
  firstSampleNals?: Buffer[];
}

/** moof + mdat as ffmpeg writes them with default_base_moof: per-sample durations and sizes, first-sample flags. */
export function testFragment(options: TestFragmentOptions): { moof: Buffer; mdat: Buffer; bytes: Buffer } {
  const trackId = options.trackId ?? 1;
  const count = options.durations.length;
  const firstFlags = options.keyFrame === false ? 0x01010000 : 0x02000000;
  const first = options.firstSampleNals ? Buffer.concat(options.firstSampleNals.flatMap((nal) => [u32(nal.length), nal])) : Buffer.alloc(4, 7);
  const sizes = options.durations.map((_, i) => (i === 0 ? first.length : 4));
  const samples = Buffer.concat(options.durations.map((duration, i) => u32(duration, sizes[i])));
  const tfdt = options.tfdtVersion0 ? box('tfdt', u32(0, Number(options.baseDecodeTime))) : box('tfdt', u32(0x01000000), u64(options.baseDecodeTime));
  const build = (dataOffset: number) =>
    box(
      'moof',
      box('mfhd', u32(0, options.sequenceNumber ?? 1)),
      box('traf', box('tfhd', u32(0x00020020, trackId, 0x01010000)), tfdt, box('trun', u32(0x00000305, count, dataOffset, firstFlags), samples)),
    );
  // the data offset counts from the moof's start to the first sample, past the mdat header
  const moof = build(build(0).length + 8);
  const mdat = box('mdat', first, Buffer.alloc(4 * (count - 1), 7));
  return { moof, mdat, bytes: Buffer.concat([moof, mdat]) };
}
