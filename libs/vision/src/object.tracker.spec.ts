import type { Detection } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { ObjectTracker } from './object.tracker.js';

const person = (x: number, y: number, confidence = 0.6): Detection => ({ label: 'person', confidence, box: { x, y, width: 20, height: 50 } });
const car = (x: number, y: number, confidence = 0.5): Detection => ({ label: 'car', confidence, box: { x, y, width: 60, height: 30 } });

describe('ObjectTracker', () => {
  it('follows a walking person as one moving track with its best detection', () => {
    const tracker = new ObjectTracker();
    for (let i = 0; i <= 10; i++) tracker.update(i * 0.4, [person(400 - i * 8, 100, i === 6 ? 0.9 : 0.6)]);
    const [track] = tracker.finish();
    expect(tracker.finish()).toHaveLength(1);
    expect(track).toMatchObject({ id: 1, label: 'person', firstSec: 0, lastSec: 4, bestConfidence: 0.9, stationary: false });
    expect(track.bestSec).toBeCloseTo(2.4);
    expect(track.bestBox).toEqual({ x: 352, y: 100, width: 20, height: 50 });
    expect(track.path).toHaveLength(11);
    expect(track.path[0]).toEqual({ sec: 0, cx: 410, cy: 125 });
  });

  it('keeps two people apart, even when they cross', () => {
    const tracker = new ObjectTracker();
    for (let i = 0; i <= 12; i++) tracker.update(i * 0.4, [person(100 + i * 10, 100), person(220 - i * 10, 100)]);
    const tracks = tracker.finish();
    expect(tracks).toHaveLength(2);
    expect(tracks[0].path.at(-1)?.cx).toBeGreaterThan(tracks[0].path[0].cx);
    expect(tracks[1].path.at(-1)?.cx).toBeLessThan(tracks[1].path[0].cx);
  });

  it('keeps a track through a few missed frames, but not through a long gap', () => {
    const tracker = new ObjectTracker({ maxMissedSec: 2 });
    tracker.update(0, [person(100, 100)]);
    tracker.update(0.4, [person(105, 100)]);
    tracker.update(1.6, [person(120, 100)]); // missed 2 frames
    tracker.update(5, [person(125, 100)]); // 3.4 s later: a new track
    const tracks = tracker.finish();
    expect(tracks.map((track) => track.path.length)).toEqual([3, 1]);
  });

  it('never matches different labels', () => {
    const tracker = new ObjectTracker();
    tracker.update(0, [person(100, 100)]);
    tracker.update(0.4, [{ ...person(100, 100), label: 'dog' }]);
    expect(tracker.finish().map((track) => track.label)).toEqual(['person', 'dog']);
  });

  it('flags a parked car with jittery boxes as stationary', () => {
    const tracker = new ObjectTracker();
    for (let i = 0; i < 50; i++) tracker.update(i * 0.4, [car(300 + (i % 3) - 1, 50 + (i % 2), 0.4 + (i % 5) * 0.01)]);
    const [track] = tracker.finish();
    expect(track.stationary).toBe(true);
    expect(track.path).toHaveLength(50);
  });

  it('does not glue a far detection onto a track', () => {
    const tracker = new ObjectTracker();
    tracker.update(0, [person(100, 100)]);
    tracker.update(0.4, [person(300, 300)]);
    expect(tracker.finish()).toHaveLength(2);
  });
});
