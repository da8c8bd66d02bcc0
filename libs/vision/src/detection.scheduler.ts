import type { Box, Detection } from '@cameramonit/contracts';

/**
 * When and where the frame loop runs the object detector. The detector is the expensive part, so:
 * - new motion (a moving region no known object explains) is looked at within `detectEverySec`;
 * - motion of objects already known is looked at every `trackEverySec` (the tracker bridges the gap);
 * - a known object with no motion over it (it stopped: a parked car, a person standing) is looked
 *   at again every `recheckStillEverySec`, so its track stays alive and we know when it leaves;
 * - the whole frame is looked at every `idleDetectEverySec`, at the start, and after the whole
 *   picture changed (lights, camera moved), so still objects nobody saw move are known too.
 * Where: `areas` (frame pixels) go to planDetectionCrops; `whole` = the whole frame.
 */
export interface DetectionSchedulerOptions {
  /** new motion is looked at this often (default 0.4 s) */
  detectEverySec?: number;
  /** motion of known objects is looked at this often (default 0.8 s) */
  trackEverySec?: number;
  /** known objects that stopped moving are looked at this often (default 1.5 s; the frame loop keeps an object seen once for longer than this) */
  recheckStillEverySec?: number;
  /** the whole frame is looked at this often (default 5 s) */
  idleDetectEverySec?: number;
  /** a known object not confirmed for this long is forgotten (default 3 s) */
  forgetAfterSec?: number;
}

export interface MotionSummary {
  regions: readonly Box[];
  warmingUp: boolean;
  globalChange: boolean;
}

export type DetectionStep = { kind: 'none' } | { kind: 'whole' } | { kind: 'areas'; areas: Box[] };

interface KnownObject {
  label: string;
  box: Box;
  /** last time a detector run found it */
  seenSec: number;
  /** last time a detector run looked at where it is */
  lookedSec: number;
  /** how fast it moved between its last two sightings, in its own sizes (larger side) per second; null = seen once */
  sizesPerSec: number | null;
}

const epsilon = 1e-6;

/** how often a known object that stopped moving is looked at again, unless told otherwise */
export const defaultRecheckStillEverySec = 1.5;

export class DetectionScheduler {
  private readonly detectEverySec: number;
  private readonly trackEverySec: number;
  private readonly recheckStillEverySec: number;
  private readonly idleDetectEverySec: number;
  private readonly forgetAfterSec: number;
  private known: KnownObject[] = [];
  /** the moving regions of the frame the detector last ran on, and of the frame just planned */
  private lookedRegions: Box[] = [];
  private plannedRegions: Box[] = [];
  private lastRunSec = -Infinity;
  private lastWholeSec = -Infinity;

  constructor(options: DetectionSchedulerOptions = {}) {
    this.detectEverySec = options.detectEverySec ?? 0.4;
    this.trackEverySec = Math.max(this.detectEverySec, options.trackEverySec ?? 0.8);
    this.recheckStillEverySec = options.recheckStillEverySec ?? defaultRecheckStillEverySec;
    this.idleDetectEverySec = options.idleDetectEverySec ?? 5;
    this.forgetAfterSec = Math.max(this.recheckStillEverySec, options.forgetAfterSec ?? 3);
  }

  /** Objects the detector found recently (frame pixels). */
  get knownObjects(): readonly { label: string; box: Box }[] {
    return this.known;
  }

  plan(sec: number, motion: MotionSummary): DetectionStep {
    const sinceRun = sec - this.lastRunSec;
    const sinceWhole = sec - this.lastWholeSec;
    this.plannedRegions = motion.regions.map((region) => ({ ...region }));
    if (motion.warmingUp || motion.globalChange) return sinceRun >= this.detectEverySec - epsilon ? { kind: 'whole' } : { kind: 'none' };
    if (sinceWhole >= this.idleDetectEverySec - epsilon) return { kind: 'whole' };

    const regions = motion.regions;
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
    const stillDue = still.some((object) => sec - object.lookedSec >= this.recheckStillEverySec - epsilon);
    if (!movingDue && !stillDue) return { kind: 'none' };
    // when running anyway, look at every still object that is at least half-way to its next check
    const stillAreas = still.filter((object) => sec - object.lookedSec >= this.recheckStillEverySec / 2 - epsilon).map((object) => object.box);
    // a region is often only part of the object (legs, an arm): grow it to the known objects it belongs to
    const movingAreas = regions.map((region) =>
      this.known.filter((object) => explains(object, region, sec)).reduce((area, object) => union(area, object.box), { ...region }),
    );
    return { kind: 'areas', areas: [...movingAreas, ...stillAreas] };
  }

  /** Speed of a new detection from the nearest earlier sighting of the same label (within 3 sizes), sizes per second; null if none. */
  private speedOf(detection: Detection, sec: number): number | null {
    const size = Math.max(detection.box.width, detection.box.height, 1);
    const here = centre(detection.box);
    let best: number | null = null;
    let bestDistance = Infinity;
    for (const object of this.known) {
      if (object.label !== detection.label || !(sec > object.seenSec)) continue;
      const there = centre(object.box);
      const distance = Math.hypot(here.x - there.x, here.y - there.y);
      if (distance < bestDistance && distance <= 3 * size) {
        bestDistance = distance;
        best = distance / size / (sec - object.seenSec);
      }
    }
    return best;
  }

  /** After a detector run at `sec`: where it looked (null = the whole frame) and what it found there (frame pixels). */
  record(sec: number, lookedAt: readonly Box[] | null, detections: readonly Detection[]): void {
    this.lastRunSec = sec;
    if (lookedAt === null) this.lastWholeSec = sec;
    this.lookedRegions = this.plannedRegions;
    const inside = (box: Box) => lookedAt === null || lookedAt.some((crop) => contains(crop, centre(box)));
    const next: KnownObject[] = detections.map((detection) => ({
      label: detection.label,
      box: { ...detection.box },
      seenSec: sec,
      lookedSec: sec,
      sizesPerSec: this.speedOf(detection, sec),
    }));
    for (const object of this.known) {
      if (sec - object.seenSec > this.forgetAfterSec) continue;
      if (next.some((found) => found.label === object.label && overlaps(found.box, object.box))) continue;
      // looked at and not found: the detector misses objects now and then; keep it (and look again) until forgetAfterSec
      next.push(inside(object.box) ? { ...object, lookedSec: sec } : object);
    }
    this.known = next;
  }
}

/** Known objects should move at most this many of their sizes between two detector runs. */
const maxTravelSizes = 0.6;

/** A known object explains a moving region near its last box (allowing for how far it may have walked since). */
function explains(object: KnownObject, region: Box, sec: number): boolean {
  const grow = 0.5 + Math.max(0, sec - object.seenSec);
  return overlaps(expand(object.box, grow), region);
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
