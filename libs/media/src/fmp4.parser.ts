/**
 * Fragmented MP4 (ISO BMFF) as ffmpeg writes it for a live camera (`-f mp4 -movflags
 * frag_keyframe+empty_moov+default_base_moof`): an init segment (ftyp + moov) followed by
 * fragments (moof + mdat), each starting at a key frame. Pure code: the recorder cuts clips and
 * feeds the live view from these pieces, so it needs their timing (decode time, duration) and
 * nothing else of the video.
 */

/** A complete top-level box: its type and all of its bytes (header included). */
export interface Mp4Box {
  type: string;
  bytes: Buffer;
}

/** What the init segment says about the (first video) track. */
export interface InitSegmentInfo {
  trackId: number;
  /** ticks per second of the track's times */
  timescale: number;
  /** sample entry type: avc1, avc3, hvc1, hev1, mp4v... */
  sampleEntry: string;
  /** RFC 6381 codec string for MediaSource (avc1.64001f), or the sample entry when it cannot be told */
  codec: string;
  width: number;
  height: number;
  /** browsers play it through MediaSource without re-encoding (H.264) */
  browserPlayable: boolean;
  /** trex defaults, used when a fragment does not say */
  defaultSampleDuration: number;
  defaultSampleFlags: number;
  /** H.264: the sequence parameter set of the avcC box (what the picture size comes from), and the size of NAL length fields */
  sps: Buffer | null;
  nalLengthSize: number;
}

/** Timing of one fragment (moof + its mdat). */
export interface FragmentInfo {
  sequenceNumber: number;
  /** decode time of its first sample, in track ticks */
  baseDecodeTime: bigint;
  /** sum of its sample durations, in track ticks */
  duration: number;
  sampleCount: number;
  /** its first sample is a sync sample (a key frame): a clip or a viewer may start here */
  startsWithKeyFrame: boolean;
  /** some sample is shown at another time than it is decoded (B-frames: the decoder holds pictures back to reorder them) */
  reordered: boolean;
  /** where its first sample starts, counted from the start of the moof (trun data offset), and its size; null when not said */
  firstSample: { offset: number; size: number } | null;
}

export class Mp4FormatError extends Error {}

/** Largest box accepted from a camera stream (a fragment's mdat of a 4K key frame is well below). */
export const maxMp4BoxBytes = 64 * 1024 * 1024;

/**
 * Cuts a byte stream into complete top-level boxes. Push chunks as they come; a box that says it is
 * larger than `maxBoxBytes`, or smaller than its header, is a broken stream (Mp4FormatError).
 */
export class Mp4BoxSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBoxBytes = maxMp4BoxBytes) {}

  /** bytes received that do not yet make a whole box */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): Mp4Box[] {
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    const boxes: Mp4Box[] = [];
    for (;;) {
      if (this.pendingBytes < 8) return boxes;
      const head = this.peek(16);
      let size = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      let headerSize = 8;
      if (size === 1) {
        if (this.pendingBytes < 16) return boxes;
        const large = head.readBigUInt64BE(8);
        if (large > BigInt(this.maxBoxBytes)) throw new Mp4FormatError(`a ${printable(type)} box of ${large} bytes is larger than the ${this.maxBoxBytes} accepted`);
        size = Number(large);
        headerSize = 16;
      } else if (size === 0) {
        throw new Mp4FormatError(`a ${printable(type)} box without a size cannot be streamed`);
      }
      if (size < headerSize) throw new Mp4FormatError(`a ${printable(type)} box says it has ${size} bytes, less than its header`);
      if (size > this.maxBoxBytes) throw new Mp4FormatError(`a ${printable(type)} box of ${size} bytes is larger than the ${this.maxBoxBytes} accepted`);
      if (this.pendingBytes < size) return boxes;
      boxes.push({ type, bytes: this.take(size) });
    }
  }

  private peek(count: number): Buffer {
    if (this.pending[0].length >= count || this.pending.length === 1) return this.pending[0].subarray(0, Math.min(count, this.pending[0].length));
    return Buffer.concat(this.pending).subarray(0, count);
  }

  private take(count: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const taken = Buffer.from(all.subarray(0, count));
    const rest = all.subarray(count);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return taken;
  }
}

function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? `"${type}"` : 'unnamed';
}

