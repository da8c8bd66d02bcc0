import type { AnalysisProgress, AnalysisResult, Box, CameraAnalysisSettings, Detection } from '@cameramonit/contracts';
import { CameramonitError } from '@cameramonit/contracts';
import { FfmpegDriver, fitFrameSize, readableDurationSec, type FrameReaderOptions, type VideoFrame, type VideoInfo } from '@cameramonit/media';
import { cutCrop, mergeCropDetections, planDetectionCrops } from './detection-crop.planner.js';
import { DetectionScheduler, defaultRecheckStillEverySec, type DetectionScheduleState, type DetectionStep } from './detection.scheduler.js';
import { motionSpan, type EventBuilderOptions, type MotionSample } from './event.builder.js';
import { defaultDetectorInputSize, frameInputShape, HumanObjectDetector } from './human-object-detector.driver.js';
import { MotionDetector, type MotionDetectorOptions, type MotionState } from './motion-detector.js';
import { defaultDetectedClasses, type ObjectDetector } from './object-detector.js';
import { sameObjectKind, type ObjectTrackerOptions } from './object.tracker.js';
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
  /** the motion detector's background and clutter map (absent in states from older versions) */
  motion?: MotionState | null;
  /** when the detector last looked and what it knew (absent in states from older versions: the next clip starts with a whole-frame look) */
  schedule?: DetectionScheduleState | null;
  /** nothing moved in the clip's last second: the next clip may be looked at on its key frames first (keyFrameWatch) */
  quiet?: boolean;
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
  /** whole-frame model input of the default detector: the longer side in pixels (default 320) */
  detectorInputSize?: number;
  /** run the detector on crops around motion and known objects (default true); false = always whole frames */
  crops?: boolean;
  /** new motion (no known object explains it) is looked at this often (default 0.4 s) */
  detectEverySec?: number;
  /** motion of objects already known is looked at this often (default 0.8 s) */
  trackEverySec?: number;
  /** known objects that stopped moving are looked at this often (default 1.5 s) */
  recheckStillEverySec?: number;
  /** the whole frame is looked at this often, so still objects are known (default 5 s) */
  idleDetectEverySec?: number;
  /** ffmpeg's decoder threads (default 1: the least CPU per frame; the detector, not decoding, sets the pace) */
  decodeThreads?: number;
  /**
   * A clip that follows a quiet one (`carryIn`, nothing moved at its end) and whose key frames are
   * known (`info.keyFrameSecs`, at most `maxKeyFrameGapSec` apart) is first looked at on its key
   * frames only: about half the decoding and a fifth of the frames. At the first sign of life there
   * (motion, a global change, an object the schedule did not know standing there) that look is
   * given up and the clip is analysed at the full fps from its start. Default true.
   */
  keyFrameWatch?: boolean;
  /**
   * Analyse the clip on its key frames only, whatever moves (the worker is behind: a light look
   * that keeps events coming within seconds), when its key frames are known and at most
   * `maxKeyFrameGapSec` apart; otherwise the clip is analysed at the full fps. Events then start
   * and end on key frames, and their animations are made of key frames. Default false.
   */
  keyFramesOnly?: boolean;
  /**
   * The clip continues this stream (a camera's recording, e.g. "<camera id>:recording"): its key
   * frames are decoded by the ffmpeg the driver keeps running for the stream (FrameReaderOptions
   * `continuing`). Give `ffmpeg` too, the driver that keeps it.
   */
  keyFrameStream?: string;
  ffmpeg?: FfmpegDriver;
  /** what a probe of `file` said, when the caller probed it already (saves running ffprobe and a decode check again) */
  info?: VideoInfo;
  /** every analysed frame, as it is read (e.g. kept to make an event's pictures without decoding the clip again) */
  onFrame?: (frame: VideoFrame) => void;
  /** the key-frame look was given up: the frames given to onFrame so far are not the result's; the clip's frames at the full fps follow */
  onRestart?: () => void;
  motion?: MotionDetectorOptions;
  tracker?: ObjectTrackerOptions;
  events?: Omit<EventBuilderOptions, 'motionEvents'>;
  signal?: AbortSignal;
}

export type AnalysisProgressListener = (progress: AnalysisProgress) => void;

