import type { AnalysedEvent, Box, Direction, EventActivity, MotionSpan } from '@cameramonit/contracts';
import { EventDescriber, type ZoneRelation } from './event.describer.js';
import { parkingLabels, type MovementSegment, type PathPoint, type TrackMemory, type TrackReport, type ZoneVisit } from './object.tracker.js';
import { SceneZones } from './scene-zones.js';

export interface EventBuilderOptions {
  /** movements shorter than this are noise (default 1 s) */
  minTrackSec?: number;
  /** a track moved in a direction when its centre travelled at least this many box sizes (default 0.5) */
  minDirectionTravel?: number;
  /** movements of one label and direction overlapping in time at least this share of the shorter one may be one group... (default 0.7) */
  groupMinOverlap?: number;
  /** ...when their objects stay within this many box sizes of each other on average (default 1.5) */
  groupMaxDistance?: number;
  /** also report motion that no object track explains (default false) */
  motionEvents?: boolean;
  /** motion runs with gaps up to this long are one run (default 1 s) */
  mergeGapSec?: number;
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

/**
 * The first and last frame with motion (a kept moving region), null when nothing moved. One pass
 * over the samples the frame loop keeps anyway: it costs nothing next to reading the frames.
 */
export function motionSpan(samples: readonly MotionSample[]): MotionSpan {
  let firstSec: number | null = null;
  let lastSec: number | null = null;
  for (const sample of samples) {
    if (sample.box === null) continue;
    firstSec ??= sample.sec;
    lastSec = sample.sec;
  }
  // frame times are index / fps: 0.6000000000000001 becomes 0.6
  const rounded = (sec: number | null) => (sec === null ? null : Math.round(sec * 1000) / 1000);
  return { firstSec: rounded(firstSec), lastSec: rounded(lastSec) };
}

/** Direction of a displacement along its dominant axis; 'none' when shorter than minTravelPx. */
export function displacementDirection(dx: number, dy: number, minTravelPx: number): Direction {
  if (Math.hypot(dx, dy) < minTravelPx) return 'none';
  if (Math.abs(dx) >= Math.abs(dy)) return dx > 0 ? 'left-to-right' : 'right-to-left';
  return dy > 0 ? 'top-to-bottom' : 'bottom-to-top';
}

/** Direction of travel from a path: the mean of its first and last fifths, along the dominant axis. */
export function pathDirection(path: readonly PathPoint[], minTravelPx: number): Direction {
  if (path.length < 2) return 'none';
  const edge = Math.max(1, Math.floor(path.length / 5));
  const mean = (points: readonly PathPoint[]) => ({
    cx: points.reduce((sum, point) => sum + point.cx, 0) / points.length,
    cy: points.reduce((sum, point) => sum + point.cy, 0) / points.length,
  });
  const start = mean(path.slice(0, edge));
  const end = mean(path.slice(-edge));
  return displacementDirection(end.cx - start.cx, end.cy - start.cy, minTravelPx);
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
  /** the camera's zones (for loitering limits and zone names of motion) and masks */
  zones?: SceneZones;
  /** minimum travel (box sizes) for a movement to count, as the tracker measured it (default 1) */
  minTravelSizes?: number;
}

const noContext: EventContext = { keyPrefix: '', carriedEvents: [] };

/** One object's movement that may become (part of) an event. */
interface Candidate {
  report: TrackReport;
  activity: Exclude<EventActivity, 'loitered'>;
  label: string;
  direction: Direction;
  startSec: number;
  endSec: number;
  startX: number;
  startY: number;
  open: boolean;
  /** the live movement (to remember the event it was announced in) */
  movement: MovementSegment | null;
  eventKey: string | null;
  startZones: string[];
  zones: string[];
  endZones: string[];
  longestRestSec: number;
  stillForSec: number | null;
  movementNo: number;
  /** the movement began when the scene began: the object was already there */
  alreadyThere: boolean;
}

/**
 * Turns what the tracker saw into events a person would call one event: one object passing, or a
 * group that moves together (same label and direction, together in time and space), a vehicle
 * that drove in and parked, a parked one that drove off, an object that stayed in a zone too
 * long (loitering). Objects that never moved (a parked van, a false detection on a post) are not
 * announced. Optional motion-only events cover motion that no object event explains.
 */
export class EventBuilder {
  private readonly options: Required<Omit<EventBuilderOptions, 'motionEvents'>> & { motionEvents: boolean };

