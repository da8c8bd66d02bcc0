import type { Detection } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { SceneTracker, type SceneObjectsState } from './scene.tracker.js';

/** A person 40x80 px walking right at `speed` px/s, seen every 0.2 s from `fromSec` to `toSec` of a clip. */
function walk(scene: SceneTracker, fromSec: number, toSec: number, startX: number, speed = 50): void {
  for (let sec = fromSec; sec <= toSec + 1e-9; sec += 0.2) {
    const detection: Detection = { label: 'person', confidence: 0.8, box: { x: startX + speed * (sec - fromSec), y: 100, width: 40, height: 80 } };
    scene.update(Number(sec.toFixed(3)), [detection]);
  }
}

describe('SceneTracker across clips', () => {
  it('keeps a person who walks across the boundary of two 5 s clips as one track and one event', () => {
    const first = new SceneTracker();
    walk(first, 2, 4.8, 0); // frames at 5 fps: the last one of a 5 s clip is at 4.8 s
    const one = first.finish([], 5);
    expect(one.events).toHaveLength(1);
    expect(one.events[0]).toMatchObject({ label: 'person', count: 1, open: true, continued: false, startSec: 2 });
    const state = JSON.parse(JSON.stringify(one.state)) as SceneObjectsState; // it is stored as JSON between workers

    const second = new SceneTracker({ carryIn: { state, offsetSec: 5 } });
    walk(second, 0, 2.6, 150); // gone 2.4 s before the clip ends: the event is over
    const two = second.finish([], 5);
    expect(two.events).toHaveLength(1);
    expect(two.events[0]).toMatchObject({ key: one.events[0].key, continued: true, open: false, count: 1, direction: 'left-to-right' });
    // it began 3 s before the second clip and ended 2.6 s into it
    expect(two.events[0].startSec).toBeCloseTo(-3, 3);
    expect(two.events[0].endSec).toBeCloseTo(2.6, 3);
    expect(two.tracks.map((track) => track.id)).toEqual([one.tracks[0].id]);
    expect(two.state.openEvents).toEqual([]);
  });

  it('starts a new event for someone who arrives after the previous clip ended', () => {
    const first = new SceneTracker();
    walk(first, 0, 2, 0);
    const one = first.finish([], 5);
    expect(one.events[0].open).toBe(false);

    const second = new SceneTracker({ carryIn: { state: one.state, offsetSec: 5 } });
    walk(second, 1, 4, 300);
    const two = second.finish([], 5);
    expect(two.events).toHaveLength(1);
    expect(two.events[0].continued).toBe(false);
    expect(two.events[0].key).not.toBe(one.events[0].key);
    expect(two.tracks[0].id).toBeGreaterThan(one.tracks[0].id);
    // one scene: keys of both clips share its id
    expect(two.events[0].key.split(':')[0]).toBe(one.events[0].key.split(':')[0]);
  });

  it('gives independent clips keys that cannot collide', () => {
    const a = new SceneTracker();
    walk(a, 0, 3, 0);
    const b = new SceneTracker();
    walk(b, 0, 3, 0);
    expect(a.finish([], 5).events[0].key).not.toBe(b.finish([], 5).events[0].key);
  });
});
