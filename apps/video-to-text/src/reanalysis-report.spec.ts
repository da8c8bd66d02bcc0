import { describe, expect, it } from 'vitest';
import { defaultCameraAnalysisSettings } from '@cameramonit/contracts';
import { compareEvents, countByKindAndLabel, eventChanges, reportText, type ReanalysisReport, type ReportedEvent } from './reanalysis-report.js';

let n = 0;
const event = (label: string, start: number, end: number, over: Partial<ReportedEvent> = {}): ReportedEvent => ({
  id: `e${++n}`,
  kind: 'object',
  label,
  count: 1,
  direction: 'left-to-right',
  startedAt: new Date(Date.UTC(2026, 10, 22, 10, 0, start)).toISOString(),
  endedAt: new Date(Date.UTC(2026, 10, 22, 10, 0, end)).toISOString(),
  summary: `${label} passed`,
  zones: [],
  ...over,
});

describe('re-analysis report', () => {
  it('pairs events of the same label that overlap in time, the largest overlap first', () => {
    const person = event('person', 0, 10);
    const car = event('car', 2, 8);
    const late = event('person', 30, 35);
    const personAgain = event('person', 1, 11);
    const personShort = event('person', 9, 10);
    const truck = event('truck', 2, 8);
    const { matched, added, removed } = compareEvents([person, car, late], [personShort, personAgain, truck]);
    expect(matched.map((m) => [m.before.id, m.after.id])).toEqual([[person.id, personAgain.id]]);
    expect(added.map((e) => e.id).sort()).toEqual([personShort.id, truck.id].sort());
    expect(removed.map((e) => e.id).sort()).toEqual([car.id, late.id].sort());
  });

  it('says what changed in a matched event, and nothing for a shift of a frame', () => {
    const before = event('person', 0, 10);
    expect(eventChanges(before, { ...before, startedAt: new Date(Date.parse(before.startedAt) + 400).toISOString() })).toEqual([]);
    expect(eventChanges(before, { ...before, count: 2, direction: 'right-to-left', endedAt: new Date(Date.parse(before.endedAt) + 4000).toISOString(), zones: ['gate'] })).toEqual([
      'count 1 -> 2',
      'direction left-to-right -> right-to-left',
      'ends 4 s later',
      'zones none -> gate',
    ]);
  });

  it('tells in words what went and what came', () => {
    const removed = [event('person', 0, 5), event('person', 10, 15)];
    const report: ReanalysisReport = {
      from: '2026-11-22T10:00:00.000Z',
      to: '2026-11-22T10:05:00.000Z',
      clips: 3,
      clipsFailed: [],
      clipsSkipped: 0,
      settings: { ...defaultCameraAnalysisSettings, classes: ['car'] },
      settingsHash: 'abc123abc123',
      before: countByKindAndLabel([...removed, event('car', 0, 3)]),
      after: { 'object car': 1 },
      added: [],
      removed,
      changed: [],
      unchanged: 1,
    };
    const text = reportText(report, 'Gate');
    expect(text).toContain('Re-analysed Gate from 2026-11-22 10:00 to 2026-11-22 10:05 UTC: 3 clips');
    expect(text).toContain('Before: 3 events (2 person, 1 car). After: 1 (1 car).');
    expect(text).toContain('Removed 2 (2 person), added 0, changed 0, unchanged 1.');
  });
});
