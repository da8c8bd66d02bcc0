import type { Box, Detection } from '@cameramonit/contracts';
import { sameObjectKind } from './object.tracker.js';

/**
 * When and where the frame loop runs the object detector. The detector is the expensive part, so:
 * - new motion (a moving region no known object explains) is looked at within `detectEverySec`;
 * - motion of objects already known is looked at every `trackEverySec` (the tracker bridges the gap);
 * - a known object with no motion over it (it stopped: a parked car, a person standing) is looked
 *   at again every `recheckStillEverySec`, so its track stays alive and we know when it leaves;
 *   once it has been found in the same place three times with nothing moving over it, the wait
 *   doubles at every sighting up to `maxRecheckStillEverySec` (leaving makes motion there, which is
 *   looked at within `trackEverySec` whatever the wait);
 * - the whole frame is looked at every `idleDetectEverySec`, at the start, and after the whole
 *   picture changed (lights, camera moved), so still objects nobody saw move are known too; when
 *   nothing at all moved since the last whole-frame look, every `quietIdleDetectEverySec`.
 * Where: `areas` (frame pixels) go to planDetectionCrops; `whole` = the whole frame.
 *
 * The schedule goes on across a camera's clips (`state()` at the end of one, `carryIn` in the next),
 * so a quiet camera is not looked at afresh at the start of every clip.
 */
export interface DetectionSchedulerOptions {
  /** new motion is looked at this often (default 0.4 s) */
  detectEverySec?: number;
  /** motion of known objects is looked at this often (default 0.8 s) */
  trackEverySec?: number;
  /** known objects that stopped moving are looked at this often (default 1.5 s; the frame loop keeps an object seen once for longer than this) */
  recheckStillEverySec?: number;
  /** objects that keep standing still are looked at at most this rarely (default 12 s; below the tracker's still memory) */
  maxRecheckStillEverySec?: number;
  /** the whole frame is looked at this often (default 5 s) */
  idleDetectEverySec?: number;
  /** ...and this often when nothing moved since it was last looked at (default 15 s) */
  quietIdleDetectEverySec?: number;
  /** a known object not confirmed for this long is forgotten (default 3 s; longer for one that was looked at rarely) */
  forgetAfterSec?: number;
  /** the schedule at the end of the camera's previous clip, and how many seconds before this clip that clip began */
  carryIn?: { state: DetectionScheduleState; offsetSec: number } | null;
}

/** The schedule as JSON, times in seconds of the clip it was taken in (see SceneState). */
export interface DetectionScheduleState {
  lastRunSec: number | null;
  lastWholeSec: number | null;
  lastMotionSec: number | null;
  lookedRegions: Box[];
  known: KnownObject[];
}

export interface MotionSummary {
  regions: readonly Box[];
  warmingUp: boolean;
  globalChange: boolean;
}

export type DetectionStep = { kind: 'none' } | { kind: 'whole' } | { kind: 'areas'; areas: Box[] };

/** An object the detector found recently, as the schedule remembers it (frame pixels, seconds of the clip). */
export interface KnownObject {
  label: string;
  box: Box;
  /** last time a detector run found it */
  seenSec: number;
  /** last time a detector run looked at where it is */
  lookedSec: number;
  /** how fast it moved between its last two sightings, in its own sizes (larger side) per second; null = seen once */
  sizesPerSec: number | null;
  /** sightings in a row in the same place with no motion over it in between (0: it moved) */
  stillChecks: number;
  /**
   * the last look at where it stands did not find it (the detector misses small objects now and
   * then): it is looked at again soon, and when found where it stood its sightings go on counting
   */
  missed?: boolean;
  /** where it stood at the first of those sightings: drifting away from there (a far, slow walker) is moving */
  stillFrom: Box;
  /** motion was over it since it was last seen */
  movedSinceSeen: boolean;
  /** it is forgotten when not seen for longer than this (forgetAfterSec, plus the wait it had when last seen beyond the shortest) */
  graceSec: number;
}

const epsilon = 1e-6;

/** how often a known object that stopped moving is looked at again, unless told otherwise */
export const defaultRecheckStillEverySec = 1.5;