/** A box inside a buffer: where its payload starts and ends. */
interface Child {
  type: string;
  start: number;
  payload: number;
  end: number;
}

/** The boxes directly inside `buffer` from `from` to `to`. */
function children(buffer: Buffer, from: number, to: number): Child[] {
  const list: Child[] = [];
  let offset = from;
  while (offset + 8 <= to) {
    let size = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > to) break;
      size = Number(buffer.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = to - offset;
    }
    if (size < header || offset + size > to) throw new Mp4FormatError(`the ${printable(type)} box at byte ${offset} does not fit in its parent`);
    list.push({ type, start: offset, payload: offset + header, end: offset + size });
    offset += size;
  }
  return list;
}

function child(buffer: Buffer, parent: { payload: number; end: number }, type: string): Child | undefined {
  return children(buffer, parent.payload, parent.end).find((box) => box.type === type);
}

function path(buffer: Buffer, parent: { payload: number; end: number }, ...types: string[]): Child | undefined {
  let current: { payload: number; end: number } | undefined = parent;
  let found: Child | undefined;
  for (const type of types) {
    if (!current) return undefined;
    found = child(buffer, current, type);
    current = found;
  }
  return found;
}

const whole = (buffer: Buffer) => ({ payload: 0, end: buffer.length });

/** Reads the init segment (ftyp + moov, or the moov alone): the first video track's timing and codec. */
export function parseInitSegment(init: Buffer): InitSegmentInfo {
  const moov = child(init, whole(init), 'moov');
  if (!moov) throw new Mp4FormatError('the init segment has no moov box');
  const traks = children(init, moov.payload, moov.end).filter((box) => box.type === 'trak');
  for (const trak of traks) {
    const mdia = child(init, trak, 'mdia');
    const hdlr = mdia && child(init, mdia, 'hdlr');
    if (!mdia || !hdlr || init.toString('latin1', hdlr.payload + 8, hdlr.payload + 12) !== 'vide') continue;
    const tkhd = child(init, trak, 'tkhd');
    const mdhd = child(init, mdia, 'mdhd');
    if (!tkhd || !mdhd) throw new Mp4FormatError('the video track has no tkhd or mdhd box');
    const trackId = init.readUInt32BE(tkhd.payload + (init[tkhd.payload] === 1 ? 20 : 12));
    const timescale = init.readUInt32BE(mdhd.payload + (init[mdhd.payload] === 1 ? 20 : 12));
    if (timescale === 0) throw new Mp4FormatError('the video track has a timescale of 0');
    const stsd = path(init, mdia, 'minf', 'stbl', 'stsd');
    if (!stsd) throw new Mp4FormatError('the video track has no sample description');
    // stsd: version/flags (4), entry count (4), then sample entries
    const [entry] = children(init, stsd.payload + 8, stsd.end);
    if (!entry) throw new Mp4FormatError('the video track has no sample entry');
    const width = init.readUInt16BE(entry.payload + 24);
    const height = init.readUInt16BE(entry.payload + 26);
    const codec = codecString(init, entry);
    const avc = avcConfig(init, entry);
    const trex = children(init, moov.payload, moov.end)
      .filter((box) => box.type === 'mvex')
      .flatMap((mvex) => children(init, mvex.payload, mvex.end))
      .find((box) => box.type === 'trex' && init.readUInt32BE(box.payload + 4) === trackId);
    return {
      trackId,
      timescale,
      sampleEntry: entry.type,
      codec,
      width,
      height,
      browserPlayable: entry.type === 'avc1' || entry.type === 'avc3',
      defaultSampleDuration: trex ? init.readUInt32BE(trex.payload + 12) : 0,
      defaultSampleFlags: trex ? init.readUInt32BE(trex.payload + 20) : 0,
      sps: avc?.sps ?? null,
      nalLengthSize: avc?.nalLengthSize ?? 4,
    };
  }
  throw new Mp4FormatError('the init segment has no video track');
}

/** avc1.PPCCLL from the avcC box of an H.264 sample entry; the entry type for other codecs. */
function codecString(buffer: Buffer, entry: Child): string {
  if (entry.type !== 'avc1' && entry.type !== 'avc3') return entry.type;
  // VisualSampleEntry: 78 bytes of fields, then its boxes
  const avcC = children(buffer, entry.payload + 78, entry.end).find((box) => box.type === 'avcC');
  if (!avcC) return entry.type;
  const hex = (offset: number) => buffer[avcC.payload + offset].toString(16).padStart(2, '0');
  return `${entry.type}.${hex(1)}${hex(2)}${hex(3)}`;
}

