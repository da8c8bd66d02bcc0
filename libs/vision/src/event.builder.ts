import type { AnalysedEvent, Box, Direction, Track } from '@cameramonit/contracts';
import { EventDescriber } from './event.describer.js';

export interface EventBuilderOptions {
  /** tracks shorter than this are noise (default 1 s) */
  minTrackSec?: number;
  /** tracks with fewer detections than this are noise (default 3) */
  minTrackHits?: number;
  /** tracks of one label and direction less than this apart in time form one event (default 1 s) */
  mergeGapSec?: number;
  /** a track moved in a direction when its centre travelled at least this many box sizes (default 0.5) */
  minDirectionTravel?: number;
  /** also report motion that no object track explains (default false) */
  motionEvents?: boolean;
  /** motion shorter than this is not an event (default 1 s) */
  minMotionSec?: number;
}

/** Motion seen in one analysed frame (from MotionDetector), used for motion-only events. */
export interface MotionSample {
  sec: number;
  /** 0..1 */
  score: number;
  /** the largest moving region, or null when nothing moved */
  box: Box | null;
}

/** Direction of travel from a path: the mean of its first and last fifths, along the dominant axis. */
export function pathDirection(path: Track['path'], minTravelPx: number): Direction {
  if (path.length < 2) return 'none';
  const edge = Math.max(1, Math.floor(path.length / 5));
  const mean = (points: Track['path']) => ({
    cx: points.reduce((sum, point) => sum + point.cx, 0) / points.length,
    cy: points.reduce((sum, point) => sum + point.cy, 0) / points.length,
  });
  const start = mean(path.slice(0, edge));
  const end = mean(path.slice(-edge));
  const dx = end.cx - start.cx;
  const dy = end.cy - start.cy;
  if (Math.hypot(dx, dy) < minTravelPx) return 'none';
  if (Math.abs(dx) >= Math.abs(dy)) return dx > 0 ? 'left-to-right' : 'right-to-left';
  return dy > 0 ? 'top-to-bottom' : 'bottom-to-top';
}

/** An event that was still going when the previous clip ended (times shifted to this clip: negative = before it). */
export interface CarriedEvent {
  key: string;
  trackIds: number[];
  startSec: number;
}

/** Where the clip sits in the camera's scene: for event keys and for events that go on across clips. */
export interface EventContext {
  /** makes keys unique in the camera's scene (the scene id) */
  keyPrefix: string;
  /** events open at the end of the previous clip */
  carriedEvents: readonly CarriedEvent[];
  /** the clip's end (seconds); an event with a track seen within `openWithinSec` of it is open */
  endSec: number;
  openWithinSec: number;
}

const noContext: EventContext = { keyPrefix: '', carriedEvents: [], endSec: Infinity, openWithinSec: 0 };

interface EventDraft {
  label: string;
  direction: Direction;
  tracks: Track[];
  startSec: number;
  endSec: number;
}

/**
 * Turns tracks into events: drops short tracks (noise) and stationary ones (a parked car is not
 * news), then merges moving tracks of the same label and direction that overlap in time into one
 * event with a count ("2 people walked from right to left"). Optional motion-only events cover
 * motion that no object event explains.
 */
export class EventBuilder {
  private readonly minTrackSec: number;
  private readonly minTrackHits: number;
  private readonly mergeGapSec: number;
  private readonly minDirectionTravel: number;
  private readonly motionEvents: boolean;
  private readonly minMotionSec: number;

  constructor(
    options: EventBuilderOptions = {},
    private readonly describer: EventDescriber = new EventDescriber(),
  ) {
    this.minTrackSec = options.minTrackSec ?? 1;
    this.minTrackHits = options.minTrackHits ?? 3;
    this.mergeGapSec = options.mergeGapSec ?? 1;
    this.minDirectionTravel = options.minDirectionTravel ?? 0.5;
    this.motionEvents = options.motionEvents ?? false;
    this.minMotionSec = options.minMotionSec ?? 1;
  }

  /** Tracks worth an event: long enough, seen often enough, not parked. */
  isEventTrack(track: Track): boolean {
    return (
      !track.stationary &&
      track.lastSec - track.firstSec >= this.minTrackSec &&
      track.path.length >= this.minTrackHits
    );
  }

  trackDirection(track: Track): Direction {
    const size = Math.max(track.bestBox.width, track.bestBox.height);
    return pathDirection(track.path, this.minDirectionTravel * size);
  }

