import type { AnalysedEvent, Zone } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { displacementDirection, motionSpan, pathDirection } from './event.builder.js';
import { runScenario, type ScenarioObject } from './scene-scenario.testing.js';

const person = (keyframes: ScenarioObject['keyframes'], extra: Partial<ScenarioObject> = {}): ScenarioObject => ({ label: 'person', width: 20, height: 50, keyframes, ...extra });
const car = (keyframes: ScenarioObject['keyframes'], extra: Partial<ScenarioObject> = {}): ScenarioObject => ({ label: 'car', width: 60, height: 30, jitter: 1, keyframes, ...extra });

/** Events of a scene analysed as one clip. */
function eventsOf(objects: ScenarioObject[], totalSec: number, zones: Zone[] = [], motionEvents = false): AnalysedEvent[] {
  return runScenario(objects, { totalSec, scene: { zones, frameWidth: 500, frameHeight: 400, events: { motionEvents } } })[0].events;
}
const line = (event: AnalysedEvent) => `${event.startSec}-${event.endSec} ${event.kind} ${event.count} ${event.summary.en}`;

describe('motionSpan', () => {
  const box = { x: 10, y: 10, width: 5, height: 5 };
  it('is the first and last frame with a moving region, in seconds rounded to the millisecond', () => {
    const samples = [0, 1, 2, 3, 4, 5].map((index) => ({ sec: index * 0.2, score: index === 1 || index === 3 ? 0.4 : 0, box: index === 1 || index === 3 ? box : null }));
    expect(motionSpan(samples)).toEqual({ firstSec: 0.2, lastSec: 0.6 });
  });

  it('is null both ways when nothing moved, or for a clip without frames', () => {
    expect(motionSpan([{ sec: 0, score: 0, box: null }, { sec: 0.2, score: 0, box: null }])).toEqual({ firstSec: null, lastSec: null });
    expect(motionSpan([])).toEqual({ firstSec: null, lastSec: null });
  });
});

describe('pathDirection', () => {
  const path = (points: [number, number][]) => points.map(([cx, cy], i) => ({ sec: i, cx, cy }));
  it('uses the dominant axis of travel', () => {
    expect(pathDirection(path([[100, 100], [150, 110], [200, 120]]), 10)).toBe('left-to-right');
    expect(pathDirection(path([[200, 100], [100, 100]]), 10)).toBe('right-to-left');
    expect(pathDirection(path([[100, 100], [105, 200]]), 10)).toBe('top-to-bottom');
    expect(pathDirection(path([[100, 200], [105, 100]]), 10)).toBe('bottom-to-top');
    expect(pathDirection(path([[100, 100], [103, 102]]), 10)).toBe('none');
    expect(pathDirection(path([[100, 100]]), 10)).toBe('none');
    expect(displacementDirection(-30, 5, 10)).toBe('right-to-left');
  });
});

describe('EventBuilder: what a person would call one event', () => {
  it('counts two people walking side by side as one event', () => {
    const events = eventsOf([person([[1, 400, 100], [9, 80, 100]]), person([[1, 430, 110], [9, 110, 110]])], 10);
    expect(events.map(line)).toEqual(['1.2-8.8 object 2 2 people walked from right to left']);
    expect(events[0]).toMatchObject({ direction: 'right-to-left', trackIds: [1, 2], activity: 'passed', summary: { pl: '2 osoby przeszły z prawej do lewej' } });
    expect(events[0].speedPxPerSec).toBeCloseTo(40, 0);
  });

  it('keeps passers-by on the same path a few seconds apart as separate events (no chain)', () => {
    const walkers = [0, 4, 8, 12].map((start) => person([[start, 450, 100], [start + 8, 50, 100]]));
    const events = eventsOf(walkers, 21);
    expect(events.map((event) => `${event.startSec} ${event.count} ${event.direction}`)).toEqual([
      '0 1 right-to-left',
      '4 1 right-to-left',
      '8 1 right-to-left',
      '12 1 right-to-left',
    ]);
  });

  it('does not group someone walking past a person who stands there, nor announce the one standing', () => {
    const standing = person([[0, 250, 100], [20, 250, 100]], { jitter: 1 });
    const passing = person([[5, 450, 110], [13, 50, 110]]);
    const events = eventsOf([standing, passing], 20);
    expect(events.map(line)).toEqual(['5.2-12.8 object 1 A person walked from right to left']);
  });

  it('says when the object stopped a while on its way', () => {
    const events = eventsOf([person([[0, 450, 100], [4, 290, 100], [24, 290, 100], [28, 130, 100]])], 30);
    expect(events).toHaveLength(1);
    expect(events[0].summary).toEqual({
      en: 'A person walked from right to left and stayed 20 s',
      pl: 'Osoba przeszła z prawej do lewej i została tam przez 20 s',
    });
    expect(events[0].dwellSec).toBeCloseTo(28, 0);
  });

  it('gives no direction to someone walking back and forth', () => {
    const events = eventsOf([person([[0, 100, 100], [6, 340, 100], [12, 100, 110], [18, 340, 100], [24, 120, 100]])], 25);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ direction: 'none', summary: { en: 'A person was moving around for 24 s', pl: 'Osoba poruszała się w kadrze przez 24 s' } });
  });

  it('never announces a car parked before the scene began', () => {
    expect(eventsOf([car([[0, 300, 50], [60, 300, 50]])], 60)).toEqual([]);
  });

  it('ends a vehicle\'s drive when it came to rest, also before it counts as parked', () => {
    // drives in from the left, stops at 5 s; the clip ends at 10 s (parking takes 10 s of rest)
    const [event] = eventsOf([car([[1, 0, 200], [5, 240, 200], [10, 240, 200]])], 10);
    expect(event).toMatchObject({ label: 'car', direction: 'left-to-right', open: true });
    expect(event.endSec).toBeGreaterThanOrEqual(4.5);
    expect(event.endSec).toBeLessThanOrEqual(6); // the detector looks every 0.4 s; where it rests is the median of its last boxes
    // a person who stops stays in the event ("stayed")
    const [standing] = eventsOf([person([[1, 0, 200], [5, 240, 200], [10, 240, 200]])], 10);
    expect(standing.endSec).toBeGreaterThanOrEqual(9.5);
  });

  it('announces a car that drives in and parks once, and says when it drives off again', () => {
    const arriving = car([[2, 0, 200], [6, 240, 200], [60, 240, 200], [64, 480, 200]], { jitter: 1 });
    const clips = runScenario([arriving], { totalSec: 70, clipSec: 5 });
    const announced = clips.flatMap((clip) => clip.events.map((event) => ({ ...event, clipStartSec: clip.clipStartSec })));
    const keys = [...new Set(announced.map((event) => event.key))];
    expect(keys).toHaveLength(2);
    const arrival = announced.filter((event) => event.key === keys[0]);
    // first seen driving (clip 0), then known to have parked (clip 15): one event, updated
    expect(arrival.map((event) => `${event.clipStartSec} ${event.continued} ${event.open} ${event.activity}`)).toEqual(['0 false true passed', '5 true true passed', '10 true true passed', '15 true false arrived']);
    expect(arrival.at(-1)?.summary).toEqual({ en: 'A car drove in from the left and parked', pl: 'Samochód wjechał z lewej strony i zaparkował' });
    const leaving = announced.filter((event) => event.key === keys[1]);
    expect(leaving[0]).toMatchObject({ activity: 'left', continued: false, direction: 'left-to-right', clipStartSec: 60 });
    expect(leaving[0].summary).toEqual({ en: 'A parked car drove off to the right after 54 s', pl: 'Zaparkowany samochód odjechał w prawą stronę po 54 s' });
  });
});

