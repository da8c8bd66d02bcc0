import type { CameraLiveState, RecordedStream } from '@cameramonit/contracts';
import {
  chooseWebcamFormat,
  classifyCameraFailure,
  type CameraFailure,
  type CameraStreamInput,
  type CameraStreamProcess,
  type FfmpegDriver,
  inBandSps,
  type InitSegmentInfo,
  Mp4BoxSplitter,
  parseFragment,
  parseInitSegment,
  shiftFragmentTime,
} from '@cameramonit/media';
import { backoffDelaySec } from './backoff.js';
import { ClipCutter } from './clip-cutter.js';
import type { ClipFileWriter, ClipSpool, SpooledClip } from './clip-spool.js';
import { LiveHub } from './live-hub.js';
import { SnapshotPoller } from './snapshot-poller.js';

/** What the recorder says of a camera: recording, trying to reach it, or stopped by a wrong setting. */
export type RecordingState = CameraLiveState;

export interface RecordingStatus {
  state: RecordingState;
  /** what is wrong (offline, auth-failed, not-found), for people */
  message: string | null;
  /** since when the camera is in this state */
  since: Date;
}

/** Everything the recorder needs to record one camera (credentials opened, never logged). */
export interface CameraRecordingSpec {
  cameraId: string;
  projectSlug: string;
  cameraSlug: string;
  name: string;
  input: CameraStreamInput;
  /** snapshot cameras: the recorder fetches the pictures */
  snapshot?: { url: string; username: string | null; password: string | null; fps: number };
  /** length of the clips, seconds (the camera's buffer seconds) */
  clipSec: number;
  /** recording (default): the camera's stream; substream: its sub-stream, for the analysis */
  source?: RecordedStream;
}

export interface CameraRecorderTimings {
  /** no byte from ffmpeg for this long: it is killed and started again (default 15 s) */
  stallSec: number;
  /** a camera that drops is only called offline when it is not back within this long (default 6 s) */
  offlineGraceSec: number;
  /** wait this long before trying again a camera that refused the password or has no such stream (default 300 s) */
  settingsRetrySec: number;
  /** a run that streamed this long resets the backoff (default 30 s) */
  healthyRunSec: number;
}

export const defaultRecorderTimings: CameraRecorderTimings = { stallSec: 15, offlineGraceSec: 6, settingsRetrySec: 300, healthyRunSec: 30 };

export interface CameraRecorderHooks {
  /** a clip is complete in the spool: store it */
  onClip(clip: SpooledClip): void;
  /** the camera's state changed */
  onStatus(status: RecordingStatus, previous: RecordingStatus): void;
  log(level: 'log' | 'warn', message: string): void;
}

/**
 * Records one camera: one ffmpeg reading its stream (stream copy where the browser can play it),
 * its fragmented MP4 cut into clips of the camera's buffer seconds in the spool, the same fragments
 * passed to live viewers. A camera that drops is retried with capped, jittered backoff; a wrong
 * password or path is retried rarely (a clear status, not a storm); ffmpeg that sends nothing for
 * `stallSec` is killed and restarted. Only `stop()` ends it, and it leaves no ffmpeg behind.
 */
export class CameraStreamRecorder {
  readonly live = new LiveHub();
  private status: RecordingStatus;
  private process: CameraStreamProcess | null = null;
  private poller: SnapshotPoller | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failures = 0;
  private offlineTimer: NodeJS.Timeout | null = null;
  private lastByteAtMs = 0;
  private stallReason: string | null = null;
  /** the last time a fragment came in */
  lastFragmentAtMs: number | null = null;
  clipsWritten = 0;
  restarts = 0;
  streamInfo: InitSegmentInfo | null = null;

  constructor(
    readonly spec: CameraRecordingSpec,
    private readonly ffmpeg: FfmpegDriver,
    private readonly spool: ClipSpool,
    private readonly hooks: CameraRecorderHooks,
    private readonly timings: CameraRecorderTimings = defaultRecorderTimings,
    initial: RecordingStatus | null = null,
  ) {
    this.status = initial ?? { state: 'starting', message: null, since: new Date() };
  }

