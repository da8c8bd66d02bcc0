import type { Box, Detection, Track } from '@cameramonit/contracts';
import { boxCentre, intersectionOverUnion, roundBox } from './box-geometry.js';

export interface ObjectTrackerOptions {
  /** a track not matched for this long is closed; a detection after that starts a new track (default 2 s) */
  maxMissedSec?: number;
  /** a detection continues a track when the IoU with the track's predicted box is at least this (default 0.1)... */
  minIou?: number;
  /** ...or when the centres are closer than this many box sizes (max side) (default 1) */
  maxCentreDistance?: number;
  /** boxes whose areas differ more than this factor are never the same object (default 4) */
  maxAreaRatio?: number;
  /** a track whose centre moved less than this many box sizes over its life is stationary (default 0.6) */
  stationaryMaxTravel?: number;
}

interface TrackState {
  track: Track;
  lastBox: Box;
  lastSec: number;
  velocityX: number;
  velocityY: number;
  sizeSum: number;
}

/** A track still open when a clip ended, as JSON: times are seconds from that clip's start. */
export interface CarriedTrack {
  track: Track;
  lastBox: Box;
  velocityX: number;
  velocityY: number;
  sizeSum: number;
}

/** What the tracker hands to the analysis of the camera's next clip. */
export interface TrackerState {
  nextId: number;
  tracks: CarriedTrack[];
}

export interface TrackerCarryIn {
  state: TrackerState;
  /** seconds from the start of the clip the state was taken in to the start of this clip (its duration + the gap) */
  offsetSec: number;
}

/**
 * Follows detections across frames: same label, matched greedily by IoU with a constant-velocity
 * prediction or by centre distance, kept through a few missed frames. finish() returns every track
 * with its best detection, its path and whether it stayed put (a parked car).
 */
export class ObjectTracker {
  private readonly maxMissedSec: number;
  private readonly minIou: number;
  private readonly maxCentreDistance: number;
  private readonly maxAreaRatio: number;
  private readonly stationaryMaxTravel: number;
  private readonly states: TrackState[] = [];
  private readonly carried = new Set<number>();
  private nextId = 1;

  constructor(options: ObjectTrackerOptions = {}, carryIn: TrackerCarryIn | null = null) {
    this.maxMissedSec = options.maxMissedSec ?? 2;
    this.minIou = options.minIou ?? 0.1;
    this.maxCentreDistance = options.maxCentreDistance ?? 1;
    this.maxAreaRatio = options.maxAreaRatio ?? 4;
    this.stationaryMaxTravel = options.stationaryMaxTravel ?? 0.6;
    if (carryIn) this.restore(carryIn);
  }

  /** Seconds a track may go unseen before it is closed. */
  get missedLimitSec(): number {
    return this.maxMissedSec;
  }

  /**
   * The tracks still open at `endSec` (the end of the clip), for the camera's next clip. Tracks
   * carried in from an earlier clip keep their ids, so ids are unique along a chain of clips.
   */
  snapshot(endSec: number): TrackerState {
    const open = this.states.filter((state) => endSec - state.lastSec <= this.maxMissedSec);
    return {
      nextId: this.nextId,
      tracks: open.map((state) => ({
        track: { ...state.track, path: state.track.path.map((point) => ({ ...point })), zones: [...state.track.zones], bestBox: { ...state.track.bestBox } },
        lastBox: { ...state.lastBox },
        velocityX: state.velocityX,
        velocityY: state.velocityY,
        sizeSum: state.sizeSum,
      })),
    };
  }

  /** Ids of the tracks that came in from the previous clip. */
  get carriedIds(): ReadonlySet<number> {
    return this.carried;
  }

  private restore({ state, offsetSec }: TrackerCarryIn): void {
    this.nextId = Math.max(this.nextId, state.nextId);
    const shift = (sec: number) => sec - offsetSec;
    for (const carried of state.tracks) {
      const track = carried.track;
      this.carried.add(track.id);
      this.states.push({
        track: {
          ...track,
          firstSec: shift(track.firstSec),
          lastSec: shift(track.lastSec),
          bestSec: shift(track.bestSec),
          path: track.path.map((point) => ({ ...point, sec: shift(point.sec) })),
          zones: [...track.zones],
        },
        lastBox: carried.lastBox,
        lastSec: shift(track.lastSec),
        velocityX: carried.velocityX,
        velocityY: carried.velocityY,
        sizeSum: carried.sizeSum,
      });
    }
  }

  /** Feed the detections of the frame at `sec` (call in time order). */
  update(sec: number, detections: readonly Detection[]): void {
    const open = this.states.filter((state) => sec - state.lastSec <= this.maxMissedSec && sec > state.lastSec);
    const pairs: { state: TrackState; detection: Detection; score: number }[] = [];
    for (const detection of detections) {
      for (const state of open) {
        if (state.track.label !== detection.label) continue;
        const score = this.matchScore(state, detection.box, sec);
        if (score > 0) pairs.push({ state, detection, score });
      }
    }
    pairs.sort((a, b) => b.score - a.score);
    const usedStates = new Set<TrackState>();
    const usedDetections = new Set<Detection>();
    for (const { state, detection } of pairs) {
      if (usedStates.has(state) || usedDetections.has(detection)) continue;
      usedStates.add(state);
      usedDetections.add(detection);
      this.extend(state, detection, sec);
    }
    for (const detection of detections) {
      if (!usedDetections.has(detection)) this.start(detection, sec);
    }
  }

