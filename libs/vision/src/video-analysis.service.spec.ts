import { defaultCameraAnalysisSettings, parseCameraAnalysisSettings, type AnalysisProgress, type Detection } from '@cameramonit/contracts';
import { FfmpegDriver, type FrameReaderOptions, type VideoFrame, type VideoInfo } from '@cameramonit/media';
import { describe, expect, it } from 'vitest';
import type { DetectorImage, ObjectDetector } from './object-detector.js';
import { renderFrame, sceneGray } from './synthetic-frames.testing.js';
import { analyseVideo, analyseVideoWithStats } from './video-analysis.service.js';

const durationSec = 10;
const squareAt = (sec: number) => ({ x: Math.round(20 + sec * 25), y: 100, size: 30, value: 250 });
const visible = (sec: number) => sec >= 1 && sec <= 9;

/** A parked car: a dark block at the top of the picture, there all the time. */
const carAt = { x: 200, y: 10, width: 60, height: 30 };

/** The textured scene with the parked car in it. */
function parkingScene(width: number, height: number): Float32Array {
  const base = sceneGray(width, height);
  for (let y = carAt.y; y < carAt.y + carAt.height; y++) base.fill(0, y * width + carAt.x, y * width + carAt.x + carAt.width);
  return base;
}

/** An FfmpegDriver that spawns nothing: a 640x480 "video" of a square crossing a textured scene with a parked car. */
class SyntheticVideoDriver extends FfmpegDriver {
  readonly frameOptions: FrameReaderOptions[] = [];

  override async probe(file: string): Promise<VideoInfo> {
    return { file, sizeBytes: 1, formatName: 'synthetic', durationSec, width: 640, height: 480, rotation: 0, codedWidth: 640, codedHeight: 480, fps: 25, codec: 'raw', hasVideoStream: true, hasAudioStream: false };
  }

  override async *readFrames(_file: string, options: FrameReaderOptions): AsyncGenerator<VideoFrame, void, undefined> {
    this.frameOptions.push(options);
    const base = parkingScene(options.width, options.height);
    for (let index = 0; index < durationSec * options.fps; index++) {
      const sec = index / options.fps;
      const rgb = renderFrame(base, options.width, options.height, { square: visible(sec) ? squareAt(sec) : undefined, noise: 2, noiseSeed: index });
      yield { index, sec, width: options.width, height: options.height, rgb };
    }
  }
}

/** Finds nothing; remembers its calls. */
class EmptyDetector implements ObjectDetector {
  readonly calls: number[] = [];
  disposed = false;

