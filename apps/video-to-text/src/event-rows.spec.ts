import { describe, expect, it } from 'vitest';
import type { AnalysedEvent } from '@cameramonit/contracts';
import { betterMomentHere, continuedEventChanges, newEventRow, parseZones } from './event-rows.js';

const event = (over: Partial<AnalysedEvent> = {}): AnalysedEvent => ({
  kind: 'object',
  label: 'person',
  count: 1,
  startSec: 2,
  endSec: 4.5,
  confidence: 0.7,
  direction: 'left-to-right',
  bestSec: 3,
  bestBox: { x: 1, y: 2, width: 30, height: 60 },
  trackIds: [1],
  summary: { en: 'A person walked from the left to the right.', pl: 'Osoba przeszła z lewej na prawą.' },
  zones: ['gate'],
  dwellSec: 2.5,
  speedPxPerSec: 40,
  key: 'scene-1:track-1',
  continued: false,
  open: true,
  ...over,
});
const first = { id: 'clip-1', cameraId: 'cam', startedAt: new Date('2026-11-22T10:00:00.000Z') };
const second = { id: 'clip-2', cameraId: 'cam', startedAt: new Date('2026-11-22T10:00:05.000Z') };

describe('event rows', () => {
  it('places a new event in wall-clock time from its clip start, with its key, zones, dwell and speed', () => {
    const row = newEventRow(event(), first, { snapshotPath: 's.jpg', animationPath: 'a.gif' });
    expect(row.startedAt.toISOString()).toBe('2026-11-22T10:00:02.000Z');
    expect(row.endedAt.toISOString()).toBe('2026-11-22T10:00:04.500Z');
    expect(row).toMatchObject({ clipId: 'clip-1', sceneKey: 'scene-1:track-1', dwellSec: 2.5, speedPxPerSec: 40, silent: false, snapshotPath: 's.jpg' });
    expect(parseZones(row.zones)).toEqual(['gate']);
  });

  it('extends an event that goes on in the next clip, keeping its start, first clip offsets and main zone', () => {
    const stored = newEventRow(event(), first, { snapshotPath: 's.jpg', animationPath: 'a.gif' });
    // the engine reports the continued event from its start in the previous clip (negative offset)
    const next = event({ continued: true, startSec: -3, endSec: 2, count: 2, confidence: 0.6, zones: ['street', 'gate'], dwellSec: 5, summary: { en: '2 people walked', pl: '2 osoby przeszły' }, bestSec: 1 });
    const changes = continuedEventChanges(stored, next, second, null);
    expect(changes.startedAt?.toISOString()).toBe('2026-11-22T10:00:02.000Z');
    expect(changes.endedAt?.toISOString()).toBe('2026-11-22T10:00:07.000Z');
    expect(changes.startSec).toBe(2);
    expect(changes.endSec).toBe(7);
    expect(changes.count).toBe(2);
    expect(changes.confidence).toBe(0.7);
    expect(changes.summary).toBe('2 people walked');
    expect(parseZones(changes.zones ?? null)).toEqual(['gate', 'street']);
    expect(changes.dwellSec).toBe(5);
    expect(changes).not.toHaveProperty('snapshotPath');
  });

  it('takes a new snapshot only when the best moment is in this clip and better', () => {
    const stored = { confidence: 0.7 };
    expect(betterMomentHere(stored, event({ confidence: 0.8, bestSec: 1 }))).toBe(true);
    expect(betterMomentHere(stored, event({ confidence: 0.6, bestSec: 1 }))).toBe(false);
    // a hair better is not worth new pictures
    expect(betterMomentHere(stored, event({ confidence: stored.confidence + 0.02, bestSec: 1 }))).toBe(false);
    expect(betterMomentHere(stored, event({ confidence: stored.confidence + 0.05, bestSec: 1 }))).toBe(true);
    expect(betterMomentHere(stored, event({ confidence: 0.9, bestSec: -1 }))).toBe(false);
    const changes = continuedEventChanges(newEventRow(event(), first, null), event({ continued: true }), second, { snapshotPath: 'n.jpg', animationPath: 'n.gif' });
    expect(changes).toMatchObject({ snapshotPath: 'n.jpg', animationPath: 'n.gif' });
  });

  it('keeps the direction it had when the next clip saw none', () => {
    const stored = newEventRow(event(), first, null);
    expect(continuedEventChanges(stored, event({ direction: 'none', continued: true }), second, null).direction).toBe('left-to-right');
  });
});