/** How the analysis went, for logs and benchmarks. */
export interface AnalysisStats {
  wallMs: number;
  /** CPU time of this process during the analysis, all its threads (ffmpeg not included) */
  cpuMs: number;
  /** seconds of video per second of analysis */
  speedVsRealtime: number;
  framesRead: number;
  framesWithMotion: number;
  /** time spent in the motion detector (wall clock; measuring CPU time per frame would cost more than motion itself) */
  motionMs: number;
  /** detector calls (a whole frame or a batch of crops) */
  detectorRuns: number;
  /** images given to the detector (whole frames + crops) */
  detectorImages: number;
  detectorMsTotal: number;
  detectorMsPerRun: number;
  /** every detector call, in order */
  detectorCalls: DetectorCall[];
  /** detector runs that failed and were skipped (the analysis went on) */
  detectorFailures: number;
  lastDetectorError: string | null;
  modelLoadMs: number;
  /** the key-frame look at the clip (keyFrameWatch), or null when there was none */
  keyFrameLook: KeyFrameLook | null;
}

export interface KeyFrameLook {
  /** key frames looked at */
  frames: number;
  /**
   * kept: the result is the key frames' (nothing happened); gave up: something was seen, or the key
   * frames could not all be read, and the clip was analysed at the full fps; only: the clip was
   * analysed on its key frames alone (keyFramesOnly)
   */
  outcome: 'kept' | 'gave up' | 'only';
  /** what was seen, or why the key frames could not be used (for 'gave up') */
  reason: string | null;
}

export interface DetectorCall {
  /** wall-clock time of the call */
  ms: number;
  /** CPU time of this process during the call, all its threads: inflated far less than `ms` by other load on the machine */
  cpuMs: number;
  /** images in the call: 1 for a whole frame, else the number of crops */
  images: number;
  wholeFrame: boolean;
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
  const cpuStarted = process.cpuUsage();
  options = withSettings(options);
  const fps = options.fps ?? 5;
  const maxWidth = options.width ?? 512;
  if (!(fps > 0 && fps <= 60)) throw new CameramonitError('INVALID_ANALYSIS_OPTION', `fps must be between 0 and 60, got ${fps}`, 400);
  if (!(Number.isInteger(maxWidth) && maxWidth >= 64)) {
    throw new CameramonitError('INVALID_ANALYSIS_OPTION', `width must be an integer of at least 64 pixels, got ${maxWidth}`, 400);
  }
  const ffmpeg = options.ffmpeg ?? new FfmpegDriver();

  const info = options.info ?? (await ffmpeg.probe(file));
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
  const request = { minConfidence, classes };
  let modelLoadMs = 0;
  if (detector instanceof HumanObjectDetector) {
    const loadStarted = performance.now();
    await detector.load();
    modelLoadMs = performance.now() - loadStarted;
  }

  const settings = options.settings;
  const carry = usableCarry(options.carryIn ?? null, width, height);
  // the background is worth keeping across longer gaps than objects are (lighting differences are fitted)
  const previous = options.carryIn ?? null;
  const motionCarry = previous?.state?.frameWidth === width && previous.state.frameHeight === height && previous.gapSec >= 0 && previous.gapSec <= maxMotionCarryGapSec ? previous.state.motion : null;
  const useCrops = options.crops ?? true;
  const cropSizes = detector.cropSizes ?? [128, 192, 256];
  const wholeFrameInput =
    detector instanceof HumanObjectDetector ? detector.wholeFrameInput(width, height) : frameInputShape(width, height, options.detectorInputSize ?? defaultDetectorInputSize);
  const detectorCalls: DetectorCall[] = [];
  let motionMs = 0;
  let detectorFailures = 0;
  let consecutiveFailures = 0;
  let lastDetectorError = '';
  const probedDurationSec = info.durationSec;

