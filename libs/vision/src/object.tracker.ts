import type { Box, Detection, Track } from '@cameramonit/contracts';
import { boxCentre, roundBox } from './box-geometry.js';
import { SceneZones } from './scene-zones.js';

export interface ObjectTrackerOptions {
  /** a moving object not seen for this long is gone; a detection after that starts a new track (default 3 s) */
  maxLostSec?: number;
  /** an object standing still (a parked car, a person waiting) is remembered this long unseen (default 30 s) */
  stillMemorySec?: number;
  /** a track seen fewer than `minHits` times is forgotten after this long unseen (default 1 s) */
  tentativeMemorySec?: number;
  /** detections a track needs before it is reported (default 3) */
  minHits?: number;
  /** a detection may continue a moving track when its centre is within this many box sizes of the prediction (default 0.9, growing by 0.5 per second unseen) */
  gateSizes?: number;
  /** ...and a still one within this many box sizes (default 0.6) */
  stillGateSizes?: number;
  /** boxes whose sizes (longer side) differ more than this factor are never the same object (default 1.8) */
  maxSizeRatio?: number;
  /** an object whose centre stays within this many box sizes is standing still (default 0.5) */
  stillRadiusSizes?: number;
  /** an object moved when its centre got this many box sizes away from where its movement began (default 1) */
  minTravelSizes?: number;
  /** a vehicle still this long has parked; any object still this long since it appeared was already there (default 10 s) */
  parkSec?: number;
  /** an object is out of a zone once it has been seen outside it for this long (default 2 s) */
  zoneExitSec?: number;
  /** the analysis frame: a moving object unseen for `exitSec` whose predicted centre is outside it has left the view (0: unknown frame, no such rule) */
  frameWidth?: number;
  frameHeight?: number;
  /** seconds unseen after which an object heading out of the frame is gone (default 0.4 s) */
  exitSec?: number;
}

/** Labels that park: when they stop for `parkSec` their movement ends ("drove in and parked"); when they move again they leave. */
export const parkingLabels: readonly string[] = ['car', 'truck', 'bus', 'motorcycle'];

/** Labels the detector confuses for one object (a van is a car in one frame and a truck in the next): a track of one may continue with another. */
const labelFamilies: readonly (readonly string[])[] = [['car', 'truck', 'bus']];

/** Whether a detection of label `b` may continue a track of label `a`. */
export function sameObjectKind(a: string, b: string): boolean {
  return a === b || labelFamilies.some((family) => family.includes(a) && family.includes(b));
}

export interface PathPoint {
  sec: number;
  cx: number;
  cy: number;
}

/** The part of a track's life in which it moves: from its appearance or its departure to its parking or its disappearance. */
export interface MovementSegment {
  /** 1 for the track's first movement, 2 for the next (after it stood still)... */
  no: number;
  startSec: number;
  startX: number;
  startY: number;
  /** it began by leaving a place where the object had stood still (a parked car driving off) */
  fromStill: boolean;
  /** how long the object had stood still before (null when it was already there when the scene began) */
  stillForSec: number | null;
  /** the farthest the centre got from the segment's start, pixels */
  maxTravelPx: number;
  /** the length of the way it went, measured between waypoints half a box size apart (box jitter does not add up), pixels */
  pathPx: number;
  waypointX: number;
  waypointY: number;
  hits: number;
  /** the longest the object stood still within the movement, seconds */
  longestRestSec: number;
  /** the event this movement was announced in, when one was (kept across clips) */
  eventKey: string | null;
  /** zones it stood in when the movement began, and every zone it was in during it (entering order) */
  startZones: string[];
  zones: string[];
}

/** A movement that ended in this clip because the vehicle parked. */
export interface ParkedMovement extends MovementSegment {
  endSec: number;
  endX: number;
  endY: number;
  /** zones it parked in */
  endZones: string[];
}

/** One stay of an object in a zone. */
export interface ZoneVisit {
  zone: string;
  enteredSec: number;
  lastInSec: number;
  /** when it was first seen outside the zone after lastInSec (null or absent: not since); the stay ended between the two */
  outSinceSec?: number | null;
  /** counts the object's visits to any zone: part of the loitering event's key */
  visitNo: number;
  /** the loitering event of this visit, once it was announced */
  loiterKey: string | null;
}