  constructor(
    options: EventBuilderOptions = {},
    private readonly describer: EventDescriber = new EventDescriber(),
  ) {
    this.options = {
      minTrackSec: options.minTrackSec ?? 1,
      minDirectionTravel: options.minDirectionTravel ?? 0.5,
      groupMinOverlap: options.groupMinOverlap ?? 0.7,
      groupMaxDistance: options.groupMaxDistance ?? 1.5,
      motionEvents: options.motionEvents ?? false,
      mergeGapSec: options.mergeGapSec ?? 1,
      minMotionSec: options.minMotionSec ?? 1,
    };
  }

  /**
   * Events of a clip from its track reports. Sets on each live movement the key of its event, so
   * the tracker's snapshot carries it: the event goes on (continued) in the next clip.
   */
  build(reports: readonly TrackReport[], motion: readonly MotionSample[] = [], context: EventContext = noContext): AnalysedEvent[] {
    const zones = context.zones ?? SceneZones.none();
    const candidates = reports.flatMap((report) => this.candidates(report, context.minTravelSizes ?? 1, zones));
    const events = this.group(candidates).map((group) => this.objectEvent(group, context));
    events.push(...reports.flatMap((report) => this.loiteringEvents(report, context, zones)));
    if (this.options.motionEvents) events.push(...this.motionOnlyEvents(motion, events, context, zones));
    return events.sort((a, b) => a.startSec - b.startSec || b.count - a.count);
  }

  private candidates(report: TrackReport, minTravelSizes: number, zones: SceneZones): Candidate[] {
    const { memory } = report;
    const size = memory.size;
    const minTravel = minTravelSizes * size;
    const list: Candidate[] = [];
    const enough = (movement: MovementSegment, endSec: number) =>
      movement.maxTravelPx >= minTravel && movement.hits >= 3 && endSec - movement.startSec >= this.options.minTrackSec;
    for (const parked of report.parked) {
      if (!enough(parked, parked.endSec)) continue;
      list.push({
        report,
        activity: 'arrived',
        label: memory.label,
        direction: displacementDirection(parked.endX - parked.startX, parked.endY - parked.startY, this.options.minDirectionTravel * size),
        startSec: parked.startSec,
        endSec: parked.endSec,
        startX: parked.startX,
        startY: parked.startY,
        open: false,
        movement: null,
        eventKey: parked.eventKey,
        startZones: parked.startZones,
        zones: parked.zones,
        endZones: parked.endZones,
        longestRestSec: 0,
        stillForSec: parked.stillForSec,
        movementNo: parked.no,
        alreadyThere: memory.preexisting && parked.no === 1,
      });
    }
    const movement = memory.movement;
    if (movement && memory.lastSec >= 0 && enough(movement, memory.lastSec)) {
      const last = memory.path.slice(-3);
      const endX = last.reduce((sum, point) => sum + point.cx, 0) / last.length;
      const endY = last.reduce((sum, point) => sum + point.cy, 0) / last.length;
      list.push({
        report,
        activity: movement.fromStill && parkingLabels.includes(memory.label) ? 'left' : 'passed',
        label: memory.label,
        direction: wandered(movement.pathPx, endX - movement.startX, endY - movement.startY)
          ? 'none'
          : displacementDirection(endX - movement.startX, endY - movement.startY, this.options.minDirectionTravel * size),
        startSec: movement.startSec,
        endSec: movingUntil(memory),
        startX: movement.startX,
        startY: movement.startY,
        open: report.alive,
        movement,
        eventKey: movement.eventKey,
        startZones: movement.startZones,
        zones: movement.zones,
        endZones: zones.zonesOf(memory.box),
        longestRestSec: movement.longestRestSec,
        stillForSec: movement.stillForSec,
        movementNo: movement.no,
        alreadyThere: memory.preexisting && movement.no === 1,
      });
    }
    return list;
  }

