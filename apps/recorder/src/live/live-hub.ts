import type { InitSegmentInfo } from '@cameramonit/media';

/** Someone watching a camera live: gets the init segment, then fragments, as bytes. */
export interface LiveViewer {
  /** false: the viewer's buffer is full (a slow connection); fragments are skipped until it drains */
  write(bytes: Buffer): boolean;
  /** the stream of this viewer ends (ffmpeg restarted with a new init segment, the camera stopped) */
  end(): void;
}

export interface LiveStreamInfo extends InitSegmentInfo {
  /** when the current stream began */
  sinceMs: number;
}

/** the fragments since the newest key frame are kept for viewers who join up to this size; beyond, a joiner waits for the next key frame */
const maxKeptBytes = 16 * 1024 * 1024;

/**
 * One camera's live picture for any number of viewers, without re-encoding: the fragmented MP4
 * the recorder reads from ffmpeg is passed on as it comes (a fragment at every key frame and every
 * half second between). A viewer that joins gets the init segment and the fragments since the
 * newest key frame, so the picture appears at once (the player skips ahead to the newest). A slow
 * viewer skips fragments until the next key frame (never blocks the camera).
 */
export class LiveHub {
  private init: { bytes: Buffer; info: LiveStreamInfo } | null = null;
  /** the fragments since the newest key frame (the first starts with it); null: none to start from */
  private sinceKey: Buffer[] | null = null;
  private sinceKeyBytes = 0;
  private lastKeySec: number | null = null;
  private keyIntervalSec: number | null = null;
  private readonly viewers = new Map<LiveViewer, { waitingForKeyFrame: boolean }>();

  get info(): LiveStreamInfo | null {
    return this.init?.info ?? null;
  }

  /** seconds between the stream's last two key frames; null until two came */
  get keyFrameIntervalSec(): number | null {
    return this.keyIntervalSec;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** A new stream (ffmpeg started): viewers of the old one are ended, they reconnect. */
  start(initBytes: Buffer, info: InitSegmentInfo, nowMs = Date.now()): void {
    this.stop();
    this.init = { bytes: initBytes, info: { ...info, sinceMs: nowMs } };
  }

  /** A whole fragment; `decodeSec`: its first picture's decode time, in seconds (for the key-frame interval). */
  fragment(bytes: Buffer, startsWithKeyFrame: boolean, decodeSec?: number): void {
    if (startsWithKeyFrame) {
      if (decodeSec !== undefined) {
        if (this.lastKeySec !== null && decodeSec > this.lastKeySec) this.keyIntervalSec = decodeSec - this.lastKeySec;
        this.lastKeySec = decodeSec;
      }
      this.sinceKey = [bytes];
      this.sinceKeyBytes = bytes.length;
    } else if (this.sinceKey) {
      this.sinceKeyBytes += bytes.length;
      if (this.sinceKeyBytes > maxKeptBytes) this.sinceKey = null;
      else this.sinceKey.push(bytes);
    }
    for (const [viewer, state] of this.viewers) {
      if (state.waitingForKeyFrame && !startsWithKeyFrame) continue;
      state.waitingForKeyFrame = !viewer.write(bytes);
    }
  }

  /** The stream stopped: every viewer's response ends. */
  stop(): void {
    for (const viewer of this.viewers.keys()) viewer.end();
    this.viewers.clear();
    this.init = null;
    this.sinceKey = null;
    this.sinceKeyBytes = 0;
    this.lastKeySec = null;
    this.keyIntervalSec = null;
  }

  /** Adds a viewer; false when there is no picture to show (the camera is not streaming). */
  join(viewer: LiveViewer): boolean {
    if (!this.init) return false;
    viewer.write(this.init.bytes);
    let ready = this.sinceKey !== null;
    for (const bytes of this.sinceKey ?? []) ready = viewer.write(bytes) && ready;
    this.viewers.set(viewer, { waitingForKeyFrame: !ready });
    return true;
  }

  leave(viewer: LiveViewer): void {
    this.viewers.delete(viewer);
  }
}