  async detect(_rgb: Uint8Array, _width: number, _height: number): Promise<Detection[]> {
    this.calls.push(this.calls.length);
    return [];
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** The bounding box of the pixels whose red value passes `test`, in the image's pixels. */
function pixelsBox(rgb: Uint8Array, width: number, test: (value: number) => boolean): Detection['box'] | null {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < rgb.length; i += 3) {
    if (!test(rgb[i])) continue;
    const pixel = i / 3;
    const x = pixel % width;
    const y = Math.floor(pixel / width);
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  return maxX >= minX ? { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 } : null;
}

/**
 * Finds the bright square as a person and the dark block as a car, in the pixels it is given (a
 * whole frame or a crop), plus a class nobody asked for.
 */
class SquareAsPersonDetector extends EmptyDetector {
  override async detect(rgb: Uint8Array, width: number, height: number): Promise<Detection[]> {
    await super.detect(rgb, width, height);
    const detections: Detection[] = [{ label: 'skis', confidence: 0.9, box: { x: 0, y: 0, width: 10, height: 5 } }];
    const car = pixelsBox(rgb, width, (value) => value < 12);
    if (car) detections.push({ label: 'car', confidence: 0.45, box: car });
    const person = pixelsBox(rgb, width, (value) => value >= 250);
    if (person) detections.push({ label: 'person', confidence: 0.7, box: person });
    return detections;
  }
}

/** Like SquareAsPersonDetector, with detectBatch: remembers the crop sizes of each batch. */
class BatchRecordingDetector extends SquareAsPersonDetector {
  readonly cropSizes = [128, 192, 256];
  readonly batches: number[][] = [];

  async detectBatch(images: readonly DetectorImage[]): Promise<Detection[][]> {
    this.batches.push(images.map((image) => image.width));
    return Promise.all(images.map((image) => this.detect(image.rgb, image.width, image.height)));
  }
}

/** SquareAsPersonDetector that throws on the given calls (1-based), or on every call (null). */
class FailingDetector extends SquareAsPersonDetector {
  constructor(private readonly failOn: Set<number> | null) {
    super();
  }

  override async detect(rgb: Uint8Array, width: number, height: number): Promise<Detection[]> {
    const call = this.calls.length + 1;
    if (this.failOn === null || this.failOn.has(call)) {
      this.calls.push(call);
      throw new Error(`model exploded on call ${call}`);
    }
    return super.detect(rgb, width, height);
  }
}

/** The same scene, with the square already in the first frame, moving from there. */
class SquareFromStartDriver extends SyntheticVideoDriver {
  override async *readFrames(_file: string, options: FrameReaderOptions): AsyncGenerator<VideoFrame, void, undefined> {
    const base = parkingScene(options.width, options.height);
    for (let index = 0; index < 3 * options.fps; index++) {
      const sec = index / options.fps;
      const square = { x: Math.round(20 + sec * 25), y: 100, size: 30, value: 250 };
      yield { index, sec, width: options.width, height: options.height, rgb: renderFrame(base, options.width, options.height, { square, noise: 2, noiseSeed: index }) };
    }
  }
}

/** The scene with only the parked car in it: nothing moves. */
class StillSceneDriver extends SyntheticVideoDriver {
  override async *readFrames(_file: string, options: FrameReaderOptions): AsyncGenerator<VideoFrame, void, undefined> {
    const base = parkingScene(options.width, options.height);
    for (let index = 0; index < durationSec * options.fps; index++) {
      yield { index, sec: index / options.fps, width: options.width, height: options.height, rgb: renderFrame(base, options.width, options.height, { noise: 2, noiseSeed: index }) };
    }
  }
}

describe('analyseVideo (synthetic video, scripted detector)', () => {
  it('finds the person walking left to right and does not announce the parked car', async () => {
    const ffmpeg = new SyntheticVideoDriver();
    const detector = new SquareAsPersonDetector();
    const progress: AnalysisProgress[] = [];
    const result = await analyseVideo('synthetic.avi', { ffmpeg, detector, width: 320 }, (p) => progress.push(p));

    expect(ffmpeg.frameOptions[0]).toMatchObject({ fps: 5, width: 320, height: 240 });
    expect(result).toMatchObject({ durationSec: 10, frameWidth: 320, frameHeight: 240, analysedFrames: 50, fps: 5 });
    expect(result.events).toHaveLength(1);
    const [event] = result.events;
    expect(event).toMatchObject({ kind: 'object', label: 'person', count: 1, direction: 'left-to-right' });
    expect(event.startSec).toBeGreaterThanOrEqual(0.8);
    expect(event.startSec).toBeLessThanOrEqual(1.6);
    expect(event.endSec).toBeGreaterThanOrEqual(8);
    expect(event.summary).toEqual({ en: 'A person walked from left to right', pl: 'Osoba przeszła z lewej do prawej' });

    const car = result.tracks.find((track) => track.label === 'car');
    expect(car?.stationary).toBe(true);
    expect(result.tracks.some((track) => track.label === 'skis')).toBe(false); // not in the default classes

    // the detector ran on moving frames only, at most every 0.4 s: far fewer calls than frames
    expect(detector.calls.length).toBeLessThan(35);
    expect(detector.disposed).toBe(false); // injected: the caller owns it
    expect(progress.at(-1)?.fraction).toBe(1);
    expect(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction)).toBe(true);
  });

  it('reports motion-only events when asked and no detector finds anything', async () => {
    const result = await analyseVideo('synthetic.avi', {
      ffmpeg: new SyntheticVideoDriver(),
      detector: new EmptyDetector(),
      width: 320,
      motionEvents: true,
    });
    expect(result.events.map((event) => event.kind)).toEqual(['motion']);
    expect(result.events[0].startSec).toBeLessThanOrEqual(1.4);
    expect(result.events[0].summary.pl).toBe('Wykryto ruch, bez rozpoznanego obiektu');
  });

  it('says where the clip had motion (the square crosses from 1 s to 9 s), and null where nothing moved (masked out)', async () => {
    const result = await analyseVideo('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: new EmptyDetector(), width: 320 });
    expect(result.motion.firstSec).toBeGreaterThanOrEqual(1);
    expect(result.motion.firstSec).toBeLessThanOrEqual(1.6);
    expect(result.motion.lastSec).toBeGreaterThanOrEqual(8.6);
    expect(result.motion.lastSec).toBeLessThanOrEqual(9.4);
    const masks = [[[0, 0.3], [1, 0.3], [1, 0.7], [0, 0.7]] as [number, number][]];
    const masked = await analyseVideo('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: new EmptyDetector(), width: 320, settings: { ...defaultCameraAnalysisSettings, masks } });
    expect(masked.motion).toEqual({ firstSec: null, lastSec: null });
  });

  it("uses the camera's zones and masks: the event names the zone, the car standing in a mask is not tracked", async () => {
    const settings = parseCameraAnalysisSettings({
      zones: [{ name: 'yard', polygon: [[0.25, 0], [1, 0], [1, 1], [0.25, 1]], loiterSec: null }],
      masks: [[[0.55, 0], [1, 0], [1, 0.2], [0.55, 0.2]]],
    });
    const result = await analyseVideo('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: new SquareAsPersonDetector(), width: 320, settings });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ label: 'person', zones: ['yard'], summary: { en: 'A person walked from the left into the yard zone', pl: 'Osoba weszła z lewej strony do strefy „yard”' } });
    expect(result.tracks.map((track) => track.label)).toEqual(['person']);
  });

  it('looks at crops around the motion, batched, and keeps the parked car known between whole-frame passes', async () => {
    const detector = new BatchRecordingDetector();
    const { result, stats } = await analyseVideoWithStats('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector, width: 320 });
    expect(detector.batches.length).toBeGreaterThan(0);
    expect(detector.batches.flat().every((size) => [128, 192, 256].includes(size))).toBe(true);
    expect(stats.detectorCalls.some((call) => !call.wholeFrame)).toBe(true);
    expect(stats.detectorImages).toBeGreaterThan(stats.detectorCalls.filter((call) => call.wholeFrame).length);
    expect(result.events.map((event) => event.label)).toEqual(['person']);
    const car = result.tracks.filter((track) => track.label === 'car');
    expect(car).toHaveLength(1); // one track all along: rechecked in crops while still
    expect(car[0].lastSec - car[0].firstSec).toBeGreaterThan(8);
  });

  it('skips a frame the detector fails on and says so; fails the clip with a clear error when it keeps failing', async () => {
    const once = new FailingDetector(new Set([2]));
    const { result, stats } = await analyseVideoWithStats('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: once, width: 320 });
    expect(stats.detectorFailures).toBe(1);
    expect(stats.lastDetectorError).toMatch(/model exploded on call 2/);
    expect(result.events.map((event) => event.label)).toEqual(['person']);

    const always = new FailingDetector(null);
    await expect(analyseVideoWithStats('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: always, width: 320 })).rejects.toMatchObject({
      code: 'DETECTOR_FAILED',
      message: expect.stringMatching(/failed on 3 frames in a row of synthetic\.avi .*model exploded/),
    });
  });

  it("ignores motion inside the camera's masks", async () => {
    const settings = {
      ...defaultCameraAnalysisSettings,
      motionEvents: true,
      masks: [[[0, 0.3], [1, 0.3], [1, 0.7], [0, 0.7]] as [number, number][]],
    };
    const masked = await analyseVideo('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: new EmptyDetector(), width: 320, settings });
    expect(masked.events).toEqual([]);
    const open = await analyseVideo('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: new EmptyDetector(), width: 320, settings: { ...settings, masks: [] } });
    expect(open.events.map((event) => event.kind)).toEqual(['motion']);
  });

  it("hands the motion background to the camera's next clip, which then starts warm", async () => {
    const first = await analyseVideoWithStats('synthetic.avi', { ffmpeg: new SyntheticVideoDriver(), detector: new EmptyDetector(), width: 320 });
    const state = JSON.parse(JSON.stringify(first.sceneState)) as typeof first.sceneState;
    expect(state.motion?.background.length).toBeGreaterThan(1000);
    const coldStart = await analyseVideoWithStats('synthetic.avi', { ffmpeg: new SquareFromStartDriver(), detector: new EmptyDetector(), width: 320, motionEvents: true });
    const warmStart = await analyseVideoWithStats('synthetic.avi', {
      ffmpeg: new SquareFromStartDriver(),
      detector: new EmptyDetector(),
      width: 320,
      motionEvents: true,
      carryIn: { state, gapSec: 0 },
    });
    // cold, the square in the first frame is learnt as background; warm, it is motion from the first frames
    expect(warmStart.result.events[0]?.startSec).toBeLessThanOrEqual(0.2);
    expect(coldStart.result.events[0]?.startSec ?? Infinity).toBeGreaterThan(0.2);
  });

  it("goes on with the detector's schedule in the camera's next clip: a still scene is not looked at afresh every clip", async () => {
    const first = await analyseVideoWithStats('synthetic.avi', { ffmpeg: new StillSceneDriver(), detector: new BatchRecordingDetector(), width: 320 });
    const state = JSON.parse(JSON.stringify(first.sceneState)) as typeof first.sceneState;
    expect(state.schedule?.known.map((object) => object.label)).toEqual(['car']);
    const next = await analyseVideoWithStats('synthetic.avi', { ffmpeg: new StillSceneDriver(), detector: new BatchRecordingDetector(), width: 320, carryIn: { state, gapSec: 0 } });
    const afresh = await analyseVideoWithStats('synthetic.avi', { ffmpeg: new StillSceneDriver(), detector: new BatchRecordingDetector(), width: 320, carryIn: { state: { ...state, schedule: undefined }, gapSec: 0 } });
    // afresh: a whole-frame look at the start, then the car at 1.5, 3, 4.5 and 7.5 s; going on: the car
    // was found standing in the same place often enough in the first clip to be looked at every 12 s
    expect(afresh.stats.detectorCalls[0]?.wholeFrame).toBe(true);
    expect(afresh.stats.detectorRuns).toBe(5);
    expect(next.stats.detectorRuns).toBeLessThanOrEqual(1);
    // the car stays one object, never announced, and known for the clip after
    expect(next.result.events).toEqual([]);
    expect(next.sceneState.schedule?.known.map((object) => object.label)).toEqual(['car']);
  });

  it('reads frames plainly when ffmpeg cannot queue them (no fifo muxer), and reports a broken file once', async () => {
    class NoQueueDriver extends SyntheticVideoDriver {
      override async *readFrames(file: string, options: FrameReaderOptions): AsyncGenerator<VideoFrame, void, undefined> {
        if (options.queueFrames) throw new Error("Requested output format 'fifo' is not a suitable output format");
        yield* super.readFrames(file, options);
      }
    }
    const ffmpeg = new NoQueueDriver();
    const result = await analyseVideo('synthetic.avi', { ffmpeg, detector: new SquareAsPersonDetector(), width: 320 });
    expect(result.events.map((event) => event.label)).toEqual(['person']);
    expect(ffmpeg.frameOptions.at(-1)?.queueFrames).toBeUndefined();

    class BrokenDriver extends SyntheticVideoDriver {
      override async *readFrames(): AsyncGenerator<VideoFrame, void, undefined> {
        throw new Error('ffmpeg could not decode synthetic.avi after 0 frames');
      }
    }
    await expect(analyseVideo('synthetic.avi', { ffmpeg: new BrokenDriver(), detector: new EmptyDetector(), width: 320 })).rejects.toThrow(/could not decode/);
  });

  it('refuses nonsense options with a clear error', async () => {
    await expect(analyseVideo('x.avi', { fps: 0, ffmpeg: new SyntheticVideoDriver(), detector: new EmptyDetector() })).rejects.toThrow(/fps/);
  });
});
