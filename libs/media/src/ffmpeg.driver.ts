import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CameramonitError } from '@cameramonit/contracts';
import {
  buildAnimationArgs,
  buildDecodeCheckArgs,
  buildFrameImageArgs,
  buildFrameReaderArgs,
  buildLivePictureArgs,
  buildLiveTranscodeArgs,
  buildMp4TranscodeArgs,
  buildProbeArgs,
  buildSnapshotArgs,
  decodeCheckBytes,
  parseProgressLine,
} from './ffmpeg-args.builder.js';
import { locateFfmpegBinaries, type FfmpegBinaries } from './ffmpeg-binaries.locator.js';
import { buildConcatList, buildConcatToMp4Args, buildKeyFrameProbeArgs, concatFailureReason, parseKeyFrameProbe, type ConcatOutput, type ConcatPiece, type KeyFrameTimes } from './concat-args.builder.js';
import { readMp4VideoTrack } from './mp4-header.reader.js';
import { buildCameraStreamArgs, type CameraStreamInput } from './camera-stream-args.builder.js';
import { buildFramesToMp4Args, frameFileName, type FramesToVideoOptions } from './frames-video-args.builder.js';
import { buildVideoFramesArgs, type VideoFramesOptions } from './image-args.builder.js';
import { MediaErrorCode, mediaError } from './media.errors.js';
import type {
  AnimationOptions,
  FrameImageOptions,
  FrameReaderOptions,
  LiveKeyFrame,
  MediaProgressListener,
  Mp4TranscodeOptions,
  SnapshotOptions,
  VideoFrame,
  VideoInfo,
} from './media.types.js';
import { interpretProbeOutput, lastStderrLine, looksLikeVideoContainer } from './probe-result.parser.js';
import { probeFragmentedMp4 } from './fmp4.probe.js';
import { parseV4l2FormatList, type VideoDeviceFormat } from './video-devices.js';
import { KeyFrameDecoders, splitFragmentedClip, type KeyFrameDecodersOptions } from './key-frame-decoder.js';
import { LiveStreamTiming } from './live-clock.js';
import { TimedPictures } from './timed-pictures.js';

export interface FfmpegDriverOptions {
  /** explicit binaries; default: FFMPEG_PATH / FFPROBE_PATH, else PATH (looked up on first use) */
  binaries?: FfmpegBinaries;
  /** ffprobe + first-frame decode check (default 30 s) */
  probeTimeoutMs?: number;
  /** the key-frame decoders kept running for continuous streams (readFrames `continuing`) */
  keyFrameDecoders?: KeyFrameDecodersOptions;
}

export interface RunControl {
  /** kill ffmpeg and fail with FFMPEG_TIMEOUT after this long */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: MediaProgressListener;
}

/** A running ffmpeg that reads a camera and writes fragmented MP4 on stdout (FfmpegDriver.openCameraStream). */
export interface CameraStreamProcess {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream;
  /** snapshot cameras: JPEG pictures go in here; null for the other kinds */
  readonly stdin: NodeJS.WritableStream | null;
  /** the last lines ffmpeg wrote on stderr (bounded) */
  stderrTail(): string;
  /** when the process has ended: exit code or signal, or why it could not start */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError: Error | null }>;
  /** stop it now (SIGKILL); safe to call more than once */
  kill(): void;
}

export interface WrittenFile {
  file: string;
  sizeBytes: number;
}

/** What decides whether clips can be joined by stream copy: their codec and picture size. */
export interface VideoTrackInfo {
  /** RFC 6381 codec string from an MP4 header (avc1.64001f: codec, profile and level), else ffprobe's codec name (h264) */
  codec: string;
  width: number;
  height: number;
}

interface ToolRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

interface ToolRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** keep at most this many stdout bytes (default 8 MiB) */
  maxStdoutBytes?: number;
  onStdoutLine?: (line: string) => void;
}

const maxStderrChars = 16 * 1024;
/** live key frames decoded and not yet taken by the reader: beyond, the oldest is dropped */
const maxWaitingLiveFrames = 4;