/** Everything known of one object, as JSON (it is carried to the camera's next clip). Times are seconds from the clip's start. */
export interface TrackMemory {
  id: number;
  /** the label it was detected as most (confidence summed over `labelVotes`) */
  label: string;
  /** summed confidence per label, when a family of labels was seen (absent: only `label`) */
  labelVotes?: Record<string, number>;
  firstSec: number;
  lastSec: number;
  hits: number;
  box: Box;
  velocityX: number;
  velocityY: number;
  /** running mean of the box's longer side, pixels */
  size: number;
  best: { confidence: number; sec: number; box: Box };
  /** the first points of its life (kept when the path is trimmed) */
  head: PathPoint[];
  /** its recent path (the carried part trimmed to the last points) */
  path: PathPoint[];
  /** where it stands still since `restSince` (the centre it keeps within the still radius of) */
  anchorX: number;
  anchorY: number;
  restSince: number;
  /** standing still (parked, or there since it appeared) since `stillSince`; null while moving */
  stillSince: number | null;
  /** the current movement; null while it stands still */
  movement: MovementSegment | null;
  everMoved: boolean;
  /** movements so far */
  movementCount: number;
  /** it was there, standing still, when the camera's scene began (not loitering, not an arrival) */
  preexisting: boolean;
  /** every zone it has been in, in entering order */
  zones: string[];
  visits: ZoneVisit[];
  visitCount: number;
}

/** What the tracker hands to the analysis of the camera's next clip. */
export interface TrackerState {
  nextId: number;
  tracks: TrackMemory[];
}

export interface TrackerCarryIn {
  state: TrackerState;
  /** seconds from the start of the clip the state was taken in to the start of this clip (its duration + the gap) */
  offsetSec: number;
}

/** A track at the end of a clip, with what the event builder needs besides the public Track. */
export interface TrackReport {
  track: Track;
  memory: TrackMemory;
  /** the track was seen in this clip */
  seenInClip: boolean;
  /** its best detection within this clip (for the snapshot of an event that begins here) */
  bestInClip: { confidence: number; sec: number; box: Box } | null;
  /** movements that ended in this clip because the vehicle parked */
  parked: ParkedMovement[];
  /** zone visits that ended in this clip */
  endedVisits: ZoneVisit[];
  /** it is still followed at the end of the clip (seen within the memory) */
  alive: boolean;
}

const headLength = 3;
const carriedPathLength = 30;

/**
 * Follows detections across frames. Each object is one track: detections are matched to
 * constant-velocity predictions, gated by distance (in box sizes, growing while the object is
 * unseen) and by size, cheapest pairs first; a track the detector misses is remembered for a few
 * seconds (longer when it stands still), so it survives short occlusions. Besides the path, each
 * track knows whether it moves or stands still (a parked car, someone waiting), which zones it was
 * in and for how long. snapshot() / carryIn hand all of it to the camera's next clip.
 */
export class ObjectTracker {
  private readonly options: Required<ObjectTrackerOptions>;
  private readonly live: TrackMemory[] = [];
  private readonly gone: TrackMemory[] = [];
  private readonly seenInClip = new Set<number>();
  private readonly bestInClip = new Map<number, { confidence: number; sec: number; box: Box }>();
  private readonly parked = new Map<number, ParkedMovement[]>();
  private readonly endedVisits = new Map<number, ZoneVisit[]>();
  private readonly freshScene: boolean;
  private firstUpdateSec: number | null = null;
  private nextId = 1;

  constructor(
    options: ObjectTrackerOptions = {},
    carryIn: TrackerCarryIn | null = null,
    private readonly zones: SceneZones = SceneZones.none(),
  ) {
    this.options = {
      maxLostSec: options.maxLostSec ?? 3,
      stillMemorySec: options.stillMemorySec ?? 30,
      tentativeMemorySec: options.tentativeMemorySec ?? 1,
      minHits: options.minHits ?? 3,
      gateSizes: options.gateSizes ?? 0.9,
      stillGateSizes: options.stillGateSizes ?? 0.6,
      maxSizeRatio: options.maxSizeRatio ?? 1.8,
      stillRadiusSizes: options.stillRadiusSizes ?? 0.5,
      minTravelSizes: options.minTravelSizes ?? 1,
      parkSec: options.parkSec ?? 10,
      zoneExitSec: options.zoneExitSec ?? 2,
      frameWidth: options.frameWidth ?? 0,
      frameHeight: options.frameHeight ?? 0,
      exitSec: options.exitSec ?? 0.4,
    };
    this.freshScene = carryIn === null;
    if (carryIn) this.restore(carryIn);
  }

