import type { AnalysisProgress, AnalysisResult, CameraAnalysisSettings } from '@cameramonit/contracts';
import { CameramonitError } from '@cameramonit/contracts';
import { FfmpegDriver, fitFrameSize, readableDurationSec } from '@cameramonit/media';
import type { EventBuilderOptions, MotionSample } from './event.builder.js';
import { HumanObjectDetector } from './human-object-detector.driver.js';
import { MotionDetector, type MotionDetectorOptions } from './motion-detector.js';
import { defaultDetectedClasses, type ObjectDetector } from './object-detector.js';
import type { ObjectTrackerOptions } from './object.tracker.js';
import { SceneTracker, type SceneObjectsState } from './scene.tracker.js';

/** A camera's scene at the end of a clip, as JSON: give it to the analysis of the camera's next clip. */
export interface SceneState {
  version: 1;
  /** length of the clip it was taken at the end of, seconds */
  durationSec: number;
  /** the analysis frame size its boxes are in; a clip analysed at another size starts a new scene */
  frameWidth: number;
  frameHeight: number;
  objects: SceneObjectsState;
}

export interface SceneCarry {
  /** the scene at the end of the camera's previous clip */
  state: SceneState;
  /** seconds between the end of that clip and the start of this one (0 for a continuous recording) */
  gapSec: number;
}

export interface AnalyseVideoOptions {
  /**
   * The camera's analysis settings (classes, minimum confidence, zones, masks, motion sensitivity,
   * motion events, fps, width). The explicit options below win over them where both are given.
   */
  settings?: CameraAnalysisSettings;
  /** the camera's previous clip, when this clip follows it: objects crossing the boundary stay one track and one event */
  carryIn?: SceneCarry | null;
  /** frames analysed per second of video (default 5) */
  fps?: number;
  /** analysis frame width in pixels, never upscaled; boxes are in this frame's pixels (default 512) */
  width?: number;
  /** detector score below which objects are ignored (default 0.3) */
  minConfidence?: number;
  /** COCO labels to look for; null = all 80 (default: person, bicycle, car, motorcycle, bus, truck, dog, cat, horse) */
  classes?: readonly string[] | null;
  /** also report motion no object explains (default false) */
  motionEvents?: boolean;
  /** the object detector; default a HumanObjectDetector (created, loaded and disposed by analyseVideo) */
  detector?: ObjectDetector;
  /** model input size of the default detector (default 384) */
  detectorInputSize?: number;
  /** while something moves, run the detector at most this often (default 0.4 s) */
  detectEverySec?: number;
  /** run the detector at least this often even without motion, so still objects are tracked (default 5 s) */
  idleDetectEverySec?: number;
  ffmpeg?: FfmpegDriver;
  motion?: MotionDetectorOptions;
  tracker?: ObjectTrackerOptions;
  events?: Omit<EventBuilderOptions, 'motionEvents'>;
  signal?: AbortSignal;
}

export type AnalysisProgressListener = (progress: AnalysisProgress) => void;

/** How the analysis went, for logs and benchmarks. */
export interface AnalysisStats {
  wallMs: number;
  /** seconds of video per second of analysis */
  speedVsRealtime: number;
  framesRead: number;
  framesWithMotion: number;
  detectorRuns: number;
  detectorMsTotal: number;
  detectorMsPerRun: number;
  modelLoadMs: number;
}

export interface VideoAnalysis {
  result: AnalysisResult;
  stats: AnalysisStats;
  /** for the analysis of the camera's next clip (carryIn) */
  sceneState: SceneState;
}

/**
 * The whole local pass over one video: probe -> frames at the analysis fps and size -> motion ->
 * object detection on frames with motion -> tracking -> events -> English and Polish summaries.
 * Times are seconds from the clip start. Throws CameramonitError for unusable files (NOT_VIDEO...).
 */
export async function analyseVideo(
  file: string,
  options: AnalyseVideoOptions = {},
  onProgress?: AnalysisProgressListener,
): Promise<AnalysisResult> {
  return (await analyseVideoWithStats(file, options, onProgress)).result;
}