/** The first SPS and the NAL length size of an H.264 sample entry's avcC box. */
function avcConfig(buffer: Buffer, entry: Child): { sps: Buffer | null; nalLengthSize: number } | null {
  if (entry.type !== 'avc1' && entry.type !== 'avc3') return null;
  const avcC = children(buffer, entry.payload + 78, entry.end).find((box) => box.type === 'avcC');
  if (!avcC || avcC.end - avcC.payload < 8) return null;
  const nalLengthSize = (buffer[avcC.payload + 4] & 0x03) + 1;
  const spsCount = buffer[avcC.payload + 5] & 0x1f;
  if (spsCount === 0) return { sps: null, nalLengthSize };
  const length = buffer.readUInt16BE(avcC.payload + 6);
  const start = avcC.payload + 8;
  return { sps: start + length <= avcC.end ? Buffer.from(buffer.subarray(start, start + length)) : null, nalLengthSize };
}

/**
 * The SPS a fragment carries in its first sample (a camera that changed its resolution sends a
 * new one with its next key frame), or null. `mdat` is the fragment's mdat box, whole.
 */
export function inBandSps(moof: Buffer, mdat: Buffer, fragment: FragmentInfo, nalLengthSize: number): Buffer | null {
  if (!fragment.firstSample) return null;
  // default-base-is-moof: the data offset counts from the moof's first byte; the mdat follows the moof
  const start = fragment.firstSample.offset - moof.length;
  const end = Math.min(mdat.length, start + fragment.firstSample.size);
  if (start < 8 || end <= start) return null;
  let at = start;
  while (at + nalLengthSize < end) {
    let length = 0;
    for (let i = 0; i < nalLengthSize; i++) length = length * 256 + mdat[at + i];
    const nal = at + nalLengthSize;
    if (length <= 0 || nal + length > end) return null;
    const type = mdat[nal] & 0x1f;
    if (type === 7) return Buffer.from(mdat.subarray(nal, nal + length));
    // parameter sets and delimiters come before the picture: past the first slice there is none
    if (type === 1 || type === 5) return null;
    at = nal + length;
  }
  return null;
}

const sampleIsNonSync = 0x00010000;

