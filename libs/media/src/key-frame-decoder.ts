import { buildKeyFrameStreamArgs } from './ffmpeg-args.builder.js';
import { parseFragment, parseInitSegment, shiftFragmentTime } from './fmp4.parser.js';
import { MediaErrorCode, mediaError } from './media.errors.js';
import { TimedPictures } from './timed-pictures.js';

/** The ffmpeg a KeyFrameDecoder drives, as FfmpegDriver starts it (stdin, stdout and stderr piped). */
export interface DecoderProcess {
  readonly pid?: number;
  readonly stdin: NodeJS.WritableStream | null;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'close' | 'error', listener: () => void): unknown;
}

/** A recorded clip taken apart for a KeyFrameDecoder: its init segment and its whole fragments. */
export interface SplitClip {
  init: Buffer;
  timescale: number;
  fragments: SplitFragment[];
}

export interface SplitFragment {
  moof: Buffer;
  mdat: Buffer;
  /** decode time of its first sample, in track ticks */
  baseDecodeTime: bigint;
  /** in track ticks */
  duration: number;
  /** it starts with a key frame */
  key: boolean;
}

/**
 * The init segment (everything up to and with the moov) and the whole moof + mdat pairs of a
 * fragmented MP4 in memory; null when it is not one (no moov, no whole fragment, a box that does
 * not parse) or when its pictures are reordered (B-frames: ffmpeg's decoder would hold the last key
 * frames back until more pictures come, so a clip's last key frames would come only with the next).
 */
export function splitFragmentedClip(bytes: Buffer): SplitClip | null {
  let init: Buffer | null = null;
  let timescale = 0;
  let trackInfo: ReturnType<typeof parseInitSegment> | null = null;
  let pendingMoof: Buffer | null = null;
  const fragments: SplitFragment[] = [];
  try {
    for (let offset = 0; offset + 8 <= bytes.length; ) {
      let size = bytes.readUInt32BE(offset);
      const type = bytes.toString('latin1', offset + 4, offset + 8);
      if (size === 1) {
        if (offset + 16 > bytes.length) break;
        size = Number(bytes.readBigUInt64BE(offset + 8));
      } else if (size === 0) {
        size = bytes.length - offset;
      }
      if (size < 8 || offset + size > bytes.length) break;
      const box = bytes.subarray(offset, offset + size);
      offset += size;
      if (!init) {
        if (type === 'moov') {
          init = bytes.subarray(0, offset);
          trackInfo = parseInitSegment(init);
          timescale = trackInfo.timescale;
        } else if (type !== 'ftyp' && type !== 'free' && type !== 'styp') {
          return null;
        }
      } else if (type === 'moof') {
        pendingMoof = box;
      } else if (type === 'mdat' && pendingMoof && trackInfo) {
        const fragment = parseFragment(pendingMoof, trackInfo);
        if (fragment.reordered) return null;
        fragments.push({ moof: pendingMoof, mdat: box, baseDecodeTime: fragment.baseDecodeTime, duration: fragment.duration, key: fragment.startsWithKeyFrame });
        pendingMoof = null;
      }
    }
  } catch {
    return null;
  }
  if (!init || !(timescale > 0) || fragments.length === 0) return null;
  return { init, timescale, fragments };
}

/** A decoded key frame of a clip: its time from the clip's first fragment, and its pixels (packed RGB). */
export interface DecodedKeyFrame {
  sec: number;
  rgb: Uint8Array;
}

export interface KeyFrameDecoderOptions {
  width: number;
  height: number;
  /** the stream's init segment: written first, and every later clip must have the same */
  init: Buffer;
  timescale: number;
  /** a key frame that does not come within this long stops the read (FFMPEG_TIMEOUT) */
  frameTimeoutMs: number;
}

/**
 * One ffmpeg kept running for a continuous stream of fragmented MP4 clips (a camera's recording),
 * decoding only their key frames (buildKeyFrameStreamArgs). Each clip's fragments go in after the
 * previous clip's with their decode times moved on to follow them (the recorder starts every clip
 * at 0), so ffmpeg reads one stream; each picture's timestamp (from showinfo) tells which clip and
 * which key frame it is, so pictures of a clip whose reader stopped early are told apart and dropped.
 */
