import type { FragmentInfo } from '@cameramonit/media';

/**
 * Where clips begin and end in a camera's fragment stream, and when each began by the wall clock.
 * Pure: the recorder feeds it every fragment with the time it arrived and does what it says.
 *
 * - A clip starts at a fragment that starts with a key frame and ends before the first key-frame
 *   fragment that would make it `clipSec` or longer (so clips are about `clipSec`, cut at key frames).
 * - Wall-clock times come from the stream's own decode times, anchored once per run of ffmpeg to
 *   the moment the first fragment arrived (a fragment is written when it is complete: it began its
 *   duration before it arrived). Consecutive clips of one run therefore follow each other exactly.
 *   ffmpeg holds the first fragments back while it probes the stream (about 2 s here) and then
 *   sends them at once, so while the run's first clip is open, a fragment that arrives earlier than
 *   the anchor says it could have moves the anchor, and that clip's start, back by as much.
 * - A camera whose times jump (back, or far ahead), or drift more than `maxDriftSec` from the wall
 *   clock, is re-anchored to the wall clock and a new clip starts there: garbage timestamps never
 *   give a clip a time in the wrong hour, and never a negative length.
 */
export interface ClipCutterOptions {
  /** the camera's buffer seconds: the length clips are cut to */
  clipSec: number;
  timescale: number;
  /** re-anchor when the stream's clock and the wall clock disagree by more than this (default 3 s) */
  maxDriftSec?: number;
  /** a clip never grows past this, even without a key frame to cut at (default 4x clipSec, at least 60 s) */
  maxClipSec?: number;
}

export type CutAction =
  /** close the open clip (if any) before this fragment, then start a new one with it */
  | { action: 'start'; startedAtMs: number; reason: 'first' | 'length' | 'clock' }
  /** add the fragment to the open clip */
  | { action: 'append' }
  /** no clip can start here (no key frame): drop it; `closeOpen`: close the open clip first (it grew too long waiting for a key frame) */
  | { action: 'skip'; closeOpen: boolean };

export interface OpenClipTiming {
  startedAtMs: number;
  /** decode time of its first fragment, ticks (fragments of the clip are shifted back by it) */
  firstDecodeTime: bigint;
  durationSec: number;
}

export class ClipCutter {
  private anchor: { wallMs: number; decodeTime: bigint } | null = null;
  private open: OpenClipTiming | null = null;
  private lastEndTime: bigint | null = null;
  /** the open clip is the first of this run of ffmpeg: arrivals may still show that its anchor was late */
  private firstClipOpen = false;
  private readonly maxDriftSec: number;
  private readonly maxClipSec: number;

  constructor(private readonly options: ClipCutterOptions) {
    if (!(options.clipSec > 0)) throw new Error(`clipSec must be positive, got ${options.clipSec}`);
    if (!(options.timescale > 0)) throw new Error(`timescale must be positive, got ${options.timescale}`);
    this.maxDriftSec = options.maxDriftSec ?? 3;
    this.maxClipSec = options.maxClipSec ?? Math.max(60, options.clipSec * 4);
  }

  /** the clip being filled, or null */
  get current(): OpenClipTiming | null {
    return this.open;
  }

  /** Decide what to do with `fragment`, which arrived (complete) at `arrivedAtMs`. */
  next(fragment: FragmentInfo, arrivedAtMs: number): CutAction {
    const ts = this.options.timescale;
    const durationSec = fragment.duration / ts;
    const observedStartMs = arrivedAtMs - durationSec * 1000;
    let reanchored = false;
    if (this.anchor === null) {
      this.anchor = { wallMs: observedStartMs, decodeTime: fragment.baseDecodeTime };
      reanchored = true;
    } else {
      const jumped = this.lastEndTime !== null && (fragment.baseDecodeTime < this.lastEndTime || Number(fragment.baseDecodeTime - this.lastEndTime) / ts > this.maxDriftSec);
      const expectedMs = this.wallOf(fragment.baseDecodeTime);
      if (jumped || Math.abs(expectedMs - observedStartMs) > this.maxDriftSec * 1000) {
        // the camera's clock is not to be trusted here: follow the wall clock from this fragment on
        this.anchor = { wallMs: observedStartMs, decodeTime: fragment.baseDecodeTime };
        reanchored = true;
      } else if (this.firstClipOpen && observedStartMs < expectedMs) {
        // it could not have been complete any later: the first fragments were held back, the anchor is late by this much
        const lateMs = expectedMs - observedStartMs;
        this.anchor.wallMs -= lateMs;
        if (this.open) this.open.startedAtMs -= lateMs;
      }
    }
    this.lastEndTime = fragment.baseDecodeTime + BigInt(fragment.duration);
    const startedAtMs = this.wallOf(fragment.baseDecodeTime);

    if (this.open === null) {
      if (!fragment.startsWithKeyFrame) return { action: 'skip', closeOpen: false };
      this.open = { startedAtMs, firstDecodeTime: fragment.baseDecodeTime, durationSec };
      this.firstClipOpen = true;
      return { action: 'start', startedAtMs, reason: 'first' };
    }
    this.firstClipOpen &&= !reanchored;
    if (reanchored && fragment.startsWithKeyFrame) {
      this.open = { startedAtMs, firstDecodeTime: fragment.baseDecodeTime, durationSec };
      return { action: 'start', startedAtMs, reason: 'clock' };
    }
    const length = this.open.durationSec;
    const full = length + durationSec > this.options.clipSec + 0.05 && length >= this.options.clipSec * 0.5;
    if ((full && fragment.startsWithKeyFrame) || length >= this.maxClipSec) {
      if (!fragment.startsWithKeyFrame) {
        // no key frame for far too long: end the clip here; the next clip waits for a key frame
        this.open = null;
        this.firstClipOpen = false;
        return { action: 'skip', closeOpen: true };
      }
      this.open = { startedAtMs, firstDecodeTime: fragment.baseDecodeTime, durationSec };
      this.firstClipOpen = false;
      return { action: 'start', startedAtMs, reason: 'length' };
    }
    this.open.durationSec += durationSec;
    return { action: 'append' };
  }

  /** The stream ended (ffmpeg stopped): the open clip is closed; the next run anchors anew. */
  end(): OpenClipTiming | null {
    const closed = this.open;
    this.open = null;
    this.firstClipOpen = false;
    this.anchor = null;
    this.lastEndTime = null;
    return closed;
  }

  private wallOf(decodeTime: bigint): number {
    const anchor = this.anchor as { wallMs: number; decodeTime: bigint };
    return anchor.wallMs + (Number(decodeTime - anchor.decodeTime) / this.options.timescale) * 1000;
  }
}