  /** One detector run on the frame: the whole frame or crops; detections in frame pixels, filtered. */
  const runDetector = async (frame: VideoFrame, step: DetectionStep): Promise<{ lookedAt: Box[] | null; detections: Detection[] } | null> => {
    const plan =
      step.kind === 'areas' && useCrops
        ? planDetectionCrops(step.areas, { frameWidth: frame.width, frameHeight: frame.height, cropSizes, wholeFrameInput })
        : { wholeFrame: true, crops: [] };
    if (!plan.wholeFrame && plan.crops.length === 0) return null;
    const callStarted = performance.now();
    const cpuStarted = process.cpuUsage();
    let found: Detection[];
    if (plan.wholeFrame) {
      found = await detector.detect(frame.rgb, frame.width, frame.height, request);
    } else {
      const images = plan.crops.map((crop) => cutCrop(frame, crop, crop.inputSize));
      const perCrop = detector.detectBatch
        ? await detector.detectBatch(images, request)
        : await Promise.all(images.map((image) => detector.detect(image.rgb, image.width, image.height, request)));
      found = mergeCropDetections(plan.crops, perCrop);
    }
    const cpu = process.cpuUsage(cpuStarted);
    detectorCalls.push({
      ms: performance.now() - callStarted,
      cpuMs: (cpu.user + cpu.system) / 1000,
      images: plan.wholeFrame ? 1 : plan.crops.length,
      wholeFrame: plan.wholeFrame,
    });
    const detections = found.filter((detection) => detection.confidence >= minConfidence && wanted(classes, detection.label));
    return { lookedAt: plan.wholeFrame ? null : plan.crops, detections };
  };

  /**
   * One pass over the clip's frames with a fresh motion detector, scene and schedule (each starting
   * from the carried state). `watch`: the key-frame look, which stops at the first sign of life and
   * says what it was.
   */
  const runPass = async (frames: AsyncIterable<VideoFrame>, passFps: number, watch: boolean, sparse = false) => {
    const motionDetector = new MotionDetector({ sensitivity: settings?.motionSensitivity, masks: settings?.masks, fps: passFps, ...options.motion });
    if (motionCarry) motionDetector.restore(motionCarry);
    const scene = new SceneTracker({
      tracker: {
        // an object seen once is kept until the scheduler looks at it again (still objects: every recheckStillEverySec)
        tentativeMemorySec: Math.max(1, (options.recheckStillEverySec ?? defaultRecheckStillEverySec) + 2 / passFps),
        // key frames only (a second or two apart): a walker moves a size or two between sightings, and two sightings confirm it
        ...(sparse ? { gateSizes: sparseGateSizes, minHits: 2 } : {}),
        ...options.tracker,
      },
      events: { ...options.events, motionEvents: options.motionEvents ?? false },
      carryIn: carry ? { state: carry.state.objects, offsetSec: carry.state.durationSec + carry.gapSec } : null,
      zones: options.settings?.zones ?? [],
      masks: options.settings?.masks ?? [],
      frameWidth: width,
      frameHeight: height,
    });
    const scheduler = new DetectionScheduler({
      detectEverySec: options.detectEverySec,
      trackEverySec: options.trackEverySec,
      idleDetectEverySec: options.idleDetectEverySec,
      recheckStillEverySec: options.recheckStillEverySec,
      carryIn: carry?.state.schedule ? { state: carry.state.schedule, offsetSec: carry.state.durationSec + carry.gapSec } : null,
    });
    const motionSamples: MotionSample[] = [];
    let framesRead = 0;
    let framesWithMotion = 0;
    let lastFrameSec: number | null = null;
    let sawLife: string | null = null;
    for await (const frame of readAhead(frames, 4)) {
      framesRead++;
      lastFrameSec = frame.sec;
      options.onFrame?.(frame);
      const motionStarted = performance.now();
      const motion = motionDetector.detect(frame.rgb, frame.width, frame.height);
      motionMs += performance.now() - motionStarted;
      const moving = motion.regions.length > 0;
      if (moving) framesWithMotion++;
      motionSamples.push({ sec: frame.sec, score: motion.score, box: motion.regions[0]?.box ?? null });
      if (watch && (moving || motion.globalChange || motion.warmingUp)) {
        sawLife = `${motion.globalChange ? 'the whole picture changed' : motion.warmingUp ? 'the motion background was not known' : 'motion'} at ${frame.sec.toFixed(1)} s`;
        break;
      }

      const step = scheduler.plan(frame.sec, { regions: motion.regions.map((region) => region.box), warmingUp: motion.warmingUp, globalChange: motion.globalChange });
      if (step.kind !== 'none') {
        let outcome: Awaited<ReturnType<typeof runDetector>> = null;
        try {
          outcome = await runDetector(frame, step);
          consecutiveFailures = 0;
        } catch (error) {
          if (error instanceof CameramonitError && error.code === 'OBJECT_MODEL_UNAVAILABLE') throw error;
          detectorFailures++;
          consecutiveFailures++;
          lastDetectorError = (error as Error).message;
          if (consecutiveFailures >= maxConsecutiveDetectorFailures) {
            throw new CameramonitError(
              'DETECTOR_FAILED',
              `the object detector failed on ${consecutiveFailures} frames in a row of ${file} (last at ${frame.sec.toFixed(1)} s: ${lastDetectorError})`,
              500,
            );
          }
        }
        if (outcome) {
          const stranger = watch ? outcome.detections.find((detection) => !standsWhereKnown(detection, scheduler.knownObjects)) : undefined;
          if (stranger) {
            sawLife = `a ${stranger.label} that was not standing there at ${frame.sec.toFixed(1)} s`;
            break;
          }
          scheduler.record(frame.sec, outcome.lookedAt, outcome.detections);
          scene.update(frame.sec, outcome.detections);
        }
      }
      if (!watch && onProgress && probedDurationSec > 0) {
        const processedSec = Math.min(probedDurationSec, frame.sec + 1 / fps);
        onProgress({ fraction: processedSec / probedDurationSec, processedSec, durationSec: probedDurationSec });
      }
    }
    return { motionDetector, scene, scheduler, motionSamples, framesRead, framesWithMotion, lastFrameSec, sawLife };
  };

