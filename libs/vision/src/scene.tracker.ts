import type { AnalysedEvent, Detection, Track } from '@cameramonit/contracts';
import { EventBuilder, type EventBuilderOptions, type MotionSample } from './event.builder.js';
import { ObjectTracker, type ObjectTrackerOptions } from './object.tracker.js';

export interface SceneTrackerOptions {
  tracker?: ObjectTrackerOptions;
  events?: EventBuilderOptions;
}

export interface SceneOutcome {
  tracks: Track[];
  events: AnalysedEvent[];
}

/**
 * What happens in the picture, from the detections of each analysed frame: follows objects
 * (ObjectTracker) and turns their tracks into events (EventBuilder). The frame loop of
 * analyseVideo feeds it; it knows nothing of ffmpeg or the detector.
 */
export class SceneTracker {
  private readonly tracker: ObjectTracker;
  private readonly builder: EventBuilder;

  constructor(options: SceneTrackerOptions = {}) {
    this.tracker = new ObjectTracker(options.tracker);
    this.builder = new EventBuilder(options.events);
  }

  /** The detections of the frame at `sec` (seconds from the clip start), in time order. */
  update(sec: number, detections: readonly Detection[]): void {
    this.tracker.update(sec, detections);
  }

  /** Ends the clip: every track, and the events built from them and from the motion samples. */
  finish(motion: readonly MotionSample[]): SceneOutcome {
    const tracks = this.tracker.finish();
    return { tracks, events: this.builder.build(tracks, motion) };
  }
}