  /** Seconds a moving track may go unseen and still continue. */
  get lostLimitSec(): number {
    return this.options.maxLostSec;
  }

  get minTravelSizes(): number {
    return this.options.minTravelSizes;
  }

  get minHits(): number {
    return this.options.minHits;
  }

  /** Feed the detections of the frame at `sec` (call in time order). Detections standing in a mask are ignored. */
  update(sec: number, detections: readonly Detection[]): void {
    if (this.firstUpdateSec === null) this.firstUpdateSec = sec;
    this.expire(sec);
    const kept = detections.filter((detection) => !this.zones.isMasked(detection.box));
    const pairs: { track: TrackMemory; detection: Detection; cost: number }[] = [];
    for (const detection of kept) {
      for (const track of this.live) {
        if (!sameObjectKind(track.label, detection.label) || sec <= track.lastSec) continue;
        const cost = this.matchCost(track, detection.box, sec);
        if (cost !== null) pairs.push({ track, detection, cost });
      }
    }
    pairs.sort((a, b) => a.cost - b.cost);
    const usedTracks = new Set<TrackMemory>();
    const usedDetections = new Set<Detection>();
    for (const { track, detection } of pairs) {
      if (usedTracks.has(track) || usedDetections.has(detection)) continue;
      usedTracks.add(track);
      usedDetections.add(detection);
      this.extend(track, detection, sec);
    }
    for (const detection of kept) if (!usedDetections.has(detection)) this.start(detection, sec);
  }

  /** Every track seen in this clip (with enough detections) and what happened to it, in order of appearance. */
  finish(endSec: number): TrackReport[] {
    this.expire(endSec);
    const all = [...this.gone, ...this.live].filter((track) => this.seenInClip.has(track.id) && this.isConfirmed(track));
    all.sort((a, b) => a.firstSec - b.firstSec || a.id - b.id);
    return all.map((memory) => ({
      track: this.publicTrack(memory),
      memory,
      seenInClip: true,
      bestInClip: this.bestInClip.get(memory.id) ?? null,
      parked: this.parked.get(memory.id) ?? [],
      endedVisits: this.endedVisits.get(memory.id) ?? [],
      alive: this.live.includes(memory) && endSec - memory.lastSec <= this.memorySec(memory),
    }));
  }

  /**
   * The objects still remembered at `endSec` (the end of the clip), for the camera's next clip:
   * moving ones seen within the last seconds, still ones (parked cars) for longer. Paths are
   * trimmed to their first and last points so the state stays small.
   */
  snapshot(endSec: number): TrackerState {
    const kept = this.live.filter((track) => endSec - track.lastSec <= this.memorySec(track) && (this.isConfirmed(track) || endSec - track.lastSec <= this.options.tentativeMemorySec));
    return {
      nextId: this.nextId,
      tracks: kept.map((track) => {
        const copy = structuredClone(track);
        copy.path = copy.path.slice(-carriedPathLength);
        copy.best = { ...copy.best, confidence: round3(copy.best.confidence) };
        copy.velocityX = round3(copy.velocityX);
        copy.velocityY = round3(copy.velocityY);
        copy.size = round3(copy.size);
        return copy;
      }),
    };
  }

  private restore({ state, offsetSec }: TrackerCarryIn): void {
    this.nextId = Math.max(this.nextId, state.nextId);
    const shift = (sec: number) => round3(sec - offsetSec);
    const shiftPoint = (point: PathPoint): PathPoint => ({ ...point, sec: shift(point.sec) });
    for (const carried of state.tracks) {
      const track = structuredClone(carried);
      track.firstSec = shift(track.firstSec);
      track.lastSec = shift(track.lastSec);
      track.best.sec = shift(track.best.sec);
      track.head = track.head.map(shiftPoint);
      track.path = track.path.map(shiftPoint);
      track.restSince = shift(track.restSince);
      if (track.stillSince !== null) track.stillSince = shift(track.stillSince);
      if (track.movement) track.movement.startSec = shift(track.movement.startSec);
      for (const visit of track.visits) {
        visit.enteredSec = shift(visit.enteredSec);
        visit.lastInSec = shift(visit.lastInSec);
        if (visit.outSinceSec !== undefined && visit.outSinceSec !== null) visit.outSinceSec = shift(visit.outSinceSec);
      }
      this.live.push(track);
    }
  }

