import { Mp4BoxSplitter, parseFragment, parseInitSegment, type FragmentInfo, type InitSegmentInfo } from './fmp4.parser.js';

/**
 * When the pictures of a live stream were taken, on this machine's clock, from when its fragments
 * arrived. A fragment comes whole only once the picture after its last has been taken (the next key
 * frame closes it), so "arrived − the media time its fragment ends" is the stream's delay plus a
 * constant; the smallest of the recent ones (the fragments that came soonest) ties media time to the
 * clock. A fragment that comes more than `jumpMs` later than that (fragments skipped, time started
 * over) starts the estimate again; one that comes late once is outweighed by the next on time.
 * A browser does the same for the picture it shows (apps/chat/public/live-motion.js), so the two
 * agree on "when" without comparing media times of different streams.
 */
export class LiveStreamClock {
  private samples: number[] = [];

  constructor(
    private readonly window = 20,
    private readonly jumpMs = 1000,
  ) {}

  /** A fragment whose pictures end at media time `endMs` arrived whole at `arrivedAtMs`. */
  arrived(endMs: number, arrivedAtMs: number): void {
    const sample = arrivedAtMs - endMs;
    if (!Number.isFinite(sample)) return;
    const least = this.least();
    if (least !== null && sample > least + this.jumpMs) this.samples = [];
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
  }

  /** The clock time the picture at media time `mediaMs` was taken (give or take the stream's least delay); null before any fragment. */
  takenAt(mediaMs: number): number | null {
    const least = this.least();
    return least === null ? null : Math.round(mediaMs + least);
  }

  private least(): number | null {
    return this.samples.length > 0 ? Math.min(...this.samples) : null;
  }
}

/**
 * Reads a live fragmented MP4's boxes as they pass (the bytes go on unchanged elsewhere): its time
 * scale, how far apart its key frames are (from its first key frame to the next), and when each
 * fragment came whole, into a LiveStreamClock.
 * Throws Mp4FormatError on boxes that are not MP4.
 */
export class LiveStreamTiming {
  readonly clock = new LiveStreamClock();
  /** ticks per second of the video track; 0 until the init segment came */
  timescale = 0;
  /** seconds between key frames, from the first whole fragment; null before it */
  keyFrameIntervalSec: number | null = null;
  private readonly splitter = new Mp4BoxSplitter();
  private init: Buffer[] = [];
  private track: InitSegmentInfo | null = null;
  private moof: FragmentInfo | null = null;
  private firstKey: FragmentInfo | null = null;

  push(chunk: Uint8Array, nowMs = Date.now()): void {
    for (const box of this.splitter.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
      if (box.type === 'moov') {
        this.track = parseInitSegment(Buffer.concat([...this.init, box.bytes]));
        this.timescale = this.track.timescale;
        this.init = [];
      } else if (box.type === 'moof' && this.track) {
        this.moof = parseFragment(box.bytes, this.track);
      } else if (box.type === 'mdat' && this.moof && this.timescale > 0) {
        const { baseDecodeTime, duration, startsWithKeyFrame } = this.moof;
        if (this.keyFrameIntervalSec === null && startsWithKeyFrame) {
          if (this.firstKey) this.keyFrameIntervalSec = Number(baseDecodeTime - this.firstKey.baseDecodeTime) / this.timescale;
          else this.firstKey = this.moof;
        }
        this.clock.arrived((Number(baseDecodeTime + BigInt(duration)) * 1000) / this.timescale, nowMs);
        this.moof = null;
      } else if (!this.track) {
        this.init.push(box.bytes);
      }
    }
  }

  /** When the picture at `pts` (track ticks) was taken; null before the time scale is known. */
  takenAt(pts: bigint): number | null {
    return this.timescale > 0 ? this.clock.takenAt((Number(pts) * 1000) / this.timescale) : null;
  }
}
