/**
 * What analysing a video produces, independent of where it is stored.
 * Produced by @cameramonit/vision, printed by the CLI, stored by video-to-text.
 */

/** A box in pixels of the analysed frame (see AnalysisResult.frameWidth/Height). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Detection {
  label: string;
  confidence: number;
  box: Box;
}

/** One object followed across frames. */
export interface Track {
  id: number;
  label: string;
  firstSec: number;
  lastSec: number;
  bestConfidence: number;
  /** the frame (time) where the detection was most confident, and its box */
  bestSec: number;
  bestBox: Box;
  /** box centres over time */
  path: { sec: number; cx: number; cy: number }[];
  /** true when the object barely moved over its life (a parked car) */
  stationary: boolean;
}

export type Direction = 'left-to-right' | 'right-to-left' | 'top-to-bottom' | 'bottom-to-top' | 'none';

export type EventKind = 'object' | 'motion';

export interface AnalysedEvent {
  kind: EventKind;
  /** COCO label for object events (person, car, truck, ...); 'motion' for motion events */
  label: string;
  /** how many distinct objects took part */
  count: number;
  startSec: number;
  endSec: number;
  /** best detector confidence among the tracks (motion events: motion score 0..1) */
  confidence: number;
  direction: Direction;
  /** where the snapshot should be taken, and the box to draw */
  bestSec: number;
  bestBox: Box | null;
  trackIds: number[];
  summary: { en: string; pl: string };
}

export interface AnalysisResult {
  durationSec: number;
  frameWidth: number;
  frameHeight: number;
  analysedFrames: number;
  fps: number;
  tracks: Track[];
  events: AnalysedEvent[];
}

export interface AnalysisProgress {
  /** 0..1 */
  fraction: number;
  processedSec: number;
  durationSec: number;
}