  get currentStatus(): RecordingStatus {
    return this.status;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops recording: ffmpeg killed, the clip in progress finished and handed on. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.offlineTimer) clearTimeout(this.offlineTimer);
    this.process?.kill();
    this.poller?.stop();
    this.wake?.();
    await this.loop;
    this.live.stop();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      let failure: CameraFailure;
      let streamed = false;
      try {
        const outcome = await this.runOnce();
        streamed = outcome.streamed;
        failure = outcome.failure;
      } catch (error) {
        failure = { kind: 'unknown', message: `the recording failed: ${(error as Error).message}` };
      }
      if (this.stopped) break;
      this.restarts++;
      if (streamed && Date.now() - started >= this.timings.healthyRunSec * 1000) this.failures = 0;
      // a restart to switch to arrival times, or for a changed picture, is no failure of the camera
      const planned = failure.kind === 'timestamps' || failure.kind === 'changed';
      if (!planned) this.failures++;
      this.onRunFailed(failure, streamed);
      const wrongSetting = failure.kind === 'auth' || failure.kind === 'not-found';
      const delaySec = planned ? 0.2 : wrongSetting ? this.timings.settingsRetrySec : backoffDelaySec(this.failures);
      this.hooks.log('warn', `Camera ${this.spec.name}: ${failure.message}; trying again in ${delaySec.toFixed(1)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delaySec * 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /**
   * The pixel format to ask this webcam for (chooseWebcamFormat: Motion-JPEG where raw pictures of
   * the size asked would come at a fraction of the frame rate), asked of the device at every start
   * (another webcam may have been plugged in); null: the device's default, also when it cannot be asked.
   */
  private async webcamFormat(): Promise<string | null> {
    const formats = await this.ffmpeg.videoDeviceFormatList(this.spec.input.url).catch(() => null);
    const chosen = chooseWebcamFormat(formats, this.spec.input.captureSize);
    if (formats && chosen !== this.loggedWebcamFormat) {
      this.loggedWebcamFormat = chosen;
      const offered = formats.map((entry) => entry.format).join(', ');
      this.hooks.log('log', `Camera ${this.spec.name}: the webcam offers ${offered}; ${chosen ? `asking it for ${chosen} (raw pictures of this size would come at a fraction of the frame rate)` : 'taking its default format'}`);
    }
    return chosen;
  }

  /** One run of ffmpeg, until it exits or is killed. */
  private async runOnce(): Promise<{ streamed: boolean; failure: CameraFailure }> {
    const captureFormat = this.spec.input.kind === 'webcam' ? await this.webcamFormat() : undefined;
    // stopped while the webcam was asked: no ffmpeg to start (stop() killed none)
    if (this.stopped) return { streamed: false, failure: { kind: 'unknown', message: 'stopped' } };
    const run = this.ffmpeg.openCameraStream({ ...this.spec.input, wallClockTimestamps: this.wallClock || this.spec.input.wallClockTimestamps, ...(captureFormat ? { captureFormat } : {}) });
    this.timestampsBroken = false;
    this.streamChanged = null;
    this.process = run;
    this.lastPollerFailure = null;
    if (this.spec.snapshot && run.stdin) {
      this.poller = new SnapshotPoller(this.spec.snapshot, run.stdin, (failure) => {
        this.lastPollerFailure = failure;
      });
      this.poller.start();
    }
    this.lastByteAtMs = Date.now();
    this.stallReason = null;
    const watchdog = setInterval(() => {
      if (Date.now() - this.lastByteAtMs > this.timings.stallSec * 1000) {
        this.stallReason = `the camera sent nothing for ${this.timings.stallSec} s`;
        run.kill();
      }
    }, 1000);
    watchdog.unref();

    const splitter = new Mp4BoxSplitter();
    let initParts: Buffer[] = [];
    let info: InitSegmentInfo | null = null;
    let initBytes: Buffer | null = null;
    let cutter: ClipCutter | null = null;
    let pendingMoof: Buffer | null = null;
    let writer: ClipFileWriter | null = null;
    let writerFirst = 0n;
    let streamed = false;
    let streamError: Error | null = null;
    const closing: Promise<void>[] = [];

    const closeWriter = () => {
      const done = writer;
      writer = null;
      if (!done) return;
      closing.push(
        done.finish().then(
          (clip) => {
            this.clipsWritten++;
            this.hooks.onClip(clip);
          },
          (error: unknown) => this.hooks.log('warn', `Camera ${this.spec.name}: a clip could not be written to the spool: ${(error as Error).message}`),
        ),
      );
    };

    let previousDecodeTime: bigint | null = null;
    let badTimestamps = 0;
    const clockCheck = new StreamClockCheck();
    const onFragment = async (moof: Buffer, mdat: Buffer) => {
      if (!info || !cutter || !initBytes) throw new Error('a fragment came before the init segment');
      const fragment = parseFragment(moof, info);
      const now = Date.now();
      // frames without duration, time going backwards, or a stream whose time runs far slower or
      // faster than the wall clock (ffmpeg "fixing" broken timestamps by one tick): the camera's clock is broken
      if (fragment.duration === 0 || (previousDecodeTime !== null && fragment.baseDecodeTime <= previousDecodeTime)) badTimestamps++;
      previousDecodeTime = fragment.baseDecodeTime;
      const clockBroken = clockCheck.add(fragment.duration / info.timescale, now);
      if ((badTimestamps >= 2 || clockBroken) && !this.wallClock) {
        this.wallClock = true;
        this.timestampsBroken = true;
        this.hooks.log('warn', `Camera ${this.spec.name}: its timestamps are broken (${clockBroken ?? 'frames without duration or going back'}); recording with the time frames arrive instead`);
        run.kill();
        return;
      }
      if (fragment.duration === 0) return;
      if (fragment.startsWithKeyFrame && info.sps) {
        const sps = inBandSps(moof, mdat, fragment, info.nalLengthSize);
        if (sps && !sps.equals(info.sps)) {
          // a new picture size or profile: MP4 keeps one per init segment, so the stream starts anew (a new clip)
          this.streamChanged = 'the camera changed its picture (new sequence parameters)';
          this.hooks.log('warn', `Camera ${this.spec.name}: ${this.streamChanged}; starting its stream again`);
          run.kill();
          return;
        }
      }
      this.lastFragmentAtMs = now;
      if (!streamed) {
        streamed = true;
        this.setOnline();
      }
      this.live.fragment(Buffer.concat([moof, mdat]), fragment.startsWithKeyFrame, Number(fragment.baseDecodeTime) / info.timescale);
      const action = cutter.next(fragment, now);
      if (action.action === 'skip') {
        if (action.closeOpen) closeWriter();
        return;
      }
      if (action.action === 'start') {
        closeWriter();
        writer = await this.spool.create(this.spec, action.startedAtMs, initBytes);
        writerFirst = fragment.baseDecodeTime;
      }
      // the first clip of a run may turn out to have begun earlier than its first fragment said (ClipCutter)
      const open = cutter.current;
      if (writer && open && Math.round(open.startedAtMs) !== writer.startedAt.getTime()) writer.retime(open.startedAtMs);
      if (writer) {
        void writer.append(shiftFragmentTime(moof, writerFirst));
        void writer.append(mdat);
      }
    };

    const stdout = run.stdout;
    try {
      for await (const chunk of stdout as AsyncIterable<Buffer>) {
        this.lastByteAtMs = Date.now();
        for (const box of splitter.push(chunk)) {
          if (box.type === 'ftyp') {
            initParts = [box.bytes];
          } else if (box.type === 'moov') {
            initBytes = Buffer.concat([...initParts, box.bytes]);
            info = parseInitSegment(initBytes);
            this.streamInfo = info;
            cutter = new ClipCutter({ clipSec: this.spec.clipSec, timescale: info.timescale });
            this.live.start(initBytes, info);
          } else if (box.type === 'moof') {
            pendingMoof = box.bytes;
          } else if (box.type === 'mdat' && pendingMoof) {
            const moof = pendingMoof;
            pendingMoof = null;
            await onFragment(moof, box.bytes);
          }
        }
      }
    } catch (error) {
      streamError = error as Error;
      run.kill();
    } finally {
      clearInterval(watchdog);
      this.poller?.stop();
      this.poller = null;
    }
    const exit = await run.exited;
    this.process = null;
    cutter?.end();
    closeWriter();
    await Promise.all(closing);
    this.live.stop();

    let failure: CameraFailure;
    if (this.timestampsBroken) failure = { kind: 'timestamps', message: "the camera's timestamps are broken; recording again with arrival times" };
    else if (this.streamChanged) failure = { kind: 'changed', message: this.streamChanged };
    // a snapshot camera that answers with an error sends no picture: its answer is the reason, not the silence
    else if (this.spec.snapshot && this.lastPollerFailure) failure = this.lastPollerFailure;
    else if (this.stallReason) failure = { kind: 'timeout', message: this.stallReason };
    else if (streamError) failure = { kind: 'bad-stream', message: `the camera's stream could not be read: ${streamError.message}` };
    else if (exit.spawnError) failure = { kind: 'unknown', message: `ffmpeg could not be started: ${exit.spawnError.message}` };
    else failure = (this.spec.snapshot ? this.lastPollerFailure : null) ?? classifyCameraFailure(run.stderrTail(), this.spec.input.kind);
    return { streamed, failure };
  }