  build(tracks: readonly Track[], motion: readonly MotionSample[] = [], context: EventContext = noContext): AnalysedEvent[] {
    const groups = new Map<string, Track[]>();
    for (const track of tracks) {
      if (!this.isEventTrack(track)) continue;
      const key = `${track.label}\u0000${this.trackDirection(track)}`;
      const group = groups.get(key) ?? [];
      group.push(track);
      groups.set(key, group);
    }
    const drafts: EventDraft[] = [];
    for (const [key, group] of groups) {
      const [label, direction] = key.split('\u0000') as [string, Direction];
      group.sort((a, b) => a.firstSec - b.firstSec);
      let current: EventDraft | null = null;
      for (const track of group) {
        if (current && track.firstSec <= current.endSec + this.mergeGapSec) {
          current.tracks.push(track);
          current.endSec = Math.max(current.endSec, track.lastSec);
        } else {
          current = { label, direction, tracks: [track], startSec: track.firstSec, endSec: track.lastSec };
          drafts.push(current);
        }
      }
    }
    const events = drafts.map((draft) => this.objectEvent(draft, context));
    if (this.motionEvents) events.push(...this.motionOnlyEvents(motion, events, context));
    return events.sort((a, b) => a.startSec - b.startSec || b.count - a.count);
  }

  private objectEvent(draft: EventDraft, context: EventContext): AnalysedEvent {
    const best = draft.tracks.reduce((a, b) => (b.bestConfidence > a.bestConfidence ? b : a));
    const ownIds = draft.tracks.map((track) => track.id);
    // an event open at the end of the previous clip goes on when one of its tracks does
    const carried = context.carriedEvents.find((event) => event.trackIds.some((id) => ownIds.includes(id)));
    const trackIds = carried ? [...new Set([...carried.trackIds, ...ownIds])].sort((a, b) => a - b) : ownIds;
    const startSec = carried ? Math.min(carried.startSec, draft.startSec) : draft.startSec;
    const event: Omit<AnalysedEvent, 'summary'> = {
      kind: 'object',
      label: draft.label,
      count: trackIds.length,
      startSec: round(startSec),
      endSec: round(draft.endSec),
      confidence: round(best.bestConfidence),
      direction: draft.direction,
      bestSec: round(best.bestSec),
      bestBox: best.bestBox,
      trackIds,
      zones: [...new Set(draft.tracks.flatMap((track) => track.zones))],
      dwellSec: round(Math.max(...draft.tracks.map((track) => track.lastSec - track.firstSec))),
      speedPxPerSec: median(draft.tracks.map((track) => track.speedPxPerSec)),
      key: carried?.key ?? `${context.keyPrefix}track-${Math.min(...ownIds)}`,
      continued: carried !== undefined,
      open: draft.tracks.some((track) => context.endSec - track.lastSec <= context.openWithinSec),
    };
    return { ...event, summary: this.describer.describe(event) };
  }

  /** Runs of frames with motion (gaps up to mergeGapSec bridged) that no object event overlaps. */
  private motionOnlyEvents(samples: readonly MotionSample[], objectEvents: readonly AnalysedEvent[], context: EventContext): AnalysedEvent[] {
    const runs: MotionSample[][] = [];
    let run: MotionSample[] = [];
    for (const sample of samples) {
      if (!sample.box || sample.score <= 0) continue;
      const previous = run.at(-1);
      if (previous && sample.sec - previous.sec > this.mergeGapSec) {
        runs.push(run);
        run = [];
      }
      run.push(sample);
    }
    if (run.length > 0) runs.push(run);

    const events: AnalysedEvent[] = [];
    for (const samplesOfRun of runs) {
      const startSec = samplesOfRun[0].sec;
      const endSec = samplesOfRun[samplesOfRun.length - 1].sec;
      if (endSec - startSec < this.minMotionSec) continue;
      const explained = objectEvents.some((event) => event.startSec <= endSec && event.endSec >= startSec);
      if (explained) continue;
      const peak = samplesOfRun.reduce((a, b) => (b.score > a.score ? b : a));
      const event: Omit<AnalysedEvent, 'summary'> = {
        kind: 'motion',
        label: 'motion',
        count: 1,
        startSec: round(startSec),
        endSec: round(endSec),
        confidence: round(peak.score),
        direction: 'none',
        bestSec: round(peak.sec),
        bestBox: peak.box,
        trackIds: [],
        zones: [],
        dwellSec: round(endSec - startSec),
        speedPxPerSec: 0,
        key: `${context.keyPrefix}motion-${round(startSec)}`,
        continued: false,
        open: false,
      };
      events.push({ ...event, summary: this.describer.describe(event) });
    }
    return events;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
