import { randomUUID } from 'node:crypto';
import type { AnalysedEvent, Detection, Track } from '@cameramonit/contracts';
import { EventBuilder, type CarriedEvent, type EventBuilderOptions, type MotionSample } from './event.builder.js';
import { ObjectTracker, type ObjectTrackerOptions, type TrackerState } from './object.tracker.js';

/**
 * The objects part of a camera's scene at the end of a clip, as JSON: what the analysis of the
 * camera's next clip needs so that an object crossing the boundary stays one track and one event.
 */
export interface SceneObjectsState {
  /** one id per chain of consecutive clips; event keys start with it */
  sceneId: string;
  tracker: TrackerState;
  /** events still going at the end of the clip; times in seconds from that clip's start */
  openEvents: CarriedEvent[];
}

export interface SceneCarryIn {
  state: SceneObjectsState;
  /** seconds from the start of the clip the state was taken in to the start of this clip (its duration + any gap) */
  offsetSec: number;
}

export interface SceneTrackerOptions {
  tracker?: ObjectTrackerOptions;
  events?: EventBuilderOptions;
  /** the end of the camera's previous clip, when this clip follows it */
  carryIn?: SceneCarryIn | null;
}

export interface SceneOutcome {
  tracks: Track[];
  events: AnalysedEvent[];
  /** hand this to the analysis of the camera's next clip */
  state: SceneObjectsState;
}

/**
 * What happens in the picture, from the detections of each analysed frame: follows objects
 * (ObjectTracker) and turns their tracks into events (EventBuilder). The frame loop of
 * analyseVideo feeds it; it knows nothing of ffmpeg or the detector. With `carryIn`, tracks and
 * events open at the end of the camera's previous clip go on (same track ids, same event keys).
 */
export class SceneTracker {
  private readonly tracker: ObjectTracker;
  private readonly builder: EventBuilder;
  private readonly sceneId: string;
  private readonly carriedEvents: CarriedEvent[];

  constructor(options: SceneTrackerOptions = {}) {
    const carryIn = options.carryIn ?? null;
    this.tracker = new ObjectTracker(options.tracker, carryIn ? { state: carryIn.state.tracker, offsetSec: carryIn.offsetSec } : null);
    this.builder = new EventBuilder(options.events);
    this.sceneId = carryIn?.state.sceneId ?? randomUUID();
    this.carriedEvents = (carryIn?.state.openEvents ?? []).map((event) => ({ ...event, startSec: event.startSec - (carryIn?.offsetSec ?? 0) }));
  }

  /** The detections of the frame at `sec` (seconds from the clip start), in time order. */
  update(sec: number, detections: readonly Detection[]): void {
    this.tracker.update(sec, detections);
  }

  /** Ends the clip at `endSec`: every track, the events built from them and the motion samples, and the state for the next clip. */
  finish(motion: readonly MotionSample[], endSec: number): SceneOutcome {
    const tracks = this.tracker.finish();
    const events = this.builder.build(tracks, motion, {
      keyPrefix: `${this.sceneId}:`,
      carriedEvents: this.carriedEvents,
      endSec,
      openWithinSec: this.tracker.missedLimitSec,
    });
    const openEvents = events
      .filter((event) => event.open && event.kind !== 'motion')
      .map((event) => ({ key: event.key, trackIds: [...event.trackIds], startSec: event.startSec }));
    return { tracks, events, state: { sceneId: this.sceneId, tracker: this.tracker.snapshot(endSec), openEvents } };
  }
}