export class KeyFrameDecoder {
  /** where the next clip's time starts in the stream ffmpeg reads (track ticks) */
  private nextBase = 0n;
  private readonly pictures: TimedPictures;
  private readonly ready: { pts: bigint; rgb: Uint8Array }[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  clips = 0;
  busy = false;

  constructor(
    private readonly child: DecoderProcess,
    readonly options: KeyFrameDecoderOptions,
  ) {
    this.pictures = new TimedPictures(
      options.width,
      options.height,
      (pts, rgb) => {
        this.ready.push({ pts, rgb });
        this.wake?.();
      },
      () => this.kill(),
    );
    child.stdout?.on('data', (chunk: Buffer) => this.pictures.stdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.pictures.stderr(chunk));
    child.stdin?.on('error', () => undefined);
    child.once('close', () => {
      this.ended = true;
      this.wake?.();
    });
    child.once('error', () => {
      this.ended = true;
      this.wake?.();
    });
    child.stdin?.write(options.init);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.ended && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** this clip can follow in this process: the same init segment, picture size and time scale */
  accepts(clip: SplitClip, width: number, height: number): boolean {
    return this.alive && width === this.options.width && height === this.options.height && clip.timescale === this.options.timescale && clip.init.equals(this.options.init);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /**
   * Writes the clip's fragments and yields its key frames as they are decoded, each with its time
   * from the clip's first fragment. Ends after the clip's last key frame; FFMPEG_TIMEOUT when a key
   * frame does not come within frameTimeoutMs, FFMPEG_FAILED when ffmpeg is gone or says a picture
   * that is not this clip's.
   */
  async *decode(clip: SplitClip): AsyncGenerator<DecodedKeyFrame, void, undefined> {
    const first = clip.fragments[0].baseDecodeTime;
    const base = this.nextBase;
    // ticks of the clip -> ticks of the stream ffmpeg reads
    const shift = first - base;
    let end = base;
    let lastKey: bigint | null = null;
    const stdin = this.child.stdin;
    if (!stdin || !this.alive) throw mediaError(MediaErrorCode.ffmpegFailed, 'the key-frame decoder is not running');
    for (const fragment of clip.fragments) {
      const at = fragment.baseDecodeTime - shift;
      if (at < base) throw mediaError(MediaErrorCode.corruptVideo, 'the clip has a fragment dated before its first');
      stdin.write(shiftFragmentTime(fragment.moof, shift));
      stdin.write(fragment.mdat);
      if (fragment.key && (lastKey === null || at > lastKey)) lastKey = at;
      const fragmentEnd = at + BigInt(fragment.duration);
      if (fragmentEnd > end) end = fragmentEnd;
    }
    this.nextBase = end;
    this.clips++;
    if (lastKey === null) return;
    for (;;) {
      const next = this.ready.shift() ?? (await this.nextReady());
      if (next.pts < base) continue; // a key frame of an earlier clip whose reader stopped before it
      if (next.pts > lastKey) throw mediaError(MediaErrorCode.ffmpegFailed, `the key-frame decoder gave a picture at ${next.pts}, after the clip's last key frame (${lastKey})`);
      yield { sec: Number(next.pts - base) / clip.timescale, rgb: next.rgb };
      if (next.pts === lastKey) return;
    }
  }

  private nextReady(): Promise<{ pts: bigint; rgb: Uint8Array }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        reject(mediaError(MediaErrorCode.timeout, `the key-frame decoder gave no picture for ${this.options.frameTimeoutMs / 1000} s`));
      }, this.options.frameTimeoutMs);
      this.wake = () => {
        const next = this.ready.shift();
        if (next) {
          clearTimeout(timer);
          this.wake = null;
          resolve(next);
        } else if (this.ended) {
          clearTimeout(timer);
          this.wake = null;
          reject(mediaError(MediaErrorCode.ffmpegFailed, `the key-frame decoder stopped (${this.pictures.lastError() || 'no message'})`));
        }
      };
      this.wake();
    });
  }
}

export interface KeyFrameDecodersOptions {
  /** at most this many streams have a decoder; the one unused longest goes first (default 32) */
  maxStreams?: number;
  /** a decoder unused this long is stopped (default 60 s) */
  idleMs?: number;
  /** a key frame that does not come within this long gives the clip back to the per-clip reader (default 5 s) */
  frameTimeoutMs?: number;
  /** a decoder is started afresh after this many clips (ffmpeg's MP4 reader keeps an index entry per sample; default 720, an hour of 5 s clips) */
  maxClipsPerProcess?: number;
  /** after a failure, a stream's clips are read the per-clip way for this long (default 10 min) */
  failureBackoffMs?: number;
  /** told when a stream's decoder failed (for the log) */
  onFailure?: (stream: string, error: Error) => void;
}

