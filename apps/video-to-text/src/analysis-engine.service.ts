import { join, extname, posix } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { TokenService } from '@cameramonit/auth';
import type { AppConfig } from '@cameramonit/config';
import type { AnalysedEvent, AnalysisProgress, Detection } from '@cameramonit/contracts';
import type { CameraEntity, ClipEntity } from '@cameramonit/db';
import { FfmpegDriver, type VideoFrame, type VideoInfo } from '@cameramonit/media';
import { APP_CONFIG, StorageClient } from '@cameramonit/server';
import { analyseVideoWithStats, HumanObjectDetector, type SceneCarry, type VideoAnalysis } from '@cameramonit/vision';
import { clipSettings, type ClipSettings } from './camera-settings.js';
import { animationWindow, ClipFrames, eventPicturesFromFrames } from './clip-frames.js';
import type { EventMedia } from './event-rows.js';

/** The detector's own floor: a camera's minimum confidence below it acts as this. */
const DETECTOR_FLOOR_CONFIDENCE = 0.2;

/** A clip's analysis as the engine ran it: the result and the frames it decoded (for the events' pictures). */
export interface EngineAnalysis extends VideoAnalysis {
  frames: ClipFrames;
}

export interface DownloadedClip {
  videoFile: string;
  info: VideoInfo;
}

/**
 * The engine as the worker runs it: one loaded detector, one analysis at a time in this process
 * (live clips and re-analyses take turns), clips fetched from storage, the camera's settings read
 * for every clip, and each event's snapshot and animation written next to its clip.
 */