/** Children still running, killed if this process exits, so no ffmpeg outlives us. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const running of liveChildren) running.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('close', () => liveChildren.delete(child));
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Resolves when the child is gone: its exit code, or the spawn error (ENOENT...). Never rejects. */
function waitForClose(child: ChildProcess): Promise<{ code: number | null; spawnError: Error | null }> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, spawnError: error }));
    child.once('close', (code) => resolve({ code, spawnError: null }));
  });
}

function appendBounded(current: string, chunk: Buffer | string): string {
  const next = current + chunk.toString();
  return next.length > maxStderrChars ? next.slice(next.length - maxStderrChars) : next;
}

/**
 * The only class that runs ffmpeg and ffprobe: probing, frame reading and writing snapshots,
 * animations and MP4 clips. Every child is killed on timeout, on abort and when the caller stops early.
 */
export class FfmpegDriver {
  private resolvedBinaries: FfmpegBinaries | undefined;
  private readonly probeTimeoutMs: number;
  /** one ffmpeg per continuous stream of clips, decoding their key frames (readFrames `continuing`) */
  readonly keyFrameDecoders: KeyFrameDecoders;

  constructor(options: FfmpegDriverOptions = {}) {
    this.resolvedBinaries = options.binaries;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 30_000;
    this.keyFrameDecoders = new KeyFrameDecoders((args) => {
      const child = spawn(this.binaries.ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      track(child);
      return child;
    }, options.keyFrameDecoders);
  }

  /** Stops the ffmpeg processes kept running (the key-frame decoders). */
  close(): void {
    this.keyFrameDecoders.close();
  }

  get binaries(): FfmpegBinaries {
    this.resolvedBinaries ??= locateFfmpegBinaries();
    return this.resolvedBinaries;
  }

  /**
   * Checks that `file` is a complete, decodable video and describes it. Throws CameramonitError:
   * FILE_NOT_FOUND, EMPTY_FILE, NOT_VIDEO, CORRUPT_VIDEO, NO_VIDEO_STREAM, FFMPEG_TIMEOUT.
   * `decodeCheck: false` leaves out decoding the first frame (a clip this platform recorded itself,
   * whose reader says CORRUPT_VIDEO anyway when no frame decodes): one ffmpeg process less.
   * `recorded: true` (with decodeCheck false) reads a fragmented MP4's boxes instead of starting
   * ffprobe (probeFragmentedMp4); anything else still goes to ffprobe.
   */
  async probe(file: string, options: { decodeCheck?: boolean; recorded?: boolean } = {}): Promise<VideoInfo> {
    const sizeBytes = await this.regularFileSize(file);
    if (sizeBytes === 0) throw mediaError(MediaErrorCode.emptyFile, `${file} is empty (0 bytes); upload the video again.`);
    if (options.recorded && options.decodeCheck === false) {
      const read = await probeFragmentedMp4(file);
      if (read) return read;
    }
    const head = await readHead(file, 512);

    const probed = await this.runTool(this.binaries.ffprobePath, buildProbeArgs(file), {
      timeoutMs: this.probeTimeoutMs,
    });
    if (probed.timedOut) {
      throw mediaError(MediaErrorCode.timeout, `ffprobe needed more than ${this.probeTimeoutMs / 1000} s to read ${file}; the file is probably damaged.`);
    }
    if (probed.code !== 0 || probed.stdout.length === 0) {
      const reason = lastStderrLine(probed.stderr) || `ffprobe exit code ${probed.code}`;
      if (looksLikeVideoContainer(head)) {
        throw mediaError(MediaErrorCode.corruptVideo, `${file} is a damaged or truncated video (${reason}); upload the complete file again.`);
      }
      throw mediaError(MediaErrorCode.notVideo, `${file} is not a video file ffmpeg can read (${reason}).`);
    }
    const info = interpretProbeOutput(file, sizeBytes, probed.stdout.toString('utf8'));
    if (options.decodeCheck === false) return info;

    const decoded = await this.runTool(this.binaries.ffmpegPath, buildDecodeCheckArgs(file), {
      timeoutMs: this.probeTimeoutMs,
    });
    if (decoded.timedOut) {
      throw mediaError(MediaErrorCode.timeout, `ffmpeg needed more than ${this.probeTimeoutMs / 1000} s to decode the first frame of ${file}.`);
    }
    if (decoded.stdout.length < decodeCheckBytes) {
      const reason = lastStderrLine(decoded.stderr) || 'no frame decoded';
      throw mediaError(MediaErrorCode.corruptVideo, `${file}: the first video frame cannot be decoded (${reason}); the file is damaged.`);
    }
    return info;
  }

  /**
   * Starts ffmpeg reading a camera (buildCameraStreamArgs): fragmented MP4 on stdout, a fragment at
   * every key frame and every half second between. No shell: the address goes to ffmpeg as one
   * argument. The process is tracked and killed when this process exits; the caller kills it when
   * the camera stops or stalls.
   */
  openCameraStream(input: CameraStreamInput): CameraStreamProcess {
    return this.openStreamProcess(buildCameraStreamArgs(input), input.kind === 'snapshot');
  }

  /**
   * Starts ffmpeg re-encoding a live picture to H.264 (buildLiveTranscodeArgs): the camera's
   * fragmented MP4 goes into stdin, H.264 fragmented MP4 comes out of stdout. Tracked and killed
   * like a camera stream.
   */
  openLiveTranscode(maxWidth: number): CameraStreamProcess & { stdin: NodeJS.WritableStream } {
    return this.openStreamProcess(buildLiveTranscodeArgs(maxWidth), true) as CameraStreamProcess & { stdin: NodeJS.WritableStream };
  }

  private openStreamProcess(args: string[], withStdin: boolean): CameraStreamProcess {
    const child = spawn(this.binaries.ffmpegPath, args, { stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    track(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = appendBounded(stderr, chunk);
    });
    // stdin (a snapshot camera's pictures, a live picture to re-encode) closes under us when ffmpeg dies: that is not our crash
    child.stdin?.on('error', () => undefined);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError: Error | null }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }));
      child.once('close', (code, signal) => resolve({ code, signal, spawnError: null }));
    });
    if (!child.stdout) throw mediaError(MediaErrorCode.ffmpegFailed, 'ffmpeg started without a stdout pipe');
    return {
      pid: child.pid,
      stdout: child.stdout,
      stdin: child.stdin ?? null,
      stderrTail: () => stderr,
      exited,
      kill: () => kill(child),
    };
  }

  /**
   * The key frames of a live fragmented MP4 (a camera's live picture from the recorder), decoded as
   * they come, scaled to width x height, as packed RGB; where the key frames are further apart than
   * `keyFramesEverySec` (default 1.2 s; `keyFrameIntervalSec` as the recorder says it, else told
   * from the stream: its first key frame to the next, which ffmpeg then waits for), pictures
   * between them too, so that one comes about every second. `sec` is the time since reading began,
   * `takenAtMs` when the picture was taken on this machine's clock, told from when its fragments
   * arrived (LiveStreamTiming). Ends when the input ends or `signal` aborts; breaking out of the
   * loop kills ffmpeg. The input is read as it comes, whether or not the pictures are taken as fast:
   * a reader slower than them misses the oldest.
   */
  async *readLiveKeyFrames(
    input: AsyncIterable<Uint8Array>,
    options: { width: number; height: number; signal?: AbortSignal; keyFramesEverySec?: number; keyFrameIntervalSec?: number | null },
  ): AsyncGenerator<LiveKeyFrame, void, undefined> {
    const { width, height } = options;
    const timing = new LiveStreamTiming();
    const source = input[Symbol.asyncIterator]();
    const pushTiming = (chunk: Uint8Array) => {
      try {
        timing.push(chunk);
      } catch (error) {
        throw mediaError(MediaErrorCode.corruptVideo, `The live picture is not fragmented MP4 (${(error as Error).message}).`);
      }
    };
    // without the recorder's word, the stream says how far apart its key frames are before ffmpeg starts
    const head: Uint8Array[] = [];
    while (!options.keyFrameIntervalSec && timing.keyFrameIntervalSec === null) {
      const { value, done } = await source.next();
      if (done) {
        if (head.length === 0 || options.signal?.aborted) return;
        throw mediaError(MediaErrorCode.corruptVideo, 'The live picture ended before its first whole fragment.');
      }
      head.push(value);
      pushTiming(value);
    }
    const every = options.keyFramesEverySec ?? 1.2;
    const interval = options.keyFrameIntervalSec || (timing.keyFrameIntervalSec as number);
    // evenly between the key frames, at most `every` apart (a little less, so rounding never skips one)
    const everySec = interval > every ? (interval / Math.ceil(interval / every)) * 0.95 : null;
    const { child, closed, onAbort } = this.startReader(buildLivePictureArgs(width, height, everySec), 'pipe', options.signal);
    const started = Date.now();
    const ready: LiveKeyFrame[] = [];
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const pictures = new TimedPictures(
      width,
      height,
      (pts, rgb) => {
        if (ready.length >= maxWaitingLiveFrames) ready.shift();
        ready.push({ index: 0, sec: (Date.now() - started) / 1000, width, height, rgb, takenAtMs: timing.takenAt(pts) });
        wake?.();
      },
      (message) => {
        failure = mediaError(MediaErrorCode.ffmpegFailed, message);
        kill(child);
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => pictures.stdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => pictures.stderr(chunk));
    let ended = false;
    void closed.then(() => {
      ended = true;
      wake?.();
    });
    // the live picture goes in as it comes, its fragments timed on the way; ffmpeg going away ends the copy
    const stdin = child.stdin;
    stdin?.on('error', () => undefined);
    void (async () => {
      try {
        for (const chunk of head) if (stdin && !stdin.destroyed) stdin.write(chunk);
        for (;;) {
          if (!stdin || stdin.destroyed) return;
          const { value, done } = await source.next();
          if (done) return;
          pushTiming(value);
          if (!stdin.write(value)) await new Promise((resolve) => stdin.once('drain', resolve));
        }
      } catch {
        // the live picture ended (the camera went away, the request was aborted), or its boxes stopped parsing: ffmpeg ends with what it had
      } finally {
        stdin?.end();
        void source.return?.()?.catch(() => undefined);
      }
    })();
    let index = 0;
    try {
      for (;;) {
        const next = ready.shift();
        if (next) {
          yield { ...next, index: index++ };
          continue;
        }
        if (failure) throw failure;
        if (ended) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
      const { code, spawnError } = await closed;
      if (spawnError) throw this.spawnFailure(spawnError);
      if (code !== 0 && !options.signal?.aborted && index === 0) {
        throw mediaError(MediaErrorCode.corruptVideo, `ffmpeg could not read the live picture (${pictures.lastError() || `exit code ${code}`}).`);
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      kill(child);
      await closed;
    }
  }

  /** ffmpeg started for a frame reader: tracked, its stderr tail kept, killed when `signal` aborts. */
  private startReader(args: string[], stdin: 'pipe' | 'ignore', signal: AbortSignal | undefined) {
    const child = spawn(this.binaries.ffmpegPath, args, { stdio: [stdin, 'pipe', 'pipe'] });
    track(child);
    const closed = waitForClose(child);
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = appendBounded(tail, chunk);
    });
    const onAbort = () => kill(child);
    signal?.addEventListener('abort', onAbort, { once: true });
    return { child, closed, stderr: () => tail, onAbort };
  }

  /**
   * Decoded frames at `options.fps` (or only the key frames: `options.keyFrames`), scaled to exactly
   * width x height, as packed RGB. Reads exactly one frame's bytes at a time, so a slow consumer
   * pauses ffmpeg (pipe backpressure). Breaking out of the loop kills ffmpeg. Throws CORRUPT_VIDEO if
   * ffmpeg fails, FFMPEG_TIMEOUT if it stalls.
   */
  async *readFrames(file: string, options: FrameReaderOptions): AsyncGenerator<VideoFrame, void, undefined> {
    if (options.keyFrames && options.continuing) {
      yield* this.readContinuingKeyFrames(file, options as FrameReaderOptions & { keyFrames: readonly number[]; continuing: string });
      return;
    }
    const args = buildFrameReaderArgs(file, options);
    const { width, height, fps, keyFrames } = options;
    const startSec = options.startSec ?? 0;
    const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    const frameBytes = width * height * 3;

    const { child, closed, stderr, onAbort } = this.startReader(args, 'ignore', options.signal);

    const stdout = child.stdout;
    if (!stdout) throw mediaError(MediaErrorCode.ffmpegFailed, 'ffmpeg started without a stdout pipe');
    const chunks = stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let frame = new Uint8Array(frameBytes);
    let filled = 0;
    let index = 0;
    try {
      for (;;) {
        const next = await nextWithin(chunks, idleTimeoutMs);
        if (next === 'timeout') {
          kill(child);
          throw mediaError(MediaErrorCode.timeout, `ffmpeg sent no frame of ${file} for ${idleTimeoutMs / 1000} s; stopped it.`);
        }
        if (next.done) break;
        const chunk = next.value;
        let offset = 0;
        while (offset < chunk.length) {
          const take = Math.min(frameBytes - filled, chunk.length - offset);
          frame.set(chunk.subarray(offset, offset + take), filled);
          filled += take;
          offset += take;
          if (filled === frameBytes) {
            if (keyFrames && index >= keyFrames.length) {
              kill(child);
              throw mediaError(MediaErrorCode.corruptVideo, `${file} has more key frames than the ${keyFrames.length} its index lists.`);
            }
            yield { index, sec: keyFrames ? keyFrames[index] : startSec + index / fps, width, height, rgb: frame };
            index += 1;
            frame = new Uint8Array(frameBytes);
            filled = 0;
          }
        }
      }
      const { code, spawnError } = await closed;
      if (spawnError) throw this.spawnFailure(spawnError);
      if (options.signal?.aborted) throw mediaError(MediaErrorCode.ffmpegFailed, `reading frames of ${file} was aborted`);
      if (code !== 0) {
        const reason = lastStderrLine(stderr()) || `exit code ${code}`;
        throw mediaError(MediaErrorCode.corruptVideo, `ffmpeg could not decode ${file} after ${index} frames (${reason}).`);
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      kill(child);
      stdout.destroy();
      await closed;
    }
  }

  /**
   * The key frames of a clip that continues a stream (`continuing`), decoded by the stream's
   * KeyFrameDecoder. When the clip cannot go that way (not a fragmented MP4, reordered pictures, the
   * decoder busy or failing), the key frames not yielded yet are read by an ffmpeg of its own.
   */
  private async *readContinuingKeyFrames(file: string, options: FrameReaderOptions & { keyFrames: readonly number[]; continuing: string }): AsyncGenerator<VideoFrame, void, undefined> {
    const { width, height, keyFrames, continuing: stream } = options;
    let index = 0;
    let lastSec = -Infinity;
    // the recorder's clips are a few megabytes
    const clip = splitFragmentedClip(await readFile(file));
    const decoder = clip ? this.keyFrameDecoders.acquire(stream, clip, width, height) : null;
    if (clip && decoder) {
      let failure: Error | null = null;
      try {
        for await (const picture of decoder.decode(clip)) {
          const listed = keyFrames.find((sec) => Math.abs(sec - picture.sec) < 1e-6);
          if (listed === undefined) throw mediaError(MediaErrorCode.corruptVideo, `${file} has a key frame at ${picture.sec} s that its index does not list.`);
          if (options.signal?.aborted) throw mediaError(MediaErrorCode.ffmpegFailed, `reading frames of ${file} was aborted`);
          yield { index, sec: listed, width, height, rgb: picture.rgb };
          index++;
          lastSec = listed;
        }
        return;
      } catch (error) {
        failure = error as Error;
        if (options.signal?.aborted) throw error;
        // read what is left the per-clip way
      } finally {
        this.keyFrameDecoders.release(stream, decoder, failure);
      }
    }
    for await (const frame of this.readFrames(file, { ...options, continuing: undefined })) {
      if (frame.sec <= lastSec) continue;
      yield { ...frame, index };
      index++;
    }
  }

  /** One JPEG at `options.atSec`, optionally scaled and with boxes drawn. */
  async writeSnapshot(file: string, outputFile: string, options: SnapshotOptions, control: RunControl = {}): Promise<WrittenFile> {
    return this.writeWith(file, outputFile, buildSnapshotArgs(file, outputFile, options), control, 30_000, 0);
  }

  /** One frame as a JPEG or PNG, cut to a box and scaled down (object crops and context frames for a vision model or a plugin). */
  async writeFrameImage(file: string, outputFile: string, options: FrameImageOptions, control: RunControl = {}): Promise<WrittenFile> {
    return this.writeWith(file, outputFile, buildFrameImageArgs(file, outputFile, options), control, 30_000, 0);
  }

  /** A looping GIF (own palette) or animated WebP of a few seconds, ~320 px wide, for chat messages. */
  async writeAnimation(file: string, outputFile: string, options: AnimationOptions, control: RunControl = {}): Promise<WrittenFile> {
    return this.writeWith(file, outputFile, buildAnimationArgs(file, outputFile, options), control, 120_000, 0);
  }

  /** A browser-playable H.264 MP4 (+faststart) of the whole video or of a part of it; reports progress. */
  async transcodeToMp4(
    file: string,
    outputFile: string,
    options: Mp4TranscodeOptions = {},
    control: RunControl = {},
  ): Promise<WrittenFile> {
    const info = await this.probe(file);
    const startSec = Math.min(options.startSec ?? 0, info.durationSec);
    const totalSec = Math.max(0, Math.min(options.durationSec ?? Infinity, info.durationSec - startSec));
    const defaultTimeoutMs = Math.max(120_000, totalSec * 4_000);
    return this.writeWith(file, outputFile, buildMp4TranscodeArgs(file, outputFile, options), control, defaultTimeoutMs, totalSec);
  }

  /** JPEG frames of a part of a video into `outputDir` (frame-001.jpg, ...); returns the files in order. */
  async writeVideoFrames(file: string, outputDir: string, options: VideoFramesOptions, control: RunControl = {}): Promise<string[]> {
    await mkdir(outputDir, { recursive: true });
    const pattern = join(outputDir, 'frame-%03d.jpg');
    try {
      await this.writeWith(file, join(outputDir, 'frame-001.jpg'), buildVideoFramesArgs(file, pattern, options), control, 60_000, 0);
    } catch (error) {
      if (error instanceof CameramonitError && /wrote nothing/.test(error.message)) return [];
      throw error;
    }
    return (await readdir(outputDir)).filter((name) => /^frame-\d{3}\.jpg$/.test(name)).sort().map((name) => join(outputDir, name));
  }

  /**
   * Numbered JPEG frames (`framesDir/frame-000001.jpg`, ... see frameFileName) assembled into an
   * H.264 MP4 at `options.fps` and exactly width x height (frames of another size are fitted in).
   */
  async assembleFramesToMp4(framesDir: string, outputFile: string, options: FramesToVideoOptions, control: RunControl = {}): Promise<WrittenFile> {
    const args = buildFramesToMp4Args(framesDir, outputFile, options);
    const defaultTimeoutMs = Math.max(60_000, options.frameCount * 200);
    return this.writeWith(join(framesDir, frameFileName(1)), outputFile, args, control, defaultTimeoutMs, 0);
  }

  /** Where a clip's own timeline starts and where its key frames are: ffprobe reads the packets, nothing is decoded. */
  async keyFrameTimes(file: string, control: RunControl = {}): Promise<KeyFrameTimes> {
    await this.regularFileSize(file);
    const timeoutMs = control.timeoutMs ?? this.probeTimeoutMs;
    const run = await this.runTool(this.binaries.ffprobePath, buildKeyFrameProbeArgs(file), { timeoutMs, signal: control.signal, maxStdoutBytes: 64 * 1024 * 1024 });
    if (run.timedOut) throw mediaError(MediaErrorCode.timeout, `ffprobe needed more than ${Math.round(timeoutMs / 1000)} s to list the key frames of ${file}.`);
    if (run.code !== 0) throw mediaError(MediaErrorCode.corruptVideo, `ffprobe could not list the key frames of ${file}: ${lastStderrLine(run.stderr) || `exit code ${run.code}`}`);
    return parseKeyFrameProbe(run.stdout.toString('utf8'));
  }

  /**
   * The pixel formats a video device (/dev/video0) captures in, as ffmpeg names them; null when the
   * node does not capture video (a webcam's metadata node). A device another program is recording
   * from still answers (listing formats does not need the device to itself).
   */
  async videoDeviceFormats(device: string): Promise<string[] | null> {
    return (await this.videoDeviceFormatList(device))?.map((entry) => entry.format) ?? null;
  }

  /** The formats a video device captures in, with the picture sizes it lists for each (parseV4l2FormatList); null when it does not capture video. */
  async videoDeviceFormatList(device: string): Promise<VideoDeviceFormat[] | null> {
    // a device that is not there (unplugged, another machine's) has none: no ffmpeg to start for that
    if (!(await stat(device).then(() => true, () => false))) return null;
    const run = await this.runTool(this.binaries.ffmpegPath, ['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', device], { timeoutMs: 5000 });
    return parseV4l2FormatList(run.stderr);
  }

  /**
   * Codec and picture size of a clip's video: read from the MP4 header when the clip is an MP4
   * (no process: an export of hours checks thousands of clips), else from ffprobe.
   */
  async videoTrack(file: string): Promise<VideoTrackInfo> {
    await this.regularFileSize(file);
    const mp4 = await readMp4VideoTrack(file).catch(() => null);
    if (mp4) return { codec: mp4.codec, width: mp4.width, height: mp4.height };
    const probed = await this.runTool(this.binaries.ffprobePath, buildProbeArgs(file), { timeoutMs: this.probeTimeoutMs });
    if (probed.timedOut) throw mediaError(MediaErrorCode.timeout, `ffprobe needed more than ${this.probeTimeoutMs / 1000} s to read ${file}.`);
    if (probed.code !== 0) throw mediaError(MediaErrorCode.corruptVideo, `ffprobe could not read ${file}: ${lastStderrLine(probed.stderr) || `exit code ${probed.code}`}`);
    const info = interpretProbeOutput(file, await this.regularFileSize(file), probed.stdout.toString('utf8'));
    return { codec: info.codec, width: info.width, height: info.height };
  }

  /**
   * Joins clips into one MP4 with +faststart (buildConcatToMp4Args). `runs`: the clips in time
   * order, grouped in runs that share codec and picture size; stream copy takes exactly one run.
   * The concat lists are written into a folder next to the output and removed afterwards.
   */
  async concatToMp4(runs: readonly (readonly ConcatPiece[])[], outputFile: string, output: ConcatOutput, control: RunControl = {}): Promise<WrittenFile> {
    const first = runs[0]?.[0];
    if (!first) throw mediaError(MediaErrorCode.invalidArgument, 'nothing to join: no clips');
    await mkdir(dirname(outputFile), { recursive: true });
    const listDir = await mkdtemp(join(dirname(outputFile), `.${basename(outputFile)}-lists-`));
    try {
      const listFiles: string[] = [];
      for (const [index, run] of runs.entries()) {
        const listFile = join(listDir, `run-${index}.ffconcat`);
        await writeFile(listFile, buildConcatList(run));
        listFiles.push(listFile);
      }
      const args = buildConcatToMp4Args(listFiles, outputFile, output);
      return await this.writeWith(first.file, outputFile, args, control, output.mode === 'copy' ? 10 * 60_000 : 60 * 60_000, 0, concatFailureReason);
    } catch (error) {
      // half an MP4 is no use to anyone
      await rm(outputFile, { force: true });
      throw error;
    } finally {
      await rm(listDir, { recursive: true, force: true });
    }
  }

  private async writeWith(
    file: string,
    outputFile: string,
    args: string[],
    control: RunControl,
    defaultTimeoutMs: number,
    totalSec: number,
    /** what ffmpeg's stderr means, when its last line would mislead */
    failureReason: (stderr: string) => string = lastStderrLine,
  ): Promise<WrittenFile> {
    await this.regularFileSize(file);
    await mkdir(dirname(outputFile), { recursive: true });
    const timeoutMs = control.timeoutMs ?? defaultTimeoutMs;
    const onProgress = control.onProgress;
    const run = await this.runTool(this.binaries.ffmpegPath, args, {
      timeoutMs,
      signal: control.signal,
      maxStdoutBytes: 64 * 1024,
      onStdoutLine:
        onProgress && totalSec > 0
          ? (line) => {
              const processedSec = parseProgressLine(line);
              if (processedSec === null) return;
              const clamped = Math.min(totalSec, processedSec);
              onProgress({ fraction: clamped / totalSec, processedSec: clamped, totalSec });
            }
          : undefined,
    });
    if (run.timedOut) {
      throw mediaError(MediaErrorCode.timeout, `ffmpeg needed more than ${Math.round(timeoutMs / 1000)} s writing ${outputFile}; stopped it.`);
    }
    if (run.aborted) throw mediaError(MediaErrorCode.ffmpegFailed, `writing ${outputFile} was aborted`);
    if (run.code !== 0) {
      const reason = failureReason(run.stderr) || `exit code ${run.code}`;
      throw mediaError(MediaErrorCode.ffmpegFailed, `ffmpeg could not write ${outputFile} from ${file}: ${reason}`);
    }
    const sizeBytes = await stat(outputFile).then(
      (s) => s.size,
      () => 0,
    );
    if (sizeBytes === 0) {
      throw mediaError(MediaErrorCode.ffmpegFailed, `ffmpeg wrote nothing to ${outputFile}; is the time inside the video?`);
    }
    if (onProgress && totalSec > 0) onProgress({ fraction: 1, processedSec: totalSec, totalSec });
    return { file: outputFile, sizeBytes };
  }

  private async regularFileSize(file: string): Promise<number> {
    try {
      const info = await stat(file);
      if (!info.isFile()) throw mediaError(MediaErrorCode.notVideo, `${file} is not a regular file.`);
      return info.size;
    } catch (error) {
      if (error instanceof CameramonitError) throw error;
      throw mediaError(MediaErrorCode.fileNotFound, `${file} does not exist or cannot be read.`);
    }
  }

  private spawnFailure(error: Error): CameramonitError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      return mediaError(MediaErrorCode.ffmpegNotFound, `cannot run ffmpeg (${error.message}); install ffmpeg or set FFMPEG_PATH / FFPROBE_PATH.`);
    }
    return mediaError(MediaErrorCode.ffmpegFailed, `cannot run ffmpeg: ${error.message}`);
  }

  private async runTool(path: string, args: string[], options: ToolRunOptions): Promise<ToolRun> {
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const closed = waitForClose(child);
    const maxStdoutBytes = options.maxStdoutBytes ?? 8 * 1024 * 1024;
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let pendingLine = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;

    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdoutBytes < maxStdoutBytes) {
        stdoutChunks.push(chunk);
        stdoutBytes += chunk.length;
      }
      if (options.onStdoutLine) {
        const lines = (pendingLine + chunk.toString('utf8')).split('\n');
        pendingLine = lines.pop() ?? '';
        for (const line of lines) options.onStdoutLine(line);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = appendBounded(stderr, chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      kill(child);
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill(child);
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { code, spawnError } = await closed;
      if (spawnError) throw this.spawnFailure(spawnError);
      return { code, stdout: Buffer.concat(stdoutChunks), stderr, timedOut, aborted };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      kill(child);
    }
  }
}