/** analyseVideo plus timings (detector ms per run, speed vs realtime). */
export async function analyseVideoWithStats(
  file: string,
  options: AnalyseVideoOptions = {},
  onProgress?: AnalysisProgressListener,
): Promise<VideoAnalysis> {
  const started = performance.now();
  options = withSettings(options);
  const fps = options.fps ?? 5;
  const maxWidth = options.width ?? 512;
  if (!(fps > 0 && fps <= 60)) throw new CameramonitError('INVALID_ANALYSIS_OPTION', `fps must be between 0 and 60, got ${fps}`, 400);
  if (!(Number.isInteger(maxWidth) && maxWidth >= 64)) {
    throw new CameramonitError('INVALID_ANALYSIS_OPTION', `width must be an integer of at least 64 pixels, got ${maxWidth}`, 400);
  }
  const detectEverySec = options.detectEverySec ?? 0.4;
  const idleDetectEverySec = options.idleDetectEverySec ?? 5;
  const ffmpeg = options.ffmpeg ?? new FfmpegDriver();

  const info = await ffmpeg.probe(file);
  const { width, height } = fitFrameSize(info.width, info.height, maxWidth);

  const ownsDetector = !options.detector;
  const detector =
    options.detector ??
    new HumanObjectDetector({
      minConfidence: options.minConfidence,
      classes: options.classes,
      inputSize: options.detectorInputSize,
    });
  const minConfidence = options.minConfidence ?? 0.3;
  const classes = options.classes === undefined ? defaultDetectedClasses : options.classes;
  let modelLoadMs = 0;
  if (detector instanceof HumanObjectDetector) {
    const loadStarted = performance.now();
    await detector.load();
    modelLoadMs = performance.now() - loadStarted;
  }

  const motionDetector = new MotionDetector(options.motion);
  const carry = usableCarry(options.carryIn ?? null, width, height);
  const scene = new SceneTracker({
    tracker: options.tracker,
    events: { ...options.events, motionEvents: options.motionEvents ?? false },
    carryIn: carry ? { state: carry.state.objects, offsetSec: carry.state.durationSec + carry.gapSec } : null,
    zones: options.settings?.zones ?? [],
    masks: options.settings?.masks ?? [],
    frameWidth: width,
    frameHeight: height,
  });
  const motionSamples: MotionSample[] = [];
  let framesRead = 0;
  let framesWithMotion = 0;
  let detectorRuns = 0;
  let detectorMsTotal = 0;
  let lastDetectionSec = -Infinity;
  let lastFrameSec: number | null = null;
  const probedDurationSec = info.durationSec;

  try {
    for await (const frame of ffmpeg.readFrames(file, { fps, width, height, signal: options.signal })) {
      framesRead++;
      lastFrameSec = frame.sec;
      const motion = motionDetector.detect(frame.rgb, frame.width, frame.height);
      const moving = motion.regions.length > 0;
      if (moving) framesWithMotion++;
      motionSamples.push({ sec: frame.sec, score: motion.score, box: motion.regions[0]?.box ?? null });

      const sinceDetection = frame.sec - lastDetectionSec;
      const due =
        (moving || motion.warmingUp || motion.globalChange) ? sinceDetection >= detectEverySec - 1e-6 : sinceDetection >= idleDetectEverySec - 1e-6;
      if (due) {
        const detectStarted = performance.now();
        const detections = await detector.detect(frame.rgb, frame.width, frame.height);
        detectorMsTotal += performance.now() - detectStarted;
        detectorRuns++;
        lastDetectionSec = frame.sec;
        scene.update(
          frame.sec,
          detections.filter((detection) => detection.confidence >= minConfidence && wanted(classes, detection.label)),
        );
      }
      if (onProgress && probedDurationSec > 0) {
        const processedSec = Math.min(probedDurationSec, frame.sec + 1 / fps);
        onProgress({ fraction: processedSec / probedDurationSec, processedSec, durationSec: probedDurationSec });
      }
    }
  } finally {
    if (ownsDetector) await detector.dispose();
  }

  // the header may lie (a file cut short, a raw stream without one): the frames read are the truth
  const durationSec = readableDurationSec(probedDurationSec, lastFrameSec, fps);
  if (framesRead === 0) {
    throw new CameramonitError('CORRUPT_VIDEO', `${file}: no video frame could be read; the file is damaged or its video stream is empty.`, 422);
  }
  const { tracks, events, state: objects } = scene.finish(motionSamples, durationSec);
  if (onProgress) onProgress({ fraction: 1, processedSec: durationSec, durationSec });

  const wallMs = performance.now() - started;
  return {
    result: {
      durationSec,
      frameWidth: width,
      frameHeight: height,
      analysedFrames: framesRead,
      fps,
      tracks,
      events,
    },
    stats: {
      wallMs,
      speedVsRealtime: wallMs > 0 ? durationSec / (wallMs / 1000) : 0,
      framesRead,
      framesWithMotion,
      detectorRuns,
      detectorMsTotal,
      detectorMsPerRun: detectorRuns > 0 ? detectorMsTotal / detectorRuns : 0,
      modelLoadMs,
    },
    sceneState: { version: 1, durationSec, frameWidth: width, frameHeight: height, objects },
  };
}

/** The previous clip's scene, if this clip can go on from it (same frame size, a short gap). */
function usableCarry(carry: SceneCarry | null, width: number, height: number): SceneCarry | null {
  if (!carry || carry.state?.version !== 1) return null;
  if (carry.state.frameWidth !== width || carry.state.frameHeight !== height) return null;
  if (!(carry.gapSec >= 0 && carry.gapSec <= 10)) return null;
  return carry;
}

/** An injected detector may report more classes than asked for; keep only the wanted ones. */
function wanted(classes: readonly string[] | null, label: string): boolean {
  return classes === null || classes.includes(label);
}

/** Explicit options first, then the camera's settings, then the defaults. */
function withSettings(options: AnalyseVideoOptions): AnalyseVideoOptions {
  const settings = options.settings;
  if (!settings) return options;
  return {
    ...options,
    fps: options.fps ?? settings.fps ?? undefined,
    width: options.width ?? settings.width ?? undefined,
    minConfidence: options.minConfidence ?? settings.minConfidence,
    classes: options.classes === undefined ? settings.classes : options.classes,
    motionEvents: options.motionEvents ?? settings.motionEvents,
  };
}
