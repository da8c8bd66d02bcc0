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
  /** median speed of its centre, in analysis-frame pixels per second */
  speedPxPerSec: number;
  /** names of the zones its centre was in, in the order it entered them (empty without zones) */
  zones: string[];
}

export type Direction = 'left-to-right' | 'right-to-left' | 'top-to-bottom' | 'bottom-to-top' | 'none';

/** object: something moved through; loitering: it stayed in a zone longer than the zone allows; motion: movement no object explains */
export type EventKind = 'object' | 'motion' | 'loitering';

/**
 * What its objects did: passed (moved through, maybe stopping a while), arrived (a vehicle drove in
 * and parked), left (a parked vehicle drove off), loitered (stayed in a zone too long).
 */
export type EventActivity = 'passed' | 'arrived' | 'left' | 'loitered';

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
  /** zones its objects were in, the main one first (empty without zones) */
  zones: string[];
  /** longest time one of its objects was in view (loitering: in the zone), seconds */
  dwellSec: number;
  /** median speed of its objects, analysis-frame pixels per second */
  speedPxPerSec: number;
  /** identity of the event in the camera's scene; the same when it goes on in the camera's next clip */
  key: string;
  /** it began in an earlier clip of the camera: update that event instead of creating one */
  continued: boolean;
  /** its objects were still in view when the clip ended: it may go on in the next clip */
  open: boolean;
  /** what its objects did (absent on motion events and on events made before it existed) */
  activity?: EventActivity;
}

/** Where in a clip something moved (seconds from the clip's start), null when nothing did. */
export interface MotionSpan {
  /** the first analysed frame with motion */
  firstSec: number | null;
  /** the last analysed frame with motion */
  lastSec: number | null;
}

export interface AnalysisResult {
  durationSec: number;
  frameWidth: number;
  frameHeight: number;
  analysedFrames: number;
  fps: number;
  tracks: Track[];
  events: AnalysedEvent[];
  /** where the clip had motion: motion-only recording keeps the clips around it and deletes the rest */
  motion: MotionSpan;
}

export interface AnalysisProgress {
  /** 0..1 */
  fraction: number;
  processedSec: number;
  durationSec: number;
}
