import { Mp4BoxSplitter, parseFragment, parseInitSegment, type CameraStreamProcess, type FfmpegDriver, type InitSegmentInfo } from '@cameramonit/media';
import { LiveHub, type LiveViewer } from './live-hub.js';

/** Most camera bytes waiting for the re-encoding ffmpeg before fragments are skipped (it fell behind). */
const maxPendingBytes = 8 * 1024 * 1024;

export interface LiveTranscoderOptions {
  /** the H.264 picture is at most this wide (the camera's width when smaller) */
  maxWidth: number;
  /** stop this long after the last viewer left (someone reopening the panel finds it running) */
  idleMs: number;
  /** the first H.264 picture must come within this long, or the viewers are told it failed */
  startTimeoutMs: number;
  /** it stopped (no viewer, the camera's stream ended or restarted, ffmpeg failed): why */
  onEnd: (reason: string) => void;
}

/**
 * A camera's live picture re-encoded to H.264 for browsers that cannot play its codec (an H.265
 * camera without an H.264 sub-stream): an ffmpeg (buildLiveTranscodeArgs) watches the camera's
 * LiveHub as one more viewer would, and its H.264 fragmented MP4 feeds a LiveHub of its own, which
 * the people watching join. It runs only while someone watches: it stops `idleMs` after its last
 * viewer left, and when the camera's stream ends or starts anew (its viewers then reconnect and get
 * a new one). An ffmpeg that falls behind skips the camera's fragments up to its next key frame
 * rather than holding up the camera.
 */
export class LiveTranscoder {
  readonly hub = new LiveHub();
  /** resolves true when the first H.264 picture is there to join, false when it never came */
  readonly ready: Promise<boolean>;
  private readonly process: CameraStreamProcess & { stdin: NodeJS.WritableStream };
  private readonly feed: LiveViewer;
  private idleTimer: NodeJS.Timeout | null = null;
  private ended = false;
  private settleReady: (ready: boolean) => void = () => undefined;

  constructor(
    private readonly source: LiveHub,
    ffmpeg: FfmpegDriver,
    private readonly options: LiveTranscoderOptions,
  ) {
    this.ready = new Promise((resolve) => {
      this.settleReady = resolve;
    });
    this.process = ffmpeg.openLiveTranscode(options.maxWidth);
    const stdin = this.process.stdin as NodeJS.WritableStream & { writableLength: number; destroyed: boolean };
    this.feed = {
      write: (bytes) => {
        if (this.ended || stdin.destroyed || stdin.writableLength > maxPendingBytes) return false;
        stdin.write(bytes);
        return stdin.writableLength <= maxPendingBytes;
      },
      end: () => this.stop('the camera\'s stream ended'),
    };
    this.readOutput();
    void this.process.exited.then(({ code, spawnError }) => {
      const why = spawnError ? `ffmpeg could not start (${spawnError.message})` : `ffmpeg stopped (${this.process.stderrTail().trim().split('\n').pop() || `exit code ${code}`})`;
      this.stop(why);
    });
    const startTimer = setTimeout(() => {
      if (!this.hub.info) this.stop(`no H.264 picture came within ${options.startTimeoutMs / 1000} s`);
    }, options.startTimeoutMs);
    startTimer.unref();
    void this.ready.then(() => clearTimeout(startTimer));
    if (!source.join(this.feed)) this.stop('the camera is not streaming');
    // started for a viewer who may never join (the request went away meanwhile): idle from its first picture on
    void this.ready.then((ready) => ready && this.stopWhenIdle());
  }

  get running(): boolean {
    return !this.ended;
  }

  /** Adds a viewer of the H.264 picture; false when there is none (not started yet, or stopped). */
  join(viewer: LiveViewer): boolean {
    if (this.ended) return false;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    return this.hub.join(viewer);
  }

  leave(viewer: LiveViewer): void {
    this.hub.leave(viewer);
    this.stopWhenIdle();
  }

  private stopWhenIdle(): void {
    if (this.hub.viewerCount > 0 || this.ended || this.idleTimer) return;
    this.idleTimer = setTimeout(() => this.stop('nobody watches'), this.options.idleMs);
    this.idleTimer.unref();
  }

  stop(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.source.leave(this.feed);
    this.process.kill();
    this.hub.stop();
    this.settleReady(false);
    this.options.onEnd(reason);
  }

  /** ffmpeg's fragmented MP4: the init segment starts the hub, each moof + mdat is a fragment for the viewers. */
  private readOutput(): void {
    const splitter = new Mp4BoxSplitter();
    const initParts: Buffer[] = [];
    let info: InitSegmentInfo | null = null;
    let moof: Buffer | null = null;
    this.process.stdout.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      try {
        for (const box of splitter.push(chunk)) {
          if (!info) {
            initParts.push(box.bytes);
            if (box.type === 'moov') {
              const initBytes = Buffer.concat(initParts);
              info = parseInitSegment(initBytes);
              this.hub.start(initBytes, info);
            }
          } else if (box.type === 'moof') {
            moof = box.bytes;
          } else if (box.type === 'mdat' && moof) {
            const fragment = parseFragment(moof, info);
            this.hub.fragment(Buffer.concat([moof, box.bytes]), fragment.startsWithKeyFrame, Number(fragment.baseDecodeTime) / info.timescale);
            moof = null;
            // viewers can join once there is a key frame to start from
            if (fragment.startsWithKeyFrame) this.settleReady(true);
          }
        }
      } catch (error) {
        this.stop(`ffmpeg wrote what is not fragmented MP4 (${(error as Error).message})`);
      }
    });
  }
}

/**
 * The cameras of a recorder whose live picture is re-encoded now: at most `most` at once
 * (LIVE_TRANSCODE_CAMERAS), one per camera, shared by all who watch it.
 */
export class LiveTranscoders {
  private readonly transcoders = new Map<string, LiveTranscoder>();

  constructor(
    private readonly ffmpeg: FfmpegDriver,
    private readonly most: number,
    private readonly log: (message: string) => void,
    private readonly options: Omit<LiveTranscoderOptions, 'onEnd'> = { maxWidth: 1280, idleMs: 15_000, startTimeoutMs: 15_000 },
  ) {}

  /** The camera's running re-encoding, else a new one; 'busy' when `most` run already, 'off' when `most` is 0. */
  for(cameraId: string, name: string, source: LiveHub, codec: string): LiveTranscoder | 'busy' | 'off' {
    if (this.most === 0) return 'off';
    const running = this.transcoders.get(cameraId);
    if (running?.running) return running;
    if ([...this.transcoders.values()].filter((transcoder) => transcoder.running).length >= this.most) return 'busy';
    const transcoder: LiveTranscoder = new LiveTranscoder(source, this.ffmpeg, {
      ...this.options,
      onEnd: (reason) => {
        if (this.transcoders.get(cameraId) === transcoder) this.transcoders.delete(cameraId);
        this.log(`Camera ${name}: its live picture is no longer re-encoded: ${reason}`);
      },
    });
    if (transcoder.running) {
      this.transcoders.set(cameraId, transcoder);
      this.log(`Camera ${name}: its live picture is re-encoded to H.264 for a browser (it sends ${codec}, and has no H.264 sub-stream)`);
    }
    return transcoder;
  }

  isRunning(cameraId: string): boolean {
    return this.transcoders.get(cameraId)?.running ?? false;
  }

  stopAll(reason: string): void {
    for (const transcoder of [...this.transcoders.values()]) transcoder.stop(reason);
  }
}