/** The next chunk, or 'timeout' if none arrives within `ms` (the pending read is left to the stream's end). */
async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T> | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([iterator.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readHead(file: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Shorthand for `new FfmpegDriver().probe(file)`. */
export function probeVideo(file: string, driver: FfmpegDriver = new FfmpegDriver()): Promise<VideoInfo> {
  return driver.probe(file);
}

/**
 * The analysis frame size for a video: at most `maxWidth` wide (never upscaled), aspect kept,
 * both sides even (what ffmpeg's scalers and the rawvideo pipe expect).
 */
export function fitFrameSize(videoWidth: number, videoHeight: number, maxWidth: number): { width: number; height: number } {
  const width = Math.max(2, Math.floor(Math.min(videoWidth, maxWidth) / 2) * 2);
  const height = Math.max(2, Math.round((videoHeight * width) / videoWidth / 2) * 2);
  return { width, height };
}

/**
 * How long a video really is, once its frames have been read: the header's duration, unless the
 * frames say otherwise by more than a second - a header that is missing (raw H.264, an MKV written
 * live: 0), or that promises more than the file holds (an MKV or MPEG-TS cut short) or less.
 * `lastFrameSec` is the time of the last frame read at `fps`, null when none was read.
 */
export function readableDurationSec(probedSec: number, lastFrameSec: number | null, fps: number): number {
  if (lastFrameSec === null) return probedSec;
  const readSec = lastFrameSec + 1 / fps;
  if (probedSec > 0 && Math.abs(probedSec - readSec) <= Math.max(1, 2 / fps)) return probedSec;
  return Math.round(readSec * 1000) / 1000;
}