  // keyFramesOnly (the worker is behind): the clip is looked at on its key frames alone; otherwise
  // (keyFrameWatch) its key frames are watched first, and anything new sends it to a full pass.
  // Either way, key frames that cannot all be read give way to a full pass.
  const onlyKeyFrames = options.keyFramesOnly ? usableKeyFrames(info) : null;
  const keyFrames = onlyKeyFrames ?? keyFramesToWatch(options.keyFrameWatch ?? true, carry, info);
  let keyFrameLook: KeyFrameLook | null = null;
  let pass: Awaited<ReturnType<typeof runPass>> | null = null;
  let passFps = fps;
  try {
    if (keyFrames) {
      const watch = onlyKeyFrames === null;
      passFps = keyFrames.length / Math.max(probedDurationSec, 1e-3);
      let reason: string | null;
      try {
        pass = await runPass(ffmpeg.readFrames(file, { fps, width, height, decodeThreads: options.decodeThreads ?? 1, keyFrames, queueFrames: 8, continuing: options.keyFrameStream, signal: options.signal }), passFps, watch, !watch);
        reason = pass.sawLife ?? (pass.framesRead === keyFrames.length ? null : `${pass.framesRead} of its ${keyFrames.length} key frames could be read`);
      } catch (error) {
        if (options.signal?.aborted || (error instanceof CameramonitError && ['DETECTOR_FAILED', 'OBJECT_MODEL_UNAVAILABLE'].includes(error.code))) throw error;
        reason = `its key frames could not be read (${(error as Error).message})`;
      }
      keyFrameLook = { frames: pass?.framesRead ?? 0, outcome: reason ? 'gave up' : watch ? 'kept' : 'only', reason };
      if (reason) {
        pass = null;
        passFps = fps;
        options.onRestart?.();
      }
    }
    pass ??= await runPass(decodedFrames(ffmpeg, file, { fps, width, height, decodeThreads: options.decodeThreads ?? 1, signal: options.signal }), fps, false);
  } finally {
    if (ownsDetector) await detector.dispose();
  }
  const { motionDetector, scene, scheduler, motionSamples, framesRead, framesWithMotion, lastFrameSec } = pass;

  // the header may lie (a file cut short, a raw stream without one): the frames read are the truth
  const durationSec = readableDurationSec(probedDurationSec, lastFrameSec, passFps);
  // a clip shorter than one analysis frame may give none: nothing to see, not damage
  if (framesRead === 0 && probedDurationSec >= 1 / fps) {
    throw new CameramonitError('CORRUPT_VIDEO', `${file}: no video frame could be read; the file is damaged or its video stream is empty.`, 422);
  }