export class DetectionScheduler {
  private readonly detectEverySec: number;
  private readonly trackEverySec: number;
  private readonly recheckStillEverySec: number;
  private readonly maxRecheckStillEverySec: number;
  private readonly idleDetectEverySec: number;
  private readonly quietIdleDetectEverySec: number;
  private readonly forgetAfterSec: number;
  private known: KnownObject[] = [];
  /** the moving regions of the frame the detector last ran on, and of the frame just planned */
  private lookedRegions: Box[] = [];
  private plannedRegions: Box[] = [];
  private lastRunSec = -Infinity;
  private lastWholeSec = -Infinity;
  /** the last frame with any motion (or a picture still settling, or changed as a whole) */
  private lastMotionSec = -Infinity;

  constructor(options: DetectionSchedulerOptions = {}) {
    this.detectEverySec = options.detectEverySec ?? 0.4;
    this.trackEverySec = Math.max(this.detectEverySec, options.trackEverySec ?? 0.8);
    this.recheckStillEverySec = options.recheckStillEverySec ?? defaultRecheckStillEverySec;
    this.maxRecheckStillEverySec = Math.max(this.recheckStillEverySec, options.maxRecheckStillEverySec ?? 12);
    this.idleDetectEverySec = options.idleDetectEverySec ?? 5;
    this.quietIdleDetectEverySec = Math.max(this.idleDetectEverySec, options.quietIdleDetectEverySec ?? 15);
    this.forgetAfterSec = Math.max(this.recheckStillEverySec, options.forgetAfterSec ?? 3);
    if (options.carryIn) this.restore(options.carryIn.state, options.carryIn.offsetSec);
  }

  /** The schedule now, for the camera's next clip (times in this clip's seconds). */
  state(): DetectionScheduleState {
    const time = (sec: number) => (Number.isFinite(sec) ? sec : null);
    return {
      lastRunSec: time(this.lastRunSec),
      lastWholeSec: time(this.lastWholeSec),
      lastMotionSec: time(this.lastMotionSec),
      lookedRegions: this.lookedRegions.map((region) => ({ ...region })),
      known: this.known.map((object) => ({ ...object, box: { ...object.box }, stillFrom: { ...object.stillFrom } })),
    };
  }

  /** Goes on from the previous clip's schedule; a state that does not read as one is ignored (the clip starts afresh). */
  private restore(state: DetectionScheduleState, offsetSec: number): void {
    if (!isScheduleState(state) || !Number.isFinite(offsetSec)) return;
    const shift = (sec: number | null) => (sec === null ? -Infinity : sec - offsetSec);
    this.lastRunSec = shift(state.lastRunSec);
    this.lastWholeSec = shift(state.lastWholeSec);
    this.lastMotionSec = shift(state.lastMotionSec);
    this.lookedRegions = state.lookedRegions.map((region) => ({ ...region }));
    this.known = state.known.map((object) => ({ ...object, box: { ...object.box }, stillFrom: { ...object.stillFrom }, seenSec: object.seenSec - offsetSec, lookedSec: object.lookedSec - offsetSec }));
  }

  /** How long a known object with no motion over it waits for its next look, after `stillChecks` sightings in the same place. */
  private recheckWaitSec(stillChecks: number): number {
    return Math.min(this.maxRecheckStillEverySec, this.recheckStillEverySec * 2 ** Math.max(0, stillChecks - 2));
  }

  /** How long this known object waits for its next look: soon after it was missed, else by its sightings. */
  private waitOf(object: KnownObject): number {
    return object.missed ? this.recheckStillEverySec : this.recheckWaitSec(object.stillChecks);
  }

  /** Objects the detector found recently (frame pixels). */
  get knownObjects(): readonly { label: string; box: Box }[] {
    return this.known;
  }