  /** All tracks so far, in order of appearance, with the stationary flag computed. */
  finish(): Track[] {
    return this.states.map((state) => ({
      ...state.track,
      path: state.track.path.map((point) => ({ ...point })),
      stationary: this.isStationary(state),
      speedPxPerSec: medianSpeed(state.track.path),
      zones: [],
    }));
  }

  /** > 0 when the detection may continue the track; higher is a better match. */
  private matchScore(state: TrackState, box: Box, sec: number): number {
    const areaA = state.lastBox.width * state.lastBox.height;
    const areaB = box.width * box.height;
    if (Math.max(areaA, areaB) > this.maxAreaRatio * Math.max(1, Math.min(areaA, areaB))) return 0;
    const dt = Math.min(sec - state.lastSec, 1); // do not extrapolate far
    const predicted: Box = {
      ...state.lastBox,
      x: state.lastBox.x + state.velocityX * dt,
      y: state.lastBox.y + state.velocityY * dt,
    };
    const iou = intersectionOverUnion(predicted, box);
    const a = boxCentre(predicted);
    const b = boxCentre(box);
    const size = (Math.max(predicted.width, predicted.height) + Math.max(box.width, box.height)) / 2;
    const distance = Math.hypot(a.cx - b.cx, a.cy - b.cy) / Math.max(1, size);
    if (iou < this.minIou && distance > this.maxCentreDistance) return 0;
    return iou + Math.max(0, 1 - distance / this.maxCentreDistance) * 0.5 + 0.001;
  }

  private start(detection: Detection, sec: number): void {
    const { cx, cy } = boxCentre(detection.box);
    this.states.push({
      track: {
        id: this.nextId++,
        label: detection.label,
        firstSec: sec,
        lastSec: sec,
        bestConfidence: detection.confidence,
        bestSec: sec,
        bestBox: roundBox(detection.box),
        path: [{ sec, cx: Math.round(cx), cy: Math.round(cy) }],
        stationary: true,
        speedPxPerSec: 0,
        zones: [],
      },
      lastBox: detection.box,
      lastSec: sec,
      velocityX: 0,
      velocityY: 0,
      sizeSum: Math.max(detection.box.width, detection.box.height),
    });
  }

  private extend(state: TrackState, detection: Detection, sec: number): void {
    const before = boxCentre(state.lastBox);
    const after = boxCentre(detection.box);
    const dt = sec - state.lastSec;
    const measuredX = (after.cx - before.cx) / dt;
    const measuredY = (after.cy - before.cy) / dt;
    const first = state.track.path.length === 1;
    state.velocityX = first ? measuredX : 0.5 * state.velocityX + 0.5 * measuredX;
    state.velocityY = first ? measuredY : 0.5 * state.velocityY + 0.5 * measuredY;
    state.lastBox = detection.box;
    state.lastSec = sec;
    state.sizeSum += Math.max(detection.box.width, detection.box.height);
    const track = state.track;
    track.lastSec = sec;
    track.path.push({ sec, cx: Math.round(after.cx), cy: Math.round(after.cy) });
    if (detection.confidence > track.bestConfidence) {
      track.bestConfidence = detection.confidence;
      track.bestSec = sec;
      track.bestBox = roundBox(detection.box);
    }
  }

  private isStationary(state: TrackState): boolean {
    const path = state.track.path;
    const meanSize = state.sizeSum / path.length;
    const xs = path.map((point) => point.cx).sort((a, b) => a - b);
    const ys = path.map((point) => point.cy).sort((a, b) => a - b);
    // spread between the 10th and 90th percentile of the centres: one bad box does not make a parked car move
    const low = Math.floor((path.length - 1) * 0.1);
    const high = Math.ceil((path.length - 1) * 0.9);
    const travel = Math.hypot(xs[high] - xs[low], ys[high] - ys[low]);
    return travel < this.stationaryMaxTravel * meanSize;
  }
}

/** Median of the centre's speed between consecutive path points, pixels per second. */
export function medianSpeed(path: Track['path']): number {
  const speeds: number[] = [];
  for (let i = 1; i < path.length; i++) {
    const dt = path[i].sec - path[i - 1].sec;
    if (dt > 0) speeds.push(Math.hypot(path[i].cx - path[i - 1].cx, path[i].cy - path[i - 1].cy) / dt);
  }
  if (speeds.length === 0) return 0;
  speeds.sort((a, b) => a - b);
  const middle = Math.floor(speeds.length / 2);
  const median = speeds.length % 2 ? speeds[middle] : (speeds[middle - 1] + speeds[middle]) / 2;
  return Math.round(median * 10) / 10;
}