  const { tracks, events, state: objects } = scene.finish(motionSamples, durationSec);
  if (onProgress) onProgress({ fraction: 1, processedSec: durationSec, durationSec });

  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const detectorMsTotal = detectorCalls.reduce((sum, call) => sum + call.ms, 0);
  const schedule = scheduler.state();
  // quiet: nothing moved (nor did the picture settle or change as a whole) in the clip's last second
  const quiet = keyFrameLook?.outcome === 'kept' || schedule.lastMotionSec === null || schedule.lastMotionSec < durationSec - quietTailSec;
  return {
    result: {
      durationSec,
      frameWidth: width,
      frameHeight: height,
      analysedFrames: framesRead,
      fps,
      tracks,
      events,
      motion: motionSpan(motionSamples),
    },
    stats: {
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      speedVsRealtime: wallMs > 0 ? durationSec / (wallMs / 1000) : 0,
      framesRead,
      framesWithMotion,
      motionMs,
      detectorRuns: detectorCalls.length,
      detectorImages: detectorCalls.reduce((sum, call) => sum + call.images, 0),
      detectorMsTotal,
      detectorMsPerRun: detectorCalls.length > 0 ? detectorMsTotal / detectorCalls.length : 0,
      detectorCalls,
      detectorFailures,
      lastDetectorError: lastDetectorError || null,
      modelLoadMs,
      keyFrameLook,
    },
    sceneState: { version: 1, durationSec, frameWidth: width, frameHeight: height, objects, motion: motionDetector.snapshot(), schedule, quiet },
  };
}

/** The tracker's gate for key frames only (ObjectTrackerOptions.gateSizes; 0.9 at the analysis fps): about 1.9 sizes a second apart. */
const sparseGateSizes = 1.6;

/** Key frames further apart than this are too sparse to look at a clip on them alone (something could come and go in between). */
export const maxKeyFrameGapSec = 2;

/** A clip is quiet when nothing moved in its last this many seconds. */
const quietTailSec = 1;

/**
 * The key frames to look at first (keyFrameWatch), or null for a full analysis: the clip follows a
 * quiet one, and its key frames are known and close enough together (from its start to its end).
 */
function keyFramesToWatch(enabled: boolean, carry: SceneCarry | null, info: VideoInfo): number[] | null {
  return enabled && carry?.state.quiet === true ? usableKeyFrames(info) : null;
}

/** The clip's key frames when they are known and close enough together (from its start to its end) to look at the clip on them alone. */
function usableKeyFrames(info: VideoInfo): number[] | null {
  const secs = info.keyFrameSecs;
  if (!secs || secs.length === 0 || !(info.durationSec > 0)) return null;
  const edges = [0, ...secs, info.durationSec];
  for (let i = 1; i < edges.length; i++) if (!(edges[i] - edges[i - 1] <= maxKeyFrameGapSec + 1e-6)) return null;
  return secs;
}

/** A detection of an object the schedule knows standing there: the same kind, its centre within half its size of the known one's. */
function standsWhereKnown(detection: Detection, known: readonly { label: string; box: Box }[]): boolean {
  const size = Math.max(detection.box.width, detection.box.height, 1);
  const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
  const here = centre(detection.box);
  return known.some((object) => {
    if (!sameObjectKind(object.label, detection.label)) return false;
    const there = centre(object.box);
    return Math.hypot(here.x - there.x, here.y - there.y) / size <= 0.5;
  });
}

/** The motion background of a clip that ended up to this long ago is restored (an hour). */
const maxMotionCarryGapSec = 3600;

/** The detector failing on this many analysed frames in a row fails the clip (fewer are skipped and counted). */
const maxConsecutiveDetectorFailures = 3;

/**
 * The clip's frames, ffmpeg decoding up to 8 frames ahead in its fifo muxer; if that reader fails
 * before its first frame (an ffmpeg without the fifo muxer), the frames are read plainly, and an
 * error then is the file's own.
 */
async function* decodedFrames(ffmpeg: FfmpegDriver, file: string, options: FrameReaderOptions): AsyncGenerator<VideoFrame, void, undefined> {
  let yielded = 0;
  try {
    for await (const frame of ffmpeg.readFrames(file, { ...options, queueFrames: 8 })) {
      yielded++;
      yield frame;
    }
    return;
  } catch (error) {
    if (yielded > 0 || options.signal?.aborted) throw error;
  }
  yield* ffmpeg.readFrames(file, options);
}

/**
 * Pulls up to `depth` items ahead of the consumer, so ffmpeg decodes the next frames while this
 * process runs motion and the detector on the current one.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  try {
    for (;;) {
      while (pending.length < depth) {
        const next = iterator.next();
        next.catch(() => undefined); // handled when its turn comes
        pending.push(next);
      }
      const result = await (pending.shift() as Promise<IteratorResult<T>>);
      if (result.done) return;
      yield result.value;
    }
  } finally {
    await Promise.allSettled(pending);
    await iterator.return?.();
  }
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