  plan(sec: number, motion: MotionSummary): DetectionStep {
    const sinceRun = sec - this.lastRunSec;
    const sinceWhole = sec - this.lastWholeSec;
    this.plannedRegions = motion.regions.map((region) => ({ ...region }));
    const regions = motion.regions;
    if (motion.warmingUp || motion.globalChange || regions.length > 0) this.lastMotionSec = sec;
    for (const object of this.known) {
      if (regions.some((region) => overlaps(expand(object.box, 0.25), region))) object.movedSinceSeen = true;
    }
    if (motion.warmingUp || motion.globalChange) return sinceRun >= this.detectEverySec - epsilon ? { kind: 'whole' } : { kind: 'none' };
    const idleEverySec = this.lastMotionSec >= this.lastWholeSec ? this.idleDetectEverySec : this.quietIdleDetectEverySec;
    if (sinceWhole >= idleEverySec - epsilon) return { kind: 'whole' };

    // known motion is looked at often enough that the object moves at most 0.6 of its size in between
    // (the tracker matches by overlap and centre distance within one size); never more often than new motion
    let knownDueSec = this.trackEverySec;
    for (const object of this.known) {
      if (object.sizesPerSec !== 0 && regions.some((region) => explains(object, region, sec))) {
        // seen once: its speed is not known yet, look again a little sooner
        const due = object.sizesPerSec === null ? (this.detectEverySec + this.trackEverySec) / 2 : maxTravelSizes / object.sizesPerSec;
        knownDueSec = Math.min(knownDueSec, Math.max(this.detectEverySec, due));
      }
    }
    // new motion: neither a known object nor motion that was there when the detector last looked (it found nothing in it)
    const sinceLook = sec - this.lastRunSec;
    const unexplained = regions.some(
      (region) =>
        !this.known.some((object) => explains(object, region, sec)) &&
        !this.lookedRegions.some((looked) => overlaps(expand(looked, 0.5 + sinceLook), region)),
    );
    const movingDue = regions.length > 0 && sinceRun >= (unexplained ? this.detectEverySec : knownDueSec) - epsilon;
    const still = this.known.filter((object) => !regions.some((region) => overlaps(expand(object.box, 0.25), region)));
    const stillDue = still.some((object) => sec - object.lookedSec >= this.waitOf(object) - epsilon);
    if (!movingDue && !stillDue) return { kind: 'none' };
    // when running anyway, look at every still object that is at least half-way to its next check
    const stillAreas = still.filter((object) => sec - object.lookedSec >= this.waitOf(object) / 2 - epsilon).map((object) => object.box);
    // a region is often only part of the object (legs, an arm): grow it to the known objects it belongs to
    const movingAreas = regions.map((region) =>
      this.known.filter((object) => explains(object, region, sec)).reduce((area, object) => union(area, object.box), { ...region }),
    );
    return { kind: 'areas', areas: [...movingAreas, ...stillAreas] };
  }

  /** The nearest earlier sighting (within 3 sizes) of a new detection (of the same label, or of the same kind of object), and how far it is in sizes. */
  private previousSighting(detection: Detection, sec: number, sameLabel: boolean): { object: KnownObject; sizes: number } | null {
    const size = Math.max(detection.box.width, detection.box.height, 1);
    const here = centre(detection.box);
    let best: { object: KnownObject; sizes: number } | null = null;
    for (const object of this.known) {
      if (!(sameLabel ? object.label === detection.label : sameObjectKind(object.label, detection.label)) || !(sec > object.seenSec)) continue;
      const there = centre(object.box);
      const sizes = Math.hypot(here.x - there.x, here.y - there.y) / size;
      if (sizes <= 3 && (!best || sizes < best.sizes)) best = { object, sizes };
    }
    return best;
  }

  /** A new sighting: its speed from the previous one (sizes per second), and whether it still stands where it stood. */
  private sighting(detection: Detection, sec: number): KnownObject {
    const previous = this.previousSighting(detection, sec, false);
    const speedFrom = this.previousSighting(detection, sec, true);
    const stood = previous !== null && !previous.object.movedSinceSeen && sizesApart(previous.object.stillFrom, detection.box) <= maxStillSizes;
    const stillChecks = stood ? previous.object.stillChecks + 1 : 0;
    return {
      label: detection.label,
      box: { ...detection.box },
      seenSec: sec,
      lookedSec: sec,
      sizesPerSec: speedFrom ? speedFrom.sizes / (sec - speedFrom.object.seenSec) : null,
      stillChecks,
      stillFrom: stood ? { ...previous.object.stillFrom } : { ...detection.box },
      movedSinceSeen: false,
      graceSec: this.forgetAfterSec + this.recheckWaitSec(stillChecks) - this.recheckStillEverySec,
    };
  }