/** Reads a fragment's moof: when it starts, how long it lasts, whether it starts with a key frame. */
export function parseFragment(moof: Buffer, init: Pick<InitSegmentInfo, 'trackId' | 'defaultSampleDuration' | 'defaultSampleFlags'>): FragmentInfo {
  const box = child(moof, whole(moof), 'moof');
  if (!box) throw new Mp4FormatError('not a moof box');
  const mfhd = child(moof, box, 'mfhd');
  const sequenceNumber = mfhd ? moof.readUInt32BE(mfhd.payload + 4) : 0;
  for (const traf of children(moof, box.payload, box.end).filter((b) => b.type === 'traf')) {
    const tfhd = child(moof, traf, 'tfhd');
    if (!tfhd) continue;
    const tfhdFlags = moof.readUInt32BE(tfhd.payload) & 0xffffff;
    if (moof.readUInt32BE(tfhd.payload + 4) !== init.trackId) continue;
    let offset = tfhd.payload + 8;
    if (tfhdFlags & 0x01) offset += 8; // base data offset
    if (tfhdFlags & 0x02) offset += 4; // sample description index
    let defaultDuration = init.defaultSampleDuration;
    let defaultFlags = init.defaultSampleFlags;
    if (tfhdFlags & 0x08) {
      defaultDuration = moof.readUInt32BE(offset);
      offset += 4;
    }
    if (tfhdFlags & 0x10) offset += 4; // default sample size
    if (tfhdFlags & 0x20) defaultFlags = moof.readUInt32BE(offset);

    const tfdt = child(moof, traf, 'tfdt');
    if (!tfdt) throw new Mp4FormatError('the fragment has no decode time (tfdt)');
    const baseDecodeTime = moof[tfdt.payload] === 1 ? moof.readBigUInt64BE(tfdt.payload + 4) : BigInt(moof.readUInt32BE(tfdt.payload + 4));

    let duration = 0;
    let sampleCount = 0;
    let firstFlags: number | null = null;
    let firstSample: { offset: number; size: number } | null = null;
    let reordered = false;
    for (const trun of children(moof, traf.payload, traf.end).filter((b) => b.type === 'trun')) {
      const flags = moof.readUInt32BE(trun.payload) & 0xffffff;
      const count = moof.readUInt32BE(trun.payload + 4);
      let at = trun.payload + 8;
      let dataOffset: number | null = null;
      if (flags & 0x01) {
        dataOffset = moof.readInt32BE(at);
        at += 4;
      }
      let firstSampleFlags: number | null = null;
      if (flags & 0x04) {
        firstSampleFlags = moof.readUInt32BE(at);
        at += 4;
      }
      const perSample = ((flags & 0x100) ? 4 : 0) + ((flags & 0x200) ? 4 : 0) + ((flags & 0x400) ? 4 : 0) + ((flags & 0x800) ? 4 : 0);
      if (at + perSample * count > trun.end) throw new Mp4FormatError('a trun box lists more samples than it holds');
      for (let i = 0; i < count; i++) {
        let field = at + i * perSample;
        if (flags & 0x100) {
          duration += moof.readUInt32BE(field);
          field += 4;
        } else {
          duration += defaultDuration;
        }
        if (flags & 0x200) {
          if (i === 0 && sampleCount === 0 && dataOffset !== null) firstSample = { offset: dataOffset, size: moof.readUInt32BE(field) };
          field += 4;
        }
        if (i === 0 && sampleCount === 0) {
          firstFlags = firstSampleFlags ?? ((flags & 0x400) ? moof.readUInt32BE(field) : defaultFlags);
        }
        if (flags & 0x400) field += 4;
        if ((flags & 0x800) && moof.readUInt32BE(field) !== 0) reordered = true;
      }
      sampleCount += count;
    }
    return { sequenceNumber, baseDecodeTime, duration, sampleCount, startsWithKeyFrame: firstFlags !== null && (firstFlags & sampleIsNonSync) === 0, firstSample, reordered };
  }
  throw new Mp4FormatError(`the fragment has no run of track ${init.trackId}`);
}

/**
 * A copy of `moof` whose decode time (tfdt of every track run) is moved back by `shift` ticks, so
 * a clip cut out of a live stream starts at 0 like a file (players seek `#t=` from there).
 */
export function shiftFragmentTime(moof: Buffer, shift: bigint): Buffer {
  const copy = Buffer.from(moof);
  const box = child(copy, whole(copy), 'moof');
  if (!box) throw new Mp4FormatError('not a moof box');
  for (const traf of children(copy, box.payload, box.end).filter((b) => b.type === 'traf')) {
    const tfdt = child(copy, traf, 'tfdt');
    if (!tfdt) continue;
    if (copy[tfdt.payload] === 1) {
      const value = copy.readBigUInt64BE(tfdt.payload + 4) - shift;
      copy.writeBigUInt64BE(value < 0n ? 0n : value, tfdt.payload + 4);
    } else {
      const value = BigInt(copy.readUInt32BE(tfdt.payload + 4)) - shift;
      copy.writeUInt32BE(Number(value < 0n ? 0n : value), tfdt.payload + 4);
    }
  }
  return copy;
}

/**
 * The length of the part of a fragmented MP4 file that is whole: the init segment and every
 * complete moof + mdat pair. A clip file cut short (the recorder killed mid-write) is truncated to
 * it and stays playable; 0 when not even the init segment is whole.
 */
export function completeFragmentedLength(file: Buffer): number {
  let offset = 0;
  let complete = 0;
  let sawMoov = false;
  let pendingMoof = false;
  while (offset + 8 <= file.length) {
    let size = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    if (size === 1) {
      if (offset + 16 > file.length) break;
      size = Number(file.readBigUInt64BE(offset + 8));
    }
    if (size < 8 || offset + size > file.length) break;
    offset += size;
    if (type === 'moov') {
      sawMoov = true;
      complete = offset;
    } else if (type === 'moof') {
      pendingMoof = true;
    } else if (type === 'mdat' && pendingMoof) {
      pendingMoof = false;
      if (sawMoov) complete = offset;
    } else if (!sawMoov) {
      complete = 0; // ftyp and the like count only with a moov after them
    }
  }
  return sawMoov ? complete : 0;
}