@Injectable()
export class AnalysisEngine implements OnApplicationShutdown {
  private readonly logger = new Logger(AnalysisEngine.name);
  readonly ffmpeg = new FfmpegDriver({
    keyFrameDecoders: {
      onFailure: (stream, error) => this.logger.warn(`Key frames of ${stream}: its ffmpeg kept running failed (${error.message}); its clips are read by an ffmpeg each for 10 minutes`),
    },
  });
  readonly storage: StorageClient;
  private readonly detector: HumanObjectDetector;
  private loaded: Promise<void> | null = null;
  private turn: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tokens: TokenService,
  ) {
    this.storage = new StorageClient(config.storageUrl, tokens, 'video-to-text');
    // every class and a low floor: each camera's classes and minimum confidence are applied per clip
    this.detector = new HumanObjectDetector({ inputSize: config.analysis.detectorInputSize, minConfidence: Math.min(config.analysis.minConfidence, DETECTOR_FLOOR_CONFIDENCE), classes: null });
  }

  /** ANALYSIS_BEHIND_SECONDS: a recorded clip that waited longer than this is looked at on its key frames only (0: never) */
  get behindSeconds(): number {
    return this.config.analysis.behindSeconds;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Loads the detector once. */
  ready(): Promise<void> {
    this.loaded ??= this.detector.load().then(() => this.logger.log(`Object detector loaded (centernet, ${this.config.analysis.detectorInputSize} px)`));
    return this.loaded;
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    this.ffmpeg.close();
    await this.turn.catch(() => undefined);
    await this.detector.dispose();
  }

  /** The settings this camera's next clip is analysed with (read now: a change applies to the next clip). */
  settingsFor(camera: CameraEntity | null): ClipSettings {
    const resolved = clipSettings(camera?.analysisSettings ?? null, { fps: this.config.analysis.fps, width: this.config.analysis.width });
    if (resolved.problem) this.logger.warn(`Camera ${camera?.id}: stored analysis settings unusable, using the defaults: ${resolved.problem}`);
    return resolved;
  }

  /** The detector on a whole frame (a live key frame), with a camera's classes and minimum confidence. */
  async detectWholeFrame(frame: VideoFrame, request: { minConfidence: number; classes: readonly string[] | null }): Promise<Detection[]> {
    await this.ready();
    return this.detector.detect(frame.rgb, frame.width, frame.height, { minConfidence: Math.max(request.minConfidence, DETECTOR_FLOOR_CONFIDENCE), classes: request.classes });
  }

  /** Runs `work` when no other analysis of this process is running. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Fetches the clip from storage into `work` and probes it. */
  async download(clip: ClipEntity, work: string): Promise<DownloadedClip> {
    const videoFile = join(work, `clip${extname(clip.path) || '.video'}`);
    await this.storage.download(clip.path, videoFile);
    // the recorder's own clips (main or sub-stream) need no check that a frame decodes (the analysis finds out anyway); uploads and pushes get the clear error
    const recorded = clip.source === 'recording' || clip.source === 'substream';
    return { videoFile, info: await this.ffmpeg.probe(videoFile, { decodeCheck: !recorded, recorded }) };
  }

  /**
   * The local pass over a downloaded clip with the camera's settings, starting from `carryIn` when it
   * follows the previous clip. A quiet camera's clip is first looked at on its key frames
   * (ANALYSIS_KEYFRAME_WATCH), except where brief motion matters in itself: a camera recording only
   * around motion (`motionOnly`: the clips kept are decided by the motion found) or reporting motion
   * events. `keyFramesOnly` (the worker is behind) looks at the clip on its key frames alone, with
   * the same exceptions. `stream` names the recording the clip continues (its key frames are then
   * decoded by one ffmpeg kept running for it).
   */
  async analyse(
    videoFile: string,
    info: VideoInfo,
    settings: ClipSettings,
    carryIn: SceneCarry | null,
    onProgress?: (progress: AnalysisProgress) => void,
    camera?: { motionOnly: boolean; keyFramesOnly?: boolean; stream?: string },
  ): Promise<EngineAnalysis> {
    await this.ready();
    const frames = new ClipFrames();
    const briefMotionMatters = Boolean(camera?.motionOnly) || settings.settings.motionEvents === true;
    const keyFrameWatch = this.config.analysis.keyFrameWatch && !briefMotionMatters;
    const keyFramesOnly = Boolean(camera?.keyFramesOnly) && !briefMotionMatters;
    // probed once on download: a recorded clip comes every few seconds, and each probe is two ffmpeg processes
    const analysed = await analyseVideoWithStats(
      videoFile,
      {
        settings: settings.settings,
        carryIn,
        detector: this.detector,
        signal: this.abort.signal,
        info,
        keyFrameWatch,
        keyFramesOnly,
        ffmpeg: this.ffmpeg,
        keyFrameStream: camera?.stream,
        onFrame: frames.keep,
        onRestart: frames.clear,
      },
      onProgress,
    );
    return { ...analysed, frames };
  }

  /**
   * Snapshot (best moment, box drawn) and animation of one event, stored under
   * <clip folder>/<clip id>/<event id>.jpg|.gif: made from the frames the analysis decoded, or, when
   * the clip was too long to keep them, by ffmpeg from the file.
   */
  async writeEventMedia(clip: ClipEntity, camera: CameraEntity | null, analysed: EngineAnalysis, videoFile: string, work: string, event: AnalysedEvent, eventId: string): Promise<EventMedia> {
    const { result } = analysed;
    const folder = posix.join(posix.dirname(clip.path), clip.id);
    const media = { snapshotPath: `${folder}/${eventId}.jpg`, animationPath: `${folder}/${eventId}.gif` };
    const animationSeconds = camera?.animationSeconds ?? 4;
    const pictures = eventPicturesFromFrames(analysed.frames, event, result, animationSeconds);
    if (pictures) {
      await Promise.all([this.storage.putBuffer(media.snapshotPath, pictures.snapshot, 'image/jpeg'), this.storage.putBuffer(media.animationPath, pictures.animation, 'image/gif')]);
      return media;
    }
    const snapshotFile = join(work, `${eventId}.jpg`);
    const animationFile = join(work, `${eventId}.gif`);
    const boxes = event.bestBox ? [{ box: event.bestBox, frameWidth: result.frameWidth, frameHeight: result.frameHeight, color: 'yellow' }] : [];
    const bestSec = Math.max(0, Math.min(event.bestSec, result.durationSec));
    await this.ffmpeg.writeSnapshot(videoFile, snapshotFile, { atSec: bestSec, width: Math.min(640, result.frameWidth * 2), boxes }, { signal: this.abort.signal });
    const window = animationWindow(event.bestSec, result.durationSec, animationSeconds);
    await this.ffmpeg.writeAnimation(videoFile, animationFile, { startSec: window.startSec, durationSec: window.durationSec, width: 320, fps: 8 }, { signal: this.abort.signal });
    await Promise.all([this.storage.putFile(media.snapshotPath, snapshotFile, 'image/jpeg'), this.storage.putFile(media.animationPath, animationFile, 'image/gif')]);
    return media;
  }
}