  private lastPollerFailure: CameraFailure | null = null;
  /** the webcam format last said in the log (webcamFormat) */
  private loggedWebcamFormat: string | null | undefined = undefined;
  /**
   * The camera's own timestamps stopped making sense (frames with no duration, time running
   * backwards): ffmpeg stamps frames with the time they arrive instead, until the settings change.
   */
  private wallClock = false;
  private timestampsBroken = false;
  /** the camera's stream changed (a new picture size): ffmpeg is started again for a new init segment */
  private streamChanged: string | null = null;

  private setOnline(): void {
    if (this.offlineTimer) {
      clearTimeout(this.offlineTimer);
      this.offlineTimer = null;
    }
    this.setStatus('online', null);
  }

  private onRunFailed(failure: CameraFailure, streamed: boolean): void {
    if (failure.kind === 'timestamps' || failure.kind === 'changed') return;
    const state: RecordingState = failure.kind === 'auth' ? 'auth-failed' : failure.kind === 'not-found' ? 'not-found' : 'offline';
    if (this.status.state === 'online' && streamed && state === 'offline') {
      // a drop: offline only when it is not back within the grace time (a reconnect is no news)
      const since = new Date(this.lastFragmentAtMs ?? Date.now());
      this.offlineTimer ??= setTimeout(() => {
        this.offlineTimer = null;
        if (!this.stopped && this.status.state === 'online') this.setStatus('offline', failure.message, since);
      }, this.timings.offlineGraceSec * 1000);
      return;
    }
    if (this.status.state === 'online' && this.offlineTimer) return; // still within the grace time
    this.setStatus(state, failure.message, this.status.state === 'online' ? new Date(this.lastFragmentAtMs ?? Date.now()) : undefined);
  }

