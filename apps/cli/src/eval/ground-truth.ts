/**
 * The ground truth of an annotated clip (fixtures/eval/<clip>.json): what a person watching the clip
 * says happened. Read and checked here, so a typo in a fixture is a clear error, not a silent 0 %.
 */
import { CameramonitError, type Direction, type EventKind } from '@cameramonit/contracts';

/** synthetic scenes with known paths, clips where nothing happens, hand-labelled moments of vtest.avi */
export type ClipGroup = 'synthetic' | 'nothing' | 'vtest';
export const clipGroups: readonly ClipGroup[] = ['synthetic', 'nothing', 'vtest'];

export interface TruthEvent {
  kind: EventKind;
  /** a COCO label, or the labels any of which is right (a van may be called car or truck) */
  label: string | string[];
  /** how many objects took part; [min, max] when the labeller was unsure */
  count: number | [number, number];
  /** null: any direction is right (the object stood, turned or wandered) */
  direction: Direction | null;
  startSec: number;
  endSec: number;
  /** how far off a start or end may be and still be "on time", seconds */
  tolerance: { startSec: number; endSec: number };
  /** loitering: the zone the object stayed in */
  zone?: string;
  /** an event here is neither required nor wrong (ambiguous objects); predictions matching it are ignored */
  optional?: boolean;
  note?: string;
}

export interface TruthClip {
  /** file name of the clip beside the JSON */
  clip: string;
  group: ClipGroup;
  description: string;
  durationSec: number;
  /** the camera's analysis settings for this clip (partial CameraAnalysisSettings) */
  settings: Record<string, unknown>;
  events: TruthEvent[];
  source?: { file: string; fromSec: number; durationSec: number };
}

const kinds: readonly EventKind[] = ['object', 'motion', 'loitering'];
const directions: readonly (Direction | null)[] = ['left-to-right', 'right-to-left', 'top-to-bottom', 'bottom-to-top', 'none', null];

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Checks one ground-truth JSON; throws INVALID_GROUND_TRUTH naming the file and every problem. */
export function parseTruthClip(name: string, input: unknown): TruthClip {
  const problems: string[] = [];
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (typeof raw.clip !== 'string' || raw.clip.length === 0) problems.push('clip must be the video file name');
  if (!clipGroups.includes(raw.group as ClipGroup)) problems.push(`group must be one of ${clipGroups.join(', ')}`);
  if (!isFiniteNumber(raw.durationSec) || raw.durationSec <= 0) problems.push('durationSec must be a positive number');
  if (raw.settings !== undefined && (typeof raw.settings !== 'object' || raw.settings === null || Array.isArray(raw.settings))) {
    problems.push('settings must be an object (camera analysis settings)');
  }
  if (!Array.isArray(raw.events)) problems.push('events must be a list');
  const events = Array.isArray(raw.events) ? (raw.events as unknown[]) : [];
  events.forEach((value, index) => {
    const event = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const at = `events[${index}]`;
    if (!kinds.includes(event.kind as EventKind)) problems.push(`${at}.kind must be one of ${kinds.join(', ')}`);
    const labels = Array.isArray(event.label) ? event.label : [event.label];
    if (labels.length === 0 || labels.some((label) => typeof label !== 'string' || label.length === 0)) problems.push(`${at}.label must be a label or a list of labels`);
    const count = event.count;
    const countOk = Array.isArray(count)
      ? count.length === 2 && count.every((c) => Number.isInteger(c) && (c as number) >= 1) && (count[0] as number) <= (count[1] as number)
      : Number.isInteger(count) && (count as number) >= 1;
    if (!countOk) problems.push(`${at}.count must be a whole number >= 1 or [min, max]`);
    if (!directions.includes(event.direction as Direction | null)) problems.push(`${at}.direction must be a direction or null`);
    if (!isFiniteNumber(event.startSec) || !isFiniteNumber(event.endSec) || event.endSec < event.startSec) {
      problems.push(`${at}: startSec and endSec must be numbers with startSec <= endSec`);
    }
    const tolerance = event.tolerance as Record<string, unknown> | undefined;
    if (!tolerance || !isFiniteNumber(tolerance.startSec) || !isFiniteNumber(tolerance.endSec) || tolerance.startSec < 0 || tolerance.endSec < 0) {
      problems.push(`${at}.tolerance must be {startSec, endSec} in seconds`);
    }
  });
  if (problems.length > 0) {
    throw new CameramonitError('INVALID_GROUND_TRUTH', `${name}: ${problems.join('; ')}`, 400);
  }
  return {
    ...(raw as unknown as TruthClip),
    settings: (raw.settings as Record<string, unknown> | undefined) ?? {},
    events: events as TruthEvent[],
  };
}