  /** Movements that belong together (union-find); two events already announced separately are never merged. */
  private group(candidates: Candidate[]): Candidate[][] {
    const parent = candidates.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    const keyOf = new Map<number, string | null>(candidates.map((candidate, i) => [i, candidate.eventKey]));
    // movements announced in one event stay in it
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        if (candidates[i].eventKey && candidates[i].eventKey === candidates[j].eventKey) parent[find(j)] = find(i);
      }
    }
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        const a = find(i);
        const b = find(j);
        if (a === b || !this.together(candidates[i], candidates[j])) continue;
        const keyA = keyOf.get(a) ?? null;
        const keyB = keyOf.get(b) ?? null;
        if (keyA && keyB && keyA !== keyB) continue;
        parent[b] = a;
        keyOf.set(a, keyA ?? keyB);
      }
    }
    const groups = new Map<number, Candidate[]>();
    candidates.forEach((candidate, i) => {
      const root = find(i);
      groups.set(root, [...(groups.get(root) ?? []), candidate]);
    });
    return [...groups.values()];
  }

  /**
   * Same label and activity, and together: side by side (mean distance and farthest distance in
   * box sizes) for at least 2 s and most of the shorter movement, or setting off together from one
   * place. Objects merely in view when the scene began did not set off together.
   */
  private together(a: Candidate, b: Candidate): boolean {
    if (a.label !== b.label || a.activity !== b.activity || a.report === b.report) return false;
    const size = (a.report.memory.size + b.report.memory.size) / 2;
    const overlap = Math.min(a.endSec, b.endSec) - Math.max(a.startSec, b.startSec);
    const shorter = Math.min(a.endSec - a.startSec, b.endSec - b.startSec);
    // two objects side by side all along are one group even when their measured directions differ or
    // they have none (a couple walking a loop); for those the test is stricter
    const sameDirection = a.direction === b.direction && a.direction !== 'none';
    const minOverlap = sameDirection ? this.options.groupMinOverlap : 0.8;
    const maxMeanDistance = sameDirection ? this.options.groupMaxDistance : 0.75 * this.options.groupMaxDistance;
    if (overlap >= 2 && overlap >= minOverlap * shorter) {
      const from = Math.max(a.startSec, b.startSec);
      const steps = Math.min(12, Math.max(2, Math.round(overlap / 0.5)));
      const distances: number[] = [];
      const offsets: { dx: number; dy: number }[] = [];
      for (let k = 0; k <= steps; k++) {
        const sec = from + (overlap * k) / steps;
        const pa = positionAt(a.report.track.path, sec);
        const pb = positionAt(b.report.track.path, sec);
        if (!pa || !pb) continue;
        distances.push(Math.hypot(pa.cx - pb.cx, pa.cy - pb.cy) / size);
        offsets.push({ dx: pb.cx - pa.cx, dy: pb.cy - pa.cy });
      }
      if (distances.length >= 2) {
        const mean = distances.reduce((sum, d) => sum + d, 0) / distances.length;
        // they moved alike: the offset between them hardly changed (not one walking past the other standing)
        const first = offsets[0];
        const last = offsets[offsets.length - 1];
        const drift = Math.hypot(last.dx - first.dx, last.dy - first.dy) / size;
        if (mean <= maxMeanDistance && Math.max(...distances) <= 1.5 * maxMeanDistance && drift <= 1) return true;
      }
    }
    if (!sameDirection || a.alreadyThere || b.alreadyThere) return false;
    return Math.abs(a.startSec - b.startSec) <= 1 && Math.hypot(a.startX - b.startX, a.startY - b.startY) <= this.options.groupMaxDistance * size;
  }

  private objectEvent(group: Candidate[], context: EventContext): AnalysedEvent {
    // the longest movement of the group speaks for it (its direction)
    const first = group.reduce((a, b) => (b.endSec - b.startSec > a.endSec - a.startSec ? b : a));
    const ownKey = group.find((candidate) => candidate.eventKey)?.eventKey ?? null;
    const carried = ownKey ? context.carriedEvents.find((event) => event.key === ownKey) : undefined;
    const ownIds = [...new Set(group.map((candidate) => candidate.report.track.id))];
    const trackIds = [...new Set([...(carried?.trackIds ?? []), ...ownIds])].sort((a, b) => a - b);
    const continued = ownKey !== null;
    const startSec = Math.min(carried?.startSec ?? Infinity, ...group.map((candidate) => candidate.startSec));
    const endSec = Math.max(...group.map((candidate) => candidate.endSec));
    // a new event's snapshot is taken in this clip; a continued one keeps its best moment, wherever it was
    const bests = group.map((candidate) => (continued ? candidate.report.memory.best : candidate.report.bestInClip ?? candidate.report.memory.best));
    const best = bests.reduce((a, b) => (b.confidence > a.confidence ? b : a));
    const zoneNames = orderedZones(group);
    // the first movement of the group's first object names the event; a later movement of it (leaving after parking) adds its number
    const leader = group.reduce((a, b) => (b.report.track.id < a.report.track.id ? b : a));
    const key = ownKey ?? `${context.keyPrefix}track-${leader.report.track.id}${leader.movementNo > 1 ? `-${leader.movementNo}` : ''}`;
    const stayedSec =
      first.activity === 'left'
        ? group.some((candidate) => candidate.stillForSec === null)
          ? null
          : Math.min(...group.map((candidate) => candidate.stillForSec ?? 0))
        : Math.max(...group.map((candidate) => candidate.longestRestSec));
    const event: Omit<AnalysedEvent, 'summary'> = {
      kind: 'object',
      label: first.label,
      count: trackIds.length,
      startSec: round(startSec),
      endSec: round(endSec),
      confidence: round(best.confidence),
      direction: first.direction,
      bestSec: round(best.sec),
      bestBox: best.box,
      trackIds,
      zones: zoneNames.map((zone) => zone.name),
      dwellSec: round(Math.max(...group.map((candidate) => candidate.report.memory.lastSec - candidate.report.memory.firstSec))),
      speedPxPerSec: median(group.map((candidate) => candidate.report.track.speedPxPerSec)),
      key,
      continued,
      open: group.some((candidate) => candidate.open),
      activity: first.activity,
    };
    for (const candidate of group) if (candidate.movement) candidate.movement.eventKey = key;
    const summary = this.describer.describe({ ...event, zone: zoneNames[0] ?? null, stayedSec });
    return { ...event, summary };
  }

  /** One loitering event per object and zone visit longer than the zone allows (also when the visit spans clips). */
  private loiteringEvents(report: TrackReport, context: EventContext, zones: SceneZones): AnalysedEvent[] {
    const { memory } = report;
    // an object standing there since before the camera's scene began is not loitering
    if (memory.preexisting && !memory.everMoved) return [];
    const current = new Set(memory.visits);
    const events: AnalysedEvent[] = [];
    for (const visit of [...report.endedVisits, ...memory.visits]) {
      const limit = zones.loiterSecOf(visit.zone);
      const dwell = visit.lastInSec - visit.enteredSec;
      if (limit === null || dwell < limit) continue;
      if (visit.lastInSec < 0 && visit.loiterKey === null) continue;
      events.push(this.loiteringEvent(report, visit, current.has(visit) && report.alive, context));
    }
    return events;
  }

  private loiteringEvent(report: TrackReport, visit: ZoneVisit, open: boolean, context: EventContext): AnalysedEvent {
    const { memory, track } = report;
    const continued = visit.loiterKey !== null;
    const key = visit.loiterKey ?? `${context.keyPrefix}loiter-${track.id}-${visit.visitNo}`;
    visit.loiterKey = key;
    const best = continued ? memory.best : report.bestInClip ?? memory.best;
    // the stay ended between the last look that saw it inside and the first that saw it out
    const endSec = visit.outSinceSec !== undefined && visit.outSinceSec !== null ? (visit.lastInSec + visit.outSinceSec) / 2 : visit.lastInSec;
    const dwellSec = round(endSec - visit.enteredSec);
    const event: Omit<AnalysedEvent, 'summary'> = {
      kind: 'loitering',
      label: track.label,
      count: 1,
      startSec: round(visit.enteredSec),
      endSec: round(endSec),
      confidence: round(best.confidence),
      direction: 'none',
      bestSec: round(best.sec),
      bestBox: best.box,
      trackIds: [track.id],
      zones: [visit.zone],
      dwellSec,
      speedPxPerSec: track.speedPxPerSec,
      key,
      continued,
      open,
      activity: 'loitered',
    };
    return { ...event, summary: this.describer.describe({ ...event, zone: { name: visit.zone, relation: 'in' }, stayedSec: dwellSec, open }) };
  }

  /** Runs of frames with motion (gaps up to mergeGapSec bridged) that no object event overlaps. */
  private motionOnlyEvents(samples: readonly MotionSample[], objectEvents: readonly AnalysedEvent[], context: EventContext, zones: SceneZones): AnalysedEvent[] {
    const runs: MotionSample[][] = [];
    let run: MotionSample[] = [];
    for (const sample of samples) {
      if (!sample.box || sample.score <= 0 || zones.isMasked(sample.box)) continue;
      const previous = run.at(-1);
      if (previous && sample.sec - previous.sec > this.options.mergeGapSec) {
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
      if (endSec - startSec < this.options.minMotionSec) continue;
      const explained = objectEvents.some((event) => event.kind !== 'loitering' && event.startSec <= endSec && event.endSec >= startSec);
      if (explained) continue;
      const peak = samplesOfRun.reduce((a, b) => (b.score > a.score ? b : a));
      const zoneCounts = new Map<string, number>();
      for (const sample of samplesOfRun) for (const zone of zones.zonesOf(sample.box as Box)) zoneCounts.set(zone, (zoneCounts.get(zone) ?? 0) + 1);
      const zoneNames = [...zoneCounts.entries()].sort((a, b) => b[1] - a[1]).map(([zone]) => zone);
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
        zones: zoneNames,
        dwellSec: round(endSec - startSec),
        speedPxPerSec: 0,
        key: `${context.keyPrefix}motion-${round(startSec)}`,
        continued: false,
        open: false,
      };
      events.push({ ...event, summary: this.describer.describe({ ...event, zone: zoneNames[0] ? { name: zoneNames[0], relation: 'in' } : null }) });
    }
    return events;
  }
}

