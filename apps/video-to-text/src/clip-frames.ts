import type { AnalysedEvent } from '@cameramonit/contracts';
import { drawBoxes, encodeGif, encodeJpeg, fitFrameSize, GifPalette, scaleRgb, type RgbImage, type VideoFrame } from '@cameramonit/media';

/**
 * Memory for the frames of one clip the analysis decoded (frame size x frames): a recorded clip of
 * a few seconds fits many times over; a long upload does not, and its events' pictures are made by
 * ffmpeg from the file instead.
 */
export const CLIP_FRAMES_BUDGET_BYTES = 128 * 1024 * 1024;

/** Animations show at most this many frames per second (an analysis at a higher fps is thinned). */
const ANIMATION_MAX_FPS = 10;
const ANIMATION_WIDTH = 320;
const SNAPSHOT_QUALITY = 85;

/**
 * The analysis frames of one clip, kept while it is analysed so each event's snapshot and
 * animation come from frames already decoded instead of from ffmpeg decoding the clip again.
 * Keeping stops (and what was kept is let go) once the frames would pass the budget.
 */
export class ClipFrames {
  private frames: VideoFrame[] = [];
  private bytes = 0;
  private overflowed = false;
  /** animation-sized copies and the clip's animation palette, made once for all its events */
  private readonly small = new Map<VideoFrame, RgbImage>();
  private palette: GifPalette | null = null;

  constructor(private readonly budgetBytes = CLIP_FRAMES_BUDGET_BYTES) {}

  /** For the analysis' onFrame: keeps the frame (the reader gives each frame its own buffer). */
  readonly keep = (frame: VideoFrame): void => {
    if (this.overflowed) return;
    if (this.bytes + frame.rgb.byteLength > this.budgetBytes) {
      this.overflowed = true;
      this.frames = [];
      this.small.clear();
      this.bytes = 0;
      return;
    }
    this.frames.push(frame);
    this.bytes += frame.rgb.byteLength;
  };

  /** For the analysis' onRestart: the frames kept so far are not the result's (a key-frame look was given up). */
  readonly clear = (): void => {
    this.frames = [];
    this.small.clear();
    this.palette = null;
    this.bytes = 0;
    this.overflowed = false;
  };

  /** Every frame of the clip is here (none was let go for the budget). */
  get complete(): boolean {
    return !this.overflowed && this.frames.length > 0;
  }

  get count(): number {
    return this.frames.length;
  }

  /** The frame at the animation size (made once per frame). */
  animationFrame(frame: VideoFrame): RgbImage {
    let small = this.small.get(frame);
    if (!small) {
      const size = fitFrameSize(frame.width, frame.height, ANIMATION_WIDTH);
      small = scaleRgb(frame, size.width, size.height);
      this.small.set(frame, small);
    }
    return small;
  }

  /** One palette for every animation of the clip, chosen from frames spread over the whole clip. */
  animationPalette(): GifPalette {
    this.palette ??= new GifPalette([0, 1, 2, 3].map((i) => this.animationFrame(this.frames[Math.round((i * (this.frames.length - 1)) / 3)] as VideoFrame)));
    return this.palette;
  }

  /** The kept frame closest in time to `sec`. */
  nearest(sec: number): VideoFrame | null {
    let best: VideoFrame | null = null;
    for (const frame of this.frames) if (!best || Math.abs(frame.sec - sec) < Math.abs(best.sec - sec)) best = frame;
    return best;
  }

  /** Frames from `fromSec` (inclusive) to `toSec` (exclusive), thinned to at most `maxFps`; the frame rate they are shown at. */
  between(fromSec: number, toSec: number, maxFps: number): { frames: VideoFrame[]; fps: number } {
    const inside = this.frames.filter((frame) => frame.sec >= fromSec - 1e-6 && frame.sec < toSec - 1e-6);
    if (inside.length < 2) return { frames: inside, fps: maxFps };
    const spacing = (inside[inside.length - 1] as VideoFrame).sec - (inside[0] as VideoFrame).sec;
    const fps = spacing > 0 ? (inside.length - 1) / spacing : maxFps;
    const step = Math.max(1, Math.ceil(fps / maxFps - 1e-6));
    return { frames: inside.filter((_, i) => i % step === 0), fps: fps / step };
  }
}

export interface EventPictures {
  snapshot: Buffer;
  animation: Buffer;
}

/** Where an event's animation starts and how long it is: `seconds` around its best moment, inside the clip. */
export function animationWindow(bestSec: number, durationSec: number, seconds: number): { startSec: number; durationSec: number } {
  const length = Math.min(seconds, Math.max(1, durationSec));
  const best = Math.max(0, Math.min(bestSec, durationSec));
  return { startSec: Math.max(0, Math.min(best - length / 2, durationSec - length)), durationSec: length };
}

/**
 * An event's snapshot (its best moment at the analysis size, its box drawn) and animation (320 px
 * wide GIF of `animationSeconds` around that moment) from the clip's analysis frames; null when the
 * frames were not all kept (then ffmpeg makes them from the file).
 */
export function eventPicturesFromFrames(frames: ClipFrames, event: AnalysedEvent, clip: { durationSec: number; frameWidth: number; frameHeight: number }, animationSeconds: number): EventPictures | null {
  if (!frames.complete) return null;
  const best = frames.nearest(Math.max(0, Math.min(event.bestSec, clip.durationSec)));
  if (!best) return null;
  const boxes = event.bestBox ? [{ box: event.bestBox, frameWidth: clip.frameWidth, frameHeight: clip.frameHeight, color: 'yellow' }] : [];
  const snapshot = encodeJpeg(drawBoxes(best, boxes), SNAPSHOT_QUALITY);
  const window = animationWindow(event.bestSec, clip.durationSec, animationSeconds);
  let { frames: shown, fps } = frames.between(window.startSec, window.startSec + window.durationSec, ANIMATION_MAX_FPS);
  if (shown.length === 0) shown = [best];
  const animation = encodeGif(
    shown.map((frame) => frames.animationFrame(frame)),
    { delayMs: 1000 / fps, palette: frames.animationPalette() },
  );
  return { snapshot, animation };
}