  /** After a detector run at `sec`: where it looked (null = the whole frame) and what it found there (frame pixels). */
  record(sec: number, lookedAt: readonly Box[] | null, detections: readonly Detection[]): void {
    this.lastRunSec = sec;
    if (lookedAt === null) this.lastWholeSec = sec;
    this.lookedRegions = this.plannedRegions;
    const inside = (box: Box) => lookedAt === null || lookedAt.some((crop) => contains(crop, centre(box)));
    const next: KnownObject[] = detections.map((detection) => this.sighting(detection, sec));
    for (const object of this.known) {
      if (sec - object.seenSec > object.graceSec) continue;
      if (next.some((found) => sameObjectKind(found.label, object.label) && overlaps(found.box, object.box))) continue;
      // looked at and not found: the detector misses objects now and then; keep it (and look again soon) until its grace ends
      next.push(inside(object.box) ? { ...object, lookedSec: sec, missed: true } : object);
    }
    this.known = next;
  }
}

/** Known objects should move at most this many of their sizes between two detector runs. */
const maxTravelSizes = 0.6;

/** A sighting within this many sizes of where the object began to stand, with no motion over it since the last sighting, is it still standing there (the tracker's stillRadiusSizes). */
const maxStillSizes = 0.5;

function isScheduleState(state: unknown): state is DetectionScheduleState {
  if (!state || typeof state !== 'object') return false;
  const value = state as Partial<DetectionScheduleState>;
  const time = (sec: unknown) => sec === null || (typeof sec === 'number' && Number.isFinite(sec));
  return (
    time(value.lastRunSec) &&
    time(value.lastWholeSec) &&
    time(value.lastMotionSec) &&
    Array.isArray(value.lookedRegions) &&
    value.lookedRegions.every(isBox) &&
    Array.isArray(value.known) &&
    value.known.every(
      (object) =>
        object !== null &&
        typeof object === 'object' &&
        typeof object.label === 'string' &&
        isBox(object.box) &&
        Number.isFinite(object.seenSec) &&
        Number.isFinite(object.lookedSec) &&
        (object.sizesPerSec === null || Number.isFinite(object.sizesPerSec)) &&
        Number.isInteger(object.stillChecks) &&
        isBox(object.stillFrom) &&
        typeof object.movedSinceSeen === 'boolean' &&
        (object.missed === undefined || typeof object.missed === 'boolean') &&
        Number.isFinite(object.graceSec),
    )
  );
}

function isBox(box: unknown): box is Box {
  if (!box || typeof box !== 'object') return false;
  const { x, y, width, height } = box as Box;
  return [x, y, width, height].every((n) => Number.isFinite(n));
}

/** A known object explains a moving region near its last box (allowing for how far it may have walked since). */
function explains(object: KnownObject, region: Box, sec: number): boolean {
  const grow = 0.5 + Math.max(0, sec - object.seenSec);
  return overlaps(expand(object.box, grow), region);
}

/** How far apart the centres of two boxes are, in sizes (the larger side) of the second. */
function sizesApart(from: Box, to: Box): number {
  const a = centre(from);
  const b = centre(to);
  return Math.hypot(a.x - b.x, a.y - b.y) / Math.max(to.width, to.height, 1);
}

function expand(box: Box, fraction: number): Box {
  const pad = Math.max(box.width, box.height) * fraction;
  return { x: box.x - pad, y: box.y - pad, width: box.width + 2 * pad, height: box.height + 2 * pad };
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function centre(box: Box): { x: number; y: number } {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

function contains(box: Box, point: { x: number; y: number }): boolean {
  return point.x >= box.x && point.x <= box.x + box.width && point.y >= box.y && point.y <= box.y + box.height;
}
