import type { Detection, Zone } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioObject } from './scene-scenario.testing.js';
import { SceneTracker, sceneStateProblem, type SceneObjectsState } from './scene.tracker.js';

/** A person 40x80 px walking right at `speed` px/s, seen every 0.2 s from `fromSec` to `toSec` of a clip. */
function walk(scene: SceneTracker, fromSec: number, toSec: number, startX: number, speed = 50): void {
  for (let sec = fromSec; sec <= toSec + 1e-9; sec += 0.2) {
    const detection: Detection = { label: 'person', confidence: 0.8, box: { x: startX + speed * (sec - fromSec), y: 100, width: 40, height: 80 } };
    scene.update(Number(sec.toFixed(3)), [detection]);
  }
}
const person = (keyframes: ScenarioObject['keyframes'], extra: Partial<ScenarioObject> = {}): ScenarioObject => ({ label: 'person', width: 20, height: 50, keyframes, ...extra });

describe('SceneTracker across clips', () => {
  it('keeps a person who walks across the boundary of two 5 s clips as one track and one event', () => {
    const first = new SceneTracker();
    walk(first, 2, 4.8, 0); // frames at 5 fps: the last one of a 5 s clip is at 4.8 s
    const one = first.finish([], 5);
    expect(one.events).toHaveLength(1);
    expect(one.events[0]).toMatchObject({ label: 'person', count: 1, open: true, continued: false, startSec: 2 });
    const state = JSON.parse(JSON.stringify(one.state)) as SceneObjectsState; // it is stored as JSON between workers

    const second = new SceneTracker({ carryIn: { state, offsetSec: 5 } });
    walk(second, 0, 1.6, 150); // gone 3.4 s before the clip ends: the event is over
    const two = second.finish([], 5);
    expect(two.events).toHaveLength(1);
    expect(two.events[0]).toMatchObject({ key: one.events[0].key, continued: true, open: false, count: 1, direction: 'left-to-right' });
    // it began 3 s before the second clip and ended 1.6 s into it
    expect(two.events[0].startSec).toBeCloseTo(-3, 3);
    expect(two.events[0].endSec).toBeCloseTo(1.6, 3);
    expect(two.tracks.map((track) => track.id)).toEqual([one.tracks[0].id]);
    expect(two.state.openEvents).toEqual([]);
  });

  it('starts a new event for someone who arrives after the previous clip ended', () => {
    const first = new SceneTracker();
    walk(first, 0, 1.8, 0);
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

  it('keeps a person hidden behind a post at the boundary as one track (the lost track is carried)', () => {
    const clips = runScenario([person([[1, 20, 100], [11, 420, 100]], { hidden: [[4.1, 6]] })], { totalSec: 15, clipSec: 5 });
    const keys = new Set(clips.flatMap((clip) => clip.events.map((event) => event.key)));
    expect(keys.size).toBe(1);
    expect(clips.map((clip) => clip.events.map((event) => `${event.continued} ${event.open}`))).toEqual([['false true'], ['true true'], ['true false']]);
    expect(clips[2].events[0].startSec).toBeCloseTo(-8.8, 1);
  });

  it('keeps the full count and the start of a group when one of its members left before the next clip', () => {
    // two people walk together; one turns away and is gone at 4 s, the other goes on into the next clip
    const clips = runScenario(
      [person([[0.4, 450, 100], [4, 306, 100]]), person([[0.4, 480, 110], [8, 176, 110]])],
      { totalSec: 10, clipSec: 5 },
    );
    const [one, two] = clips.map((clip) => clip.events);
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ count: 2, open: true });
    expect(two).toHaveLength(1);
    expect(two[0]).toMatchObject({ key: one[0].key, continued: true, count: 2, trackIds: one[0].trackIds });
    expect(two[0].startSec).toBeCloseTo(-4.6, 1);
    expect(two[0].summary.en).toBe('2 people walked from right to left');
  });

  it('makes one loitering event of a stay that passes the limit in the next clip, and continues it after', () => {
    const gate: Zone = { name: 'gate', polygon: [[0.3, 0], [0.7, 0], [0.7, 1], [0.3, 1]], loiterSec: 6 };
    const waiting = person([[1, 20, 100], [3, 200, 100], [30, 200, 100]], { jitter: 1 });
    const clips = runScenario([waiting], { totalSec: 15, clipSec: 5, scene: { zones: [gate], frameWidth: 500, frameHeight: 400 } });
    const loitering = clips.map((clip) => clip.events.filter((event) => event.kind === 'loitering'));
    expect(loitering[0]).toEqual([]); // 2.6 s in the zone so far
    expect(loitering[1]).toHaveLength(1);
    expect(loitering[2]).toHaveLength(1);
    expect(loitering[2][0]).toMatchObject({ key: loitering[1][0].key, continued: true, open: true, zones: ['gate'] });
    expect(loitering[1][0].continued).toBe(false);
    expect(loitering[2][0].startSec).toBeCloseTo(-7.6, 1);
    expect(loitering[2][0].summary).toEqual({ en: 'A person has been in the gate zone for 12 s', pl: 'Osoba przebywa w strefie „gate” od 12 s' });
  });

  it('never announces a van parked all along, keeps it as one known object and the state small', () => {
    const van: ScenarioObject = { label: 'truck', width: 70, height: 45, jitter: 2, keyframes: [[0, 380, 20], [200, 380, 20]], hidden: [[40, 55]] };
    const clips = runScenario([van], { totalSec: 100, clipSec: 5 });
    expect(clips.flatMap((clip) => clip.events)).toEqual([]);
    expect(new Set(clips.flatMap((clip) => clip.tracks.map((track) => track.id)))).toEqual(new Set([1]));
    expect(Math.max(...clips.map((clip) => clip.stateJson.length))).toBeLessThan(4000);
    expect(clips.at(-1)?.tracks[0]).toMatchObject({ stationary: true, firstSec: -95 });
  });

  it('refuses a state it cannot read and starts a fresh scene', () => {
    const first = new SceneTracker();
    walk(first, 2, 4.8, 0);
    const one = first.finish([], 5);
    const old = { ...one.state, version: 1 } as unknown as SceneObjectsState;
    const second = new SceneTracker({ carryIn: { state: old, offsetSec: 5 } });
    expect(second.carryRefusal).toMatch(/version 1/);
    walk(second, 0, 2, 150);
    const two = second.finish([], 5);
    expect(two.events[0]).toMatchObject({ continued: false, startSec: 0 });
    expect(two.events[0].key.split(':')[0]).not.toBe(one.events[0].key.split(':')[0]);

    expect(sceneStateProblem(one.state)).toBeNull();
    expect(sceneStateProblem(null)).toMatch(/not an object/);
    expect(sceneStateProblem({ ...one.state, tracker: { nextId: 3, tracks: [{ id: 'x' }] } })).toMatch(/malformed track/);
  });
});