  private setStatus(state: RecordingState, message: string | null, since?: Date): void {
    const previous = this.status;
    if (previous.state === state && previous.message === message) return;
    // the same trouble with another wording keeps its start time
    const keepSince = previous.state === state;
    this.status = { state, message, since: keepSince ? previous.since : (since ?? new Date()) };
    this.hooks.onStatus(this.status, previous);
  }

  /** Settings changed (or someone asks to try now): the next attempt is now. */
  retryNow(): void {
    this.failures = 0;
    this.wake?.();
  }
}

/**
 * Compares the stream's own time with the wall clock over windows of a few seconds: a camera
 * whose video runs at less than half or more than 2.5 times real time is sending broken
 * timestamps. The first seconds are not judged (a camera may send its buffer at once).
 */
export class StreamClockCheck {
  private firstMs: number | null = null;
  private windowStartMs = 0;
  private mediaSec = 0;

  constructor(
    private readonly windowSec = 6,
    private readonly settleSec = 3,
  ) {}

  /** A fragment of `durationSec` arrived at `nowMs`; returns why the clock is broken, or null. */
  add(durationSec: number, nowMs: number): string | null {
    if (this.firstMs === null) {
      this.firstMs = nowMs;
      this.windowStartMs = nowMs;
      return null;
    }
    if (nowMs - this.firstMs < this.settleSec * 1000) {
      this.windowStartMs = nowMs;
      return null;
    }
    this.mediaSec += durationSec;
    const wallSec = (nowMs - this.windowStartMs) / 1000;
    if (wallSec < this.windowSec) return null;
    const ratio = this.mediaSec / wallSec;
    this.windowStartMs = nowMs;
    this.mediaSec = 0;
    if (ratio < 0.5 || ratio > 2.5) return `${wallSec.toFixed(1)} s of wall clock brought ${(ratio * wallSec).toFixed(1)} s of video`;
    return null;
  }
}