/**
 * The zones of a group, the main one first with how the objects relate to it: a zone they went
 * into, else one they came out of, else one they stayed in, else one they crossed.
 */
function orderedZones(group: readonly Candidate[]): { name: string; relation: ZoneRelation }[] {
  const relations = new Map<string, ZoneRelation>();
  const rank: Record<ZoneRelation, number> = { into: 0, 'out-of': 1, in: 2, through: 3 };
  for (const candidate of group) {
    for (const zone of [...candidate.startZones, ...candidate.zones, ...candidate.endZones]) {
      const atStart = candidate.startZones.includes(zone);
      const atEnd = candidate.endZones.includes(zone);
      const relation: ZoneRelation = atEnd && !atStart ? 'into' : atStart && !atEnd ? 'out-of' : atStart && atEnd ? 'in' : 'through';
      const known = relations.get(zone);
      if (!known || rank[relation] < rank[known]) relations.set(zone, relation);
    }
  }
  return [...relations.entries()].sort((a, b) => rank[a[1]] - rank[b[1]]).map(([name, relation]) => ({ name, relation }));
}

/** It went far more than it got anywhere (walking back and forth): no direction says what it did. */
function wandered(pathPx: number, dx: number, dy: number): boolean {
  return pathPx > 3 * Math.max(1, Math.hypot(dx, dy));
}

/** The path point nearest in time to `sec`, if the path covers it (within 1 s). */
function positionAt(path: readonly PathPoint[], sec: number): PathPoint | null {
  let best: PathPoint | null = null;
  for (const point of path) if (!best || Math.abs(point.sec - sec) < Math.abs(best.sec - sec)) best = point;
  return best && Math.abs(best.sec - sec) <= 1 ? best : null;
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

/**
 * When an object's current movement ended, as far as this clip knows: a vehicle that has stood
 * still for a while at the end stopped when it came to rest (it may be parking; if it drives on in
 * the next clip, the movement goes on); anything else was moving, or standing in its event
 * ("stayed 40 s"), until it was last seen.
 */
function movingUntil(memory: TrackMemory): number {
  const restingSec = memory.lastSec - memory.restSince;
  return parkingLabels.includes(memory.label) && restingSec >= 2 ? Math.max(memory.restSince, memory.movement?.startSec ?? memory.restSince) : memory.lastSec;
}
