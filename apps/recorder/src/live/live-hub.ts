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

/**
 * One camera's live picture for any number of viewers, without re-encoding: the fragmented MP4
 * the recorder reads from ffmpeg is passed on as it comes. A viewer that joins gets the init
 * segment and the newest fragment (each starts with a key frame), so the picture appears at once,
 * about one fragment behind the camera. A slow viewer skips fragments (never blocks the camera).
 */
export class LiveHub {
  private init: { bytes: Buffer; info: LiveStreamInfo } | null = null;
  private latest: Buffer | null = null;
  private readonly viewers = new Map<LiveViewer, { waitingForKeyFrame: boolean }>();

  get info(): LiveStreamInfo | null {
    return this.init?.info ?? null;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** A new stream (ffmpeg started): viewers of the old one are ended, they reconnect. */
  start(initBytes: Buffer, info: InitSegmentInfo, nowMs = Date.now()): void {
    this.stop();
    this.init = { bytes: initBytes, info: { ...info, sinceMs: nowMs } };
  }

  fragment(bytes: Buffer, startsWithKeyFrame: boolean): void {
    if (startsWithKeyFrame) this.latest = bytes;
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
    this.latest = null;
  }

  /** Adds a viewer; false when there is no picture to show (the camera is not streaming). */
  join(viewer: LiveViewer): boolean {
    if (!this.init) return false;
    viewer.write(this.init.bytes);
    const ready = this.latest ? viewer.write(this.latest) : true;
    this.viewers.set(viewer, { waitingForKeyFrame: !ready });
    return true;
  }

  leave(viewer: LiveViewer): void {
    this.viewers.delete(viewer);
  }
}
