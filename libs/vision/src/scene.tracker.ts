import { randomUUID } from 'node:crypto';
import type { AnalysedEvent, Detection, Polygon, Track, Zone } from '@cameramonit/contracts';
import { EventBuilder, type CarriedEvent, type EventBuilderOptions, type MotionSample } from './event.builder.js';
import { ObjectTracker, type ObjectTrackerOptions, type TrackerState } from './object.tracker.js';
import { SceneZones } from './scene-zones.js';

/** Version of SceneObjectsState; a state of another version is refused (the clip starts a fresh scene). */
export const sceneObjectsStateVersion = 2;

/**
 * The objects part of a camera's scene at the end of a clip, as JSON: what the analysis of the
 * camera's next clip needs so that an object crossing the boundary stays one track and one event,
 * a parked van stays known (and unannounced), and a stay in a zone keeps counting.
 */
export interface SceneObjectsState {
  version: typeof sceneObjectsStateVersion;
  /** one id per chain of consecutive clips; event keys start with it */
  sceneId: string;
  /** the objects still remembered: moving ones seen in the last seconds, still ones (parked) for longer, with their zone visits */
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
  /** the camera's zones and masks (normalised polygons) and the analysis frame size they are laid over */
  zones?: readonly Zone[];
  masks?: readonly Polygon[];
  frameWidth?: number;
  frameHeight?: number;
}

export interface SceneOutcome {
  tracks: Track[];
  events: AnalysedEvent[];
  /** hand this to the analysis of the camera's next clip */
  state: SceneObjectsState;
}

/**
 * What happens in the picture, from the detections of each analysed frame: follows objects
 * (ObjectTracker, which drops detections standing in a mask and notes zones) and turns what they
 * did into events (EventBuilder). The frame loop of analyseVideo feeds it; it knows nothing of
 * ffmpeg or the detector. With `carryIn`, the objects, zone stays and events of the camera's
 * previous clip go on (same track ids, same event keys); a state it cannot use is refused and the
 * clip starts a fresh scene (`carryRefusal` says why).
 */
export class SceneTracker {
  private readonly tracker: ObjectTracker;
  private readonly builder: EventBuilder;
  private readonly zones: SceneZones;
  private readonly sceneId: string;
  private readonly carriedEvents: CarriedEvent[];
  /** why the carried state was not used, or null (used, or none given) */
  readonly carryRefusal: string | null;

  constructor(options: SceneTrackerOptions = {}) {
    const refusal = options.carryIn ? sceneStateProblem(options.carryIn.state) : null;
    const carryIn = refusal ? null : (options.carryIn ?? null);
    this.carryRefusal = refusal;
    this.zones =
      (options.zones?.length ?? 0) > 0 || (options.masks?.length ?? 0) > 0
        ? new SceneZones(options.zones ?? [], options.masks ?? [], options.frameWidth ?? 1, options.frameHeight ?? 1)
        : SceneZones.none();
    this.tracker = new ObjectTracker({ frameWidth: options.frameWidth, frameHeight: options.frameHeight, ...options.tracker }, carryIn ? { state: carryIn.state.tracker, offsetSec: carryIn.offsetSec } : null, this.zones);
    this.builder = new EventBuilder(options.events);
    this.sceneId = carryIn?.state.sceneId ?? randomUUID();
    this.carriedEvents = (carryIn?.state.openEvents ?? []).map((event) => ({ ...event, startSec: event.startSec - (carryIn?.offsetSec ?? 0) }));
  }

  /** The detections of the frame at `sec` (seconds from the clip start), in time order. */
  update(sec: number, detections: readonly Detection[]): void {
    this.tracker.update(sec, detections);
  }

  /** Ends the clip at `endSec`: every track seen in it, the events built from them and the motion samples, and the state for the next clip. */
  finish(motion: readonly MotionSample[], endSec: number): SceneOutcome {
    const reports = this.tracker.finish(endSec);
    const events = this.builder.build(reports, motion, {
      keyPrefix: `${this.sceneId}:`,
      carriedEvents: this.carriedEvents,
      zones: this.zones,
      minTravelSizes: this.tracker.minTravelSizes,
    });
    const openEvents = events
      .filter((event) => event.open && event.kind === 'object')
      .map((event) => ({ key: event.key, trackIds: [...event.trackIds], startSec: event.startSec }));
    return {
      tracks: reports.map((report) => report.track),
      events,
      state: { version: sceneObjectsStateVersion, sceneId: this.sceneId, tracker: this.tracker.snapshot(endSec), openEvents },
    };
  }
}

/** What is wrong with a carried state (from JSON, maybe written by an older version), or null when it can be used. */
export function sceneStateProblem(state: unknown): string | null {
  if (typeof state !== 'object' || state === null) return 'the scene state is not an object';
  const candidate = state as Partial<SceneObjectsState>;
  if (candidate.version !== sceneObjectsStateVersion) return `the scene state has version ${String(candidate.version)}, this engine reads version ${sceneObjectsStateVersion}`;
  if (typeof candidate.sceneId !== 'string' || candidate.sceneId.length === 0) return 'the scene state has no scene id';
  const tracker = candidate.tracker;
  if (!tracker || !Number.isInteger(tracker.nextId) || !Array.isArray(tracker.tracks)) return 'the scene state has no tracker state';
  for (const track of tracker.tracks) {
    const ok =
      typeof track === 'object' && track !== null &&
      Number.isInteger(track.id) && typeof track.label === 'string' &&
      Number.isFinite(track.firstSec) && Number.isFinite(track.lastSec) && Number.isFinite(track.size) &&
      Array.isArray(track.path) && Array.isArray(track.head) && Array.isArray(track.visits) && Array.isArray(track.zones) &&
      typeof track.box === 'object' && track.box !== null && typeof track.best === 'object' && track.best !== null;
    if (!ok) return 'the scene state has a malformed track';
  }
  if (!Array.isArray(candidate.openEvents)) return 'the scene state has no open events list';
  return null;
}