  private isConfirmed(track: TrackMemory): boolean {
    return track.hits >= this.options.minHits;
  }

  private memorySec(track: TrackMemory): number {
    if (!this.isConfirmed(track)) return this.options.tentativeMemorySec;
    return this.isResting(track) ? this.options.stillMemorySec : this.options.maxLostSec;
  }

  /** Parked, or standing still for the last seconds: remembered longer, matched only where it stands. */
  private isResting(track: TrackMemory): boolean {
    return track.stillSince !== null || track.lastSec - track.restSince >= 2;
  }

  /** Tracks unseen for longer than their memory, and moving ones that walked or drove out of the frame, are gone. */
  private expire(sec: number): void {
    for (let i = this.live.length - 1; i >= 0; i--) {
      const track = this.live[i];
      if (sec - track.lastSec > this.memorySec(track) || this.hasLeftView(track, sec)) {
        this.live.splice(i, 1);
        this.gone.push(track);
        for (const visit of track.visits) this.endVisit(track, visit);
        track.visits = [];
      }
    }
  }

  /** Where a track's centre is expected at `sec` (moving tracks follow their velocity, not farther than 1.5 s). */
  private predictedCentre(track: TrackMemory, sec: number): { x: number; y: number } {
    const still = this.isResting(track);
    const reach = Math.min(sec - track.lastSec, 1.5); // do not extrapolate far
    const { cx, cy } = boxCentre(track.box);
    return { x: cx + (still ? 0 : track.velocityX * reach), y: cy + (still ? 0 : track.velocityY * reach) };
  }

  /**
   * A moving object unseen for a moment whose predicted centre is outside the frame walked or drove
   * out of view: someone who comes in at that edge later is someone else, not the same track
   * turning back.
   */
  private hasLeftView(track: TrackMemory, sec: number): boolean {
    const { frameWidth, frameHeight, exitSec } = this.options;
    if (frameWidth <= 0 || frameHeight <= 0 || sec - track.lastSec < exitSec || this.isResting(track) || !this.isConfirmed(track)) return false;
    const { x, y } = this.predictedCentre(track, sec);
    return x < 0 || y < 0 || x > frameWidth || y > frameHeight;
  }

  /** null when the detection cannot be this track; otherwise lower is a better match. */
  private matchCost(track: TrackMemory, box: Box, sec: number): number | null {
    const dt = sec - track.lastSec;
    const still = this.isResting(track);
    if (this.hasLeftView(track, sec)) return null;
    const { x: predictedX, y: predictedY } = this.predictedCentre(track, sec);
    const detectionSize = Math.max(box.width, box.height);
    const sizeRatio = Math.max(detectionSize, track.size) / Math.max(1, Math.min(detectionSize, track.size));
    if (sizeRatio > this.options.maxSizeRatio) return null;
    const { cx, cy } = boxCentre(box);
    const distance = Math.hypot(cx - predictedX, cy - predictedY) / Math.max(1, (detectionSize + track.size) / 2);
    const gate = still ? this.options.stillGateSizes : this.options.gateSizes + 0.5 * Math.min(Math.max(0, dt - 0.5), 3);
    if (distance > gate) return null;
    // an object seen recently is a likelier owner than one lost for a while
    return distance + 0.5 * Math.log(sizeRatio) + 0.05 * Math.min(dt, 5);
  }

