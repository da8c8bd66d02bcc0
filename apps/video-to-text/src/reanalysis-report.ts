import type { CameraAnalysisSettings, Direction, StoredEventKind } from '@cameramonit/contracts';

/** An event as a re-analysis report shows it. */
export interface ReportedEvent {
  id: string;
  kind: StoredEventKind;
  label: string;
  count: number;
  direction: Direction;
  startedAt: string;
  endedAt: string;
  summary: string;
  zones: string[];
}

export interface ChangedEvent {
  before: ReportedEvent;
  after: ReportedEvent;
  /** what differs, in words: "count 2 -> 1", "ends 4 s later" */
  changes: string[];
}

export interface ReanalysisReport {
  from: string;
  to: string;
  /** clips re-analysed, and those that could not be (their events were left as they were) */
  clips: number;
  clipsFailed: { clipId: string; code: string; message: string }[];
  /** clips skipped because they were still being analysed for the first time */
  clipsSkipped: number;
  settings: CameraAnalysisSettings;
  settingsHash: string;
  /** event counts by "kind label" ("object person", "motion motion") */
  before: Record<string, number>;
  after: Record<string, number>;
  added: ReportedEvent[];
  removed: ReportedEvent[];
  changed: ChangedEvent[];
  unchanged: number;
}

export interface EventComparison {
  /** pairs of the same event before and after (same kind and label, overlapping in time) */
  matched: { before: ReportedEvent; after: ReportedEvent }[];
  added: ReportedEvent[];
  removed: ReportedEvent[];
}

/** Events closer than this still overlap (a track that starts a frame later is the same event). */
const OVERLAP_SLACK_MS = 1000;
/** Start or end moving by more than this is a change. */
const TIME_CHANGE_MS = 1500;

/**
 * Pairs the events of the same time range before and after a re-analysis: same kind and label,
 * overlapping in time, the largest overlaps first. What is left is removed (before) or added (after).
 */
export function compareEvents(before: readonly ReportedEvent[], after: readonly ReportedEvent[]): EventComparison {
  const candidates: { b: number; a: number; overlap: number }[] = [];
  before.forEach((old, b) =>
    after.forEach((now, a) => {
      if (old.kind !== now.kind || old.label !== now.label) return;
      const overlap = Math.min(ms(old.endedAt), ms(now.endedAt)) - Math.max(ms(old.startedAt), ms(now.startedAt));
      if (overlap >= -OVERLAP_SLACK_MS) candidates.push({ b, a, overlap });
    }),
  );
  candidates.sort((x, y) => y.overlap - x.overlap);
  const usedBefore = new Set<number>();
  const usedAfter = new Set<number>();
  const matched: EventComparison['matched'] = [];
  for (const { b, a } of candidates) {
    if (usedBefore.has(b) || usedAfter.has(a)) continue;
    usedBefore.add(b);
    usedAfter.add(a);
    matched.push({ before: before[b] as ReportedEvent, after: after[a] as ReportedEvent });
  }
  return {
    matched: matched.sort((x, y) => ms(x.after.startedAt) - ms(y.after.startedAt)),
    added: after.filter((_, a) => !usedAfter.has(a)),
    removed: before.filter((_, b) => !usedBefore.has(b)),
  };
}

/** What differs between two matched events, in words; empty when nothing that matters does. */
export function eventChanges(before: ReportedEvent, after: ReportedEvent): string[] {
  const changes: string[] = [];
  if (before.count !== after.count) changes.push(`count ${before.count} -> ${after.count}`);
  if (before.direction !== after.direction) changes.push(`direction ${before.direction} -> ${after.direction}`);
  const startShift = ms(after.startedAt) - ms(before.startedAt);
  if (Math.abs(startShift) > TIME_CHANGE_MS) changes.push(`starts ${seconds(startShift)} ${startShift > 0 ? 'later' : 'earlier'}`);
  const endShift = ms(after.endedAt) - ms(before.endedAt);
  if (Math.abs(endShift) > TIME_CHANGE_MS) changes.push(`ends ${seconds(endShift)} ${endShift > 0 ? 'later' : 'earlier'}`);
  if (before.zones.join('|') !== after.zones.join('|')) changes.push(`zones ${before.zones.join(', ') || 'none'} -> ${after.zones.join(', ') || 'none'}`);
  return changes;
}

/** Counts by "kind label". */
export function countByKindAndLabel(events: readonly ReportedEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[`${event.kind} ${event.label}`] = (counts[`${event.kind} ${event.label}`] ?? 0) + 1;
  return counts;
}

/** The report in a few sentences, for the camera's chat thread. */
export function reportText(report: ReanalysisReport, cameraName: string): string {
  const range = `${report.from.slice(0, 16).replace('T', ' ')} to ${report.to.slice(0, 16).replace('T', ' ')} UTC`;
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
  const listed = (counts: Record<string, number>) => {
    const parts = Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([key, n]) => `${n} ${key.replace(/^object /, '').replace(/^motion motion$/, 'motion').replace(/^loitering (.*)$/, '$1 loitering')}`);
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  const removedLabels = countByKindAndLabel(report.removed);
  const addedLabels = countByKindAndLabel(report.added);
  const lines = [
    `Re-analysed ${cameraName} from ${range}: ${report.clips} clip${report.clips === 1 ? '' : 's'} with the current settings (${report.settingsHash}).`,
    `Before: ${total(report.before)} event${total(report.before) === 1 ? '' : 's'}${listed(report.before)}. After: ${total(report.after)}${listed(report.after)}.`,
    `Removed ${report.removed.length}${listed(removedLabels)}, added ${report.added.length}${listed(addedLabels)}, changed ${report.changed.length}, unchanged ${report.unchanged}.`,
  ];
  if (report.clipsFailed.length) lines.push(`${report.clipsFailed.length} clip(s) could not be analysed and kept their events: ${report.clipsFailed.map((f) => f.message).join('; ')}`);
  if (report.clipsSkipped) lines.push(`${report.clipsSkipped} clip(s) were still being analysed and were left out.`);
  return lines.join('\n');
}

const ms = (iso: string) => Date.parse(iso);
const seconds = (shift: number) => `${Math.round(Math.abs(shift) / 100) / 10} s`;
