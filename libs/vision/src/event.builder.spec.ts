import type { Track } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { EventBuilder, pathDirection } from './event.builder.js';

let nextId = 1;
function track(label: string, fromSec: number, toSec: number, fromX: number, toX: number, options: Partial<Track> = {}): Track {
  const path: Track['path'] = [];
  for (let sec = fromSec; sec <= toSec + 1e-9; sec += 0.4) {
    const t = (sec - fromSec) / Math.max(0.001, toSec - fromSec);
    path.push({ sec, cx: Math.round(fromX + (toX - fromX) * t), cy: 100 });
  }
  return {
    id: nextId++,
    label,
    firstSec: fromSec,
    lastSec: path[path.length - 1].sec,
    bestConfidence: 0.6,
    bestSec: fromSec,
    bestBox: { x: fromX, y: 80, width: 20, height: 40 },
    path,
    stationary: false,
    speedPxPerSec: Math.abs(toX - fromX) / Math.max(0.001, toSec - fromSec),
    zones: [],
    ...options,
  };
}

describe('pathDirection', () => {
  const path = (points: [number, number][]) => points.map(([cx, cy], i) => ({ sec: i, cx, cy }));
  it('uses the dominant axis of travel', () => {
    expect(pathDirection(path([[100, 100], [150, 110], [200, 120]]), 10)).toBe('left-to-right');
    expect(pathDirection(path([[200, 100], [100, 100]]), 10)).toBe('right-to-left');
    expect(pathDirection(path([[100, 100], [105, 200]]), 10)).toBe('top-to-bottom');
    expect(pathDirection(path([[100, 200], [105, 100]]), 10)).toBe('bottom-to-top');
    expect(pathDirection(path([[100, 100], [103, 102]]), 10)).toBe('none');
    expect(pathDirection(path([[100, 100]]), 10)).toBe('none');
  });
});

describe('EventBuilder', () => {
  const builder = new EventBuilder();

  it('merges people walking the same way at the same time into one counted event', () => {
    const a = track('person', 2, 8, 400, 100, { bestConfidence: 0.7, bestSec: 5, bestBox: { x: 250, y: 80, width: 20, height: 40 } });
    const b = track('person', 4, 10, 420, 120, { bestConfidence: 0.5 });
    const [event, ...rest] = builder.build([a, b]);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      kind: 'object',
      label: 'person',
      count: 2,
      direction: 'right-to-left',
      confidence: 0.7,
      bestSec: 5,
      bestBox: { x: 250, y: 80, width: 20, height: 40 },
      trackIds: [a.id, b.id],
      summary: { en: '2 people walked from right to left', pl: '2 osoby przeszły z prawej do lewej' },
    });
    expect(event.startSec).toBe(2);
    expect(event.endSec).toBeCloseTo(10, 1);
  });

  it('keeps separate events for other labels, other directions and later times', () => {
    const events = builder.build([
      track('person', 0, 5, 100, 400),
      track('person', 1, 6, 400, 100),
      track('car', 2, 4, 0, 500),
      track('person', 20, 25, 100, 400),
    ]);
    expect(events.map((event) => `${event.startSec} ${event.label} ${event.direction} ${event.count}`)).toEqual([
      '0 person left-to-right 1',
      '1 person right-to-left 1',
      '2 car left-to-right 1',
      '20 person left-to-right 1',
    ]);
    expect(events[2].summary.en).toBe('A car drove from left to right');
  });

  it('does not announce parked cars, and drops short or sparse tracks as noise', () => {
    const parked = track('car', 0, 60, 300, 302, { stationary: true });
    const blip = track('person', 10, 10.4, 100, 140);
    const sparse = { ...track('person', 10, 20, 100, 300), path: [{ sec: 10, cx: 100, cy: 100 }, { sec: 20, cx: 300, cy: 100 }] };
    expect(builder.build([parked, blip, sparse])).toEqual([]);
    expect(builder.isEventTrack(parked)).toBe(false);
  });

  it('reports motion no object explains, only when asked', () => {
    const motion = [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 30, 30.2].map((sec) => ({ sec, score: sec === 0.6 ? 0.8 : 0.3, box: { x: 1, y: 2, width: 3, height: 4 } }));
    expect(builder.build([], motion)).toEqual([]);
    const withMotion = new EventBuilder({ motionEvents: true }).build([], motion);
    expect(withMotion).toHaveLength(1); // the 0.2 s blip at 30 s is too short
    expect(withMotion[0]).toMatchObject({ kind: 'motion', label: 'motion', startSec: 0, endSec: 1.2, confidence: 0.8, bestSec: 0.6, trackIds: [] });
    const explained = new EventBuilder({ motionEvents: true }).build([track('person', 0, 3, 100, 400)], motion);
    expect(explained.map((event) => event.kind)).toEqual(['object']);
  });
});