  private start(detection: Detection, sec: number): void {
    const { cx, cy } = boxCentre(detection.box);
    const point = { sec, cx: Math.round(cx), cy: Math.round(cy) };
    const track: TrackMemory = {
      id: this.nextId++,
      label: detection.label,
      labelVotes: { [detection.label]: round3(detection.confidence) },
      firstSec: sec,
      lastSec: sec,
      hits: 1,
      box: roundBox(detection.box),
      velocityX: 0,
      velocityY: 0,
      size: Math.max(detection.box.width, detection.box.height),
      best: { confidence: detection.confidence, sec, box: roundBox(detection.box) },
      head: [point],
      path: [point],
      anchorX: cx,
      anchorY: cy,
      restSince: sec,
      stillSince: null,
      movement: { no: 1, startSec: sec, startX: cx, startY: cy, fromStill: false, stillForSec: null, maxTravelPx: 0, pathPx: 0, waypointX: cx, waypointY: cy, hits: 1, longestRestSec: 0, eventKey: null, startZones: this.zones.zonesOf(detection.box), zones: [] },
      everMoved: false,
      movementCount: 1,
      // found in the first detector pass of a new scene: it was there before the camera looked
      preexisting: this.freshScene && this.firstUpdateSec !== null && sec - this.firstUpdateSec <= 1,
      zones: [],
      visits: [],
      visitCount: 0,
    };
    this.live.push(track);
    this.seenInClip.add(track.id);
    this.bestInClip.set(track.id, { ...track.best });
    this.updateZones(track, detection.box, sec);
  }

  private extend(track: TrackMemory, detection: Detection, sec: number): void {
    const before = boxCentre(track.box);
    const after = boxCentre(detection.box);
    const dt = sec - track.lastSec;
    const measuredX = (after.cx - before.cx) / dt;
    const measuredY = (after.cy - before.cy) / dt;
    const blend = track.hits === 1 ? 1 : 0.4;
    track.velocityX = (1 - blend) * track.velocityX + blend * measuredX;
    track.velocityY = (1 - blend) * track.velocityY + blend * measuredY;
    track.box = roundBox(detection.box);
    track.lastSec = sec;
    track.hits++;
    // a state carried from an engine that did not count votes starts from the track's best detection
    const votes = (track.labelVotes ??= { [track.label]: track.best.confidence });
    votes[detection.label] = round3((votes[detection.label] ?? 0) + detection.confidence);
    if (detection.label !== track.label) track.label = Object.entries(votes).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    track.size = 0.8 * track.size + 0.2 * Math.max(detection.box.width, detection.box.height);
    const point = { sec, cx: Math.round(after.cx), cy: Math.round(after.cy) };
    track.path.push(point);
    if (track.head.length < headLength) track.head.push(point);
    if (detection.confidence > track.best.confidence) track.best = { confidence: detection.confidence, sec, box: roundBox(detection.box) };
    const inClip = this.bestInClip.get(track.id);
    if (!inClip || detection.confidence > inClip.confidence) this.bestInClip.set(track.id, { confidence: detection.confidence, sec, box: roundBox(detection.box) });
    this.seenInClip.add(track.id);
    this.updateMovement(track, sec);
    this.updateZones(track, detection.box, sec);
  }

  /** Where the object is now: the median of its last three centres (one bad box does not move a parked car). */
  private currentPosition(track: TrackMemory): { x: number; y: number } {
    const last = track.path.slice(-3);
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return { x: median(last.map((point) => point.cx)), y: median(last.map((point) => point.cy)) };
  }