describe('EventBuilder: zones', () => {
  const parking: Zone = { name: 'parking', polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]], loiterSec: null };
  const gate: Zone = { name: 'gate', polygon: [[0.4, 0], [0.6, 0], [0.6, 1], [0.4, 1]], loiterSec: null };

  it('says which zone the objects went into, came out of or crossed', () => {
    const into = eventsOf([person([[0, 20, 100], [8, 340, 100]])], 9, [parking]);
    expect(into[0]).toMatchObject({ zones: ['parking'], summary: { en: 'A person walked from the left into the parking zone', pl: 'Osoba weszła z lewej strony do strefy „parking”' } });
    const out = eventsOf([person([[0, 340, 100], [8, 20, 100]])], 9, [parking]);
    expect(out[0].summary).toEqual({ en: 'A person walked out of the parking zone to the left', pl: 'Osoba wyszła ze strefy „parking” w lewą stronę' });
    const through = eventsOf([person([[0, 20, 100], [10, 460, 100]])], 11, [gate]);
    expect(through[0].summary).toEqual({ en: 'A person walked from left to right through the gate zone', pl: 'Osoba przeszła z lewej do prawej przez strefę „gate”' });
  });

  it('reports loitering once per object and zone visit, with the time in the zone', () => {
    const waiting: Zone = { ...gate, loiterSec: 20 };
    const stays = person([[0, 20, 100], [4, 190, 100], [40, 190, 100], [44, 20, 100]], { jitter: 1 });
    const events = eventsOf([stays], 46, [waiting]);
    const loitering = events.filter((event) => event.kind === 'loitering');
    expect(loitering).toHaveLength(1);
    expect(loitering[0]).toMatchObject({ label: 'person', count: 1, zones: ['gate'], open: false, activity: 'loitered' });
    expect(loitering[0].dwellSec).toBeGreaterThan(34);
    expect(loitering[0].summary).toEqual({ en: 'A person stayed in the gate zone for 36 s', pl: 'Osoba przebywała w strefie „gate” przez 36 s' });
  });

  it('does not call a car parked before the scene began loitering', () => {
    const events = eventsOf([car([[0, 220, 100], [60, 220, 100]])], 60, [{ ...gate, loiterSec: 10 }]);
    expect(events).toEqual([]);
  });

  it('ignores motion and objects standing in a mask, and names the zone of motion no object explains', () => {
    const garden: Zone = { name: 'garden', polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]], loiterSec: null };
    const motion = (_: number) => [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4].map((sec) => ({ sec, score: 0.4, box: { x: 50, y: 50, width: 40, height: 40 } }));
    const [event] = runScenario([], { totalSec: 5, motion, scene: { zones: [garden], frameWidth: 500, frameHeight: 400, events: { motionEvents: true } } })[0].events;
    expect(event).toMatchObject({ kind: 'motion', zones: ['garden'], summary: { en: 'Motion in the garden zone, no object recognised', pl: 'Ruch w strefie „garden”, bez rozpoznanego obiektu' } });
    const masked = runScenario([person([[0, 20, 100], [8, 340, 100]])], {
      totalSec: 9,
      motion,
      scene: { masks: [[[0, 0], [1, 0], [1, 1], [0, 1]]], frameWidth: 500, frameHeight: 400, events: { motionEvents: true } },
    })[0];
    expect(masked.events).toEqual([]);
    expect(masked.tracks).toEqual([]);
  });
});