/**
 * The running key-frame decoders of a process, one per stream (FfmpegDriver.readFrames with
 * `continuing`). A stream's decoder is replaced when its clips change (another init segment or
 * picture size), stopped when unused for a while, and a stream whose decoder failed is read the
 * per-clip way for a while.
 */
export class KeyFrameDecoders {
  private readonly decoders = new Map<string, { decoder: KeyFrameDecoder; idle: NodeJS.Timeout | null }>();
  private readonly failedUntil = new Map<string, number>();
  private readonly options: Required<Omit<KeyFrameDecodersOptions, 'onFailure'>> & Pick<KeyFrameDecodersOptions, 'onFailure'>;
  /** decoders started so far (for tests and logs) */
  started = 0;

  constructor(
    private readonly start: (args: string[]) => DecoderProcess,
    options: KeyFrameDecodersOptions = {},
  ) {
    this.options = { maxStreams: 32, idleMs: 60_000, frameTimeoutMs: 5000, maxClipsPerProcess: 720, failureBackoffMs: 600_000, ...options };
  }

  /** the stream's decoder for this clip, started or restarted as needed; null when the stream is to be read the per-clip way now */
  acquire(stream: string, clip: SplitClip, width: number, height: number): KeyFrameDecoder | null {
    if ((this.failedUntil.get(stream) ?? 0) > Date.now()) return null;
    const current = this.decoders.get(stream);
    if (current?.decoder.busy) return null;
    if (current) {
      if (current.idle) clearTimeout(current.idle);
      if (current.decoder.accepts(clip, width, height) && current.decoder.clips < this.options.maxClipsPerProcess) {
        current.idle = null;
        current.decoder.busy = true;
        // most recently used last
        this.decoders.delete(stream);
        this.decoders.set(stream, current);
        return current.decoder;
      }
      current.decoder.kill();
      this.decoders.delete(stream);
    }
    while (this.decoders.size >= this.options.maxStreams) {
      const [oldest, entry] = this.decoders.entries().next().value as [string, { decoder: KeyFrameDecoder; idle: NodeJS.Timeout | null }];
      if (entry.idle) clearTimeout(entry.idle);
      entry.decoder.kill();
      this.decoders.delete(oldest);
    }
    const decoder = new KeyFrameDecoder(this.start(buildKeyFrameStreamArgs(width, height)), { width, height, init: clip.init, timescale: clip.timescale, frameTimeoutMs: this.options.frameTimeoutMs });
    this.started++;
    decoder.busy = true;
    this.decoders.set(stream, { decoder, idle: null });
    return decoder;
  }

  /** the read is over; `failure`: stop this decoder and read the stream the per-clip way for a while */
  release(stream: string, decoder: KeyFrameDecoder, failure: Error | null): void {
    decoder.busy = false;
    const entry = this.decoders.get(stream);
    if (failure) {
      decoder.kill();
      if (entry?.decoder === decoder) this.decoders.delete(stream);
      this.failedUntil.set(stream, Date.now() + this.options.failureBackoffMs);
      this.options.onFailure?.(stream, failure);
      return;
    }
    if (entry?.decoder !== decoder) {
      decoder.kill();
      return;
    }
    entry.idle = setTimeout(() => {
      if (this.decoders.get(stream) === entry) this.decoders.delete(stream);
      decoder.kill();
    }, this.options.idleMs);
    entry.idle.unref();
  }

  /** the ffmpeg process of a stream's decoder, while it runs (for logs and tests) */
  pidOf(stream: string): number | undefined {
    const entry = this.decoders.get(stream);
    return entry?.decoder.alive ? entry.decoder.pid : undefined;
  }

  /** streams with a decoder now */
  get running(): number {
    return [...this.decoders.values()].filter((entry) => entry.decoder.alive).length;
  }

  close(): void {
    for (const entry of this.decoders.values()) {
      if (entry.idle) clearTimeout(entry.idle);
      entry.decoder.kill();
    }
    this.decoders.clear();
  }
}