  /** Moving or standing still: a vehicle that stops for parkSec has parked, and a parked one that moves off is leaving. */
  private updateMovement(track: TrackMemory, sec: number): void {
    const { parkSec, stillRadiusSizes, minTravelSizes } = this.options;
    const position = this.currentPosition(track);
    const radius = stillRadiusSizes * track.size;
    const previousRestSince = track.restSince;
    const previousSec = track.path.at(-2)?.sec ?? sec;
    const wasStillSec = previousSec - track.restSince;
    const left = Math.hypot(position.x - track.anchorX, position.y - track.anchorY) > radius;
    if (left) {
      track.anchorX = position.x;
      track.anchorY = position.y;
      track.restSince = sec;
    }
    const movement = track.movement;
    if (movement) {
      movement.hits++;
      const step = Math.hypot(position.x - movement.waypointX, position.y - movement.waypointY);
      if (step > radius) {
        movement.pathPx += step;
        movement.waypointX = position.x;
        movement.waypointY = position.y;
      }
      movement.maxTravelPx = Math.max(movement.maxTravelPx, Math.hypot(position.x - movement.startX, position.y - movement.startY));
      const moved = movement.maxTravelPx >= minTravelSizes * track.size;
      if (moved) track.everMoved = true;
      const restSec = sec - track.restSince;
      movement.longestRestSec = Math.max(movement.longestRestSec, left ? Math.max(0, wasStillSec) : restSec);
      if (restSec >= parkSec && (!moved || parkingLabels.includes(track.label))) {
        // it stands still: a vehicle parked after driving in; anything still since it appeared was just there
        if (moved) {
          const ended: ParkedMovement = { ...movement, endSec: track.restSince, endX: track.anchorX, endY: track.anchorY, endZones: this.zones.zonesOf(track.box) };
          const list = this.parked.get(track.id) ?? [];
          list.push(ended);
          this.parked.set(track.id, list);
        }
        track.movement = null;
        track.stillSince = moved ? track.restSince : movement.startSec;
      }
    } else if (left) {
      // a still object moves off: a new movement begins where it stood
      const stillSince = track.stillSince ?? previousRestSince;
      const from = track.path.at(-2) ?? track.path[0];
      track.movement = {
        no: ++track.movementCount,
        startSec: from.sec,
        startX: from.cx,
        startY: from.cy,
        fromStill: true,
        stillForSec: track.preexisting && !track.everMoved ? null : Math.max(0, from.sec - stillSince),
        maxTravelPx: Math.hypot(position.x - from.cx, position.y - from.cy),
        pathPx: 0,
        waypointX: from.cx,
        waypointY: from.cy,
        hits: 1,
        longestRestSec: 0,
        eventKey: null,
        startZones: track.visits.map((visit) => visit.zone),
        zones: track.visits.map((visit) => visit.zone),
      };
      track.stillSince = null;
    }
  }

  private updateZones(track: TrackMemory, box: Box, sec: number): void {
    if (!this.zones.hasZones) return;
    const inside = this.zones.zonesOf(box);
    for (const zone of inside) {
      const visit = track.visits.find((v) => v.zone === zone);
      if (visit) {
        visit.lastInSec = sec;
        visit.outSinceSec = null;
      } else track.visits.push({ zone, enteredSec: sec, lastInSec: sec, visitNo: ++track.visitCount, loiterKey: null });
      if (!track.zones.includes(zone)) track.zones.push(zone);
      if (track.movement && !track.movement.zones.includes(zone)) track.movement.zones.push(zone);
    }
    for (const visit of [...track.visits]) {
      if (!inside.includes(visit.zone) && (visit.outSinceSec ?? null) === null) visit.outSinceSec = sec;
      if (!inside.includes(visit.zone) && sec - visit.lastInSec > this.options.zoneExitSec) {
        track.visits.splice(track.visits.indexOf(visit), 1);
        this.endVisit(track, visit);
      }
    }
  }

  private endVisit(track: TrackMemory, visit: ZoneVisit): void {
    if (visit.lastInSec < 0 && !this.seenInClip.has(track.id)) return; // ended in an earlier clip's time, nothing new
    const list = this.endedVisits.get(track.id) ?? [];
    list.push(visit);
    this.endedVisits.set(track.id, list);
  }

  private publicTrack(memory: TrackMemory): Track {
    const path = mergePath(memory.head, memory.path);
    return {
      id: memory.id,
      label: memory.label,
      firstSec: round3(memory.firstSec),
      lastSec: round3(memory.lastSec),
      bestConfidence: round3(memory.best.confidence),
      bestSec: round3(memory.best.sec),
      bestBox: memory.best.box,
      path,
      stationary: !memory.everMoved,
      speedPxPerSec: medianSpeed(memory.path),
      zones: [...memory.zones],
    };
  }
}

/** The head and the (possibly trimmed) recent path as one path, without repeating points. */
function mergePath(head: readonly PathPoint[], path: readonly PathPoint[]): PathPoint[] {
  const firstRecent = path[0]?.sec ?? Infinity;
  return [...head.filter((point) => point.sec < firstRecent), ...path].map((point) => ({ ...point }));
}

/** Median of the centre's speed between consecutive path points, pixels per second. */
export function medianSpeed(path: readonly PathPoint[]): number {
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

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
