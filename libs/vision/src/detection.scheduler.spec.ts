import { describe, expect, it } from 'vitest';
import { DetectionScheduler } from './detection.scheduler.js';

const quiet = { regions: [], warmingUp: false, globalChange: false };
const person = { label: 'person', confidence: 0.8, box: { x: 100, y: 100, width: 30, height: 80 } };
const car = { label: 'car', confidence: 0.8, box: { x: 300, y: 20, width: 80, height: 50 } };

describe('DetectionScheduler', () => {
  it('looks at the whole frame first, then every idleDetectEverySec when nothing moves', () => {
    const scheduler = new DetectionScheduler({ idleDetectEverySec: 5 });
    expect(scheduler.plan(0, { ...quiet, warmingUp: true })).toEqual({ kind: 'whole' });
    scheduler.record(0, null, []);
    expect(scheduler.plan(2, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(5, quiet)).toEqual({ kind: 'whole' });
  });

  it('looks at new motion soon, at known moving objects less often', () => {
    const scheduler = new DetectionScheduler({ detectEverySec: 0.4, trackEverySec: 0.8 });
    scheduler.record(0, null, []);
    const motion = { ...quiet, regions: [{ x: 100, y: 110, width: 20, height: 60 }] };
    expect(scheduler.plan(0.2, motion)).toEqual({ kind: 'none' });
    const step = scheduler.plan(0.4, motion);
    expect(step.kind).toBe('areas');
    scheduler.record(0.4, [{ x: 60, y: 60, width: 128, height: 128 }], [person]);
    const moved = { ...quiet, regions: [{ x: 108, y: 110, width: 20, height: 60 }] };
    // seen once: how fast it goes is not known yet, so it is looked at again a little sooner (0.6 s)
    expect(scheduler.plan(0.8, moved)).toEqual({ kind: 'none' });
    expect(scheduler.plan(1.0, moved).kind).toBe('areas');
    scheduler.record(1.0, [{ x: 60, y: 60, width: 128, height: 128 }], [person]);
    // it walks slowly (less than 0.6 of its size in 0.8 s): every trackEverySec is enough
    expect(scheduler.plan(1.6, moved)).toEqual({ kind: 'none' });
    const due = scheduler.plan(1.8, moved);
    expect(due.kind).toBe('areas');
    // the area grows to the person's box: motion is often only part of the object
    if (due.kind === 'areas') expect(due.areas[0]).toMatchObject({ x: 100, y: 100, width: 30, height: 80 });
  });

  it('looks at a fast object (a car close by) as often as new motion, so the tracker can follow it', () => {
    const scheduler = new DetectionScheduler({ detectEverySec: 0.4, trackEverySec: 0.8, idleDetectEverySec: 100 });
    const carAt = (x: number) => ({ label: 'car', confidence: 0.9, box: { x, y: 100, width: 60, height: 40 } });
    scheduler.record(0, null, [carAt(0)]);
    scheduler.record(0.4, null, [carAt(40)]); // 40 px in 0.4 s: 1.7 sizes per second
    const motion = { ...quiet, regions: [{ x: 70, y: 100, width: 60, height: 40 }] };
    expect(scheduler.plan(0.8, motion).kind).toBe('areas');
  });

  it('does not hurry back to motion it looked at and found nothing in', () => {
    const scheduler = new DetectionScheduler({ detectEverySec: 0.4, trackEverySec: 0.8, idleDetectEverySec: 100 });
    const shadow = { ...quiet, regions: [{ x: 10, y: 10, width: 40, height: 40 }] };
    scheduler.plan(0, { ...shadow, warmingUp: true });
    scheduler.record(0, null, []);
    expect(scheduler.plan(0.4, shadow)).toEqual({ kind: 'none' });
    expect(scheduler.plan(0.8, shadow).kind).toBe('areas');
  });

  it('rechecks objects that stopped moving, so their tracks stay alive', () => {
    const scheduler = new DetectionScheduler({ recheckStillEverySec: 1.5, idleDetectEverySec: 100 });
    scheduler.record(0, null, [car]);
    expect(scheduler.plan(1, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(1.5, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    scheduler.record(1.5, [{ x: 280, y: 0, width: 128, height: 128 }], []); // looked, not found: the detector may have missed it
    expect(scheduler.knownObjects).toHaveLength(1);
    expect(scheduler.plan(3.0, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    scheduler.record(3.1, [{ x: 280, y: 0, width: 128, height: 128 }], []); // still not there after 3 s: gone
    expect(scheduler.knownObjects).toEqual([]);
  });

  it('waits longer and longer for an object that keeps standing still, and looks soon once something moves over it', () => {
    const scheduler = new DetectionScheduler({ recheckStillEverySec: 1.5, maxRecheckStillEverySec: 12, idleDetectEverySec: 100, quietIdleDetectEverySec: 100 });
    const looks: number[] = [];
    for (let tenth = 0; tenth <= 400; tenth++) {
      const sec = tenth / 10;
      const step = sec === 0 ? { kind: 'whole' as const } : scheduler.plan(sec, quiet);
      if (step.kind === 'none') continue;
      looks.push(sec);
      scheduler.record(sec, step.kind === 'whole' ? null : step.areas, [car]);
    }
    // found three times in the same place, then the wait doubles up to 12 s
    expect(looks).toEqual([0, 1.5, 3, 4.5, 7.5, 13.5, 25.5, 37.5]);
    expect(scheduler.knownObjects).toHaveLength(1);
    // the car drives off: motion over it is looked at within trackEverySec, not 12 s later
    const leaving = { ...quiet, regions: [{ x: 310, y: 20, width: 80, height: 50 }] };
    expect(scheduler.plan(38.0, leaving)).toEqual({ kind: 'none' });
    expect(scheduler.plan(38.3, leaving).kind).toBe('areas');
  });

  it('forgets an object that was looked at rarely only after it is missed again soon after', () => {
    const scheduler = new DetectionScheduler({ recheckStillEverySec: 1.5, maxRecheckStillEverySec: 12, idleDetectEverySec: 100, quietIdleDetectEverySec: 100 });
    for (const sec of [0, 1.5, 3, 4.5, 7.5, 13.5]) scheduler.record(sec, null, [car]);
    // next look due 12 s later; the detector misses the car there once: it is kept and looked at again 1.5 s later
    expect(scheduler.plan(25, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(25.5, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    scheduler.record(25.5, [{ x: 280, y: 0, width: 128, height: 128 }], []);
    expect(scheduler.knownObjects).toHaveLength(1);
    expect(scheduler.plan(26.5, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(27, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    scheduler.record(27, [{ x: 280, y: 0, width: 128, height: 128 }], []);
    expect(scheduler.knownObjects).toHaveLength(1);
    scheduler.record(28.5, [{ x: 280, y: 0, width: 128, height: 128 }], []);
    expect(scheduler.knownObjects).toEqual([]);
  });

  it('goes back to the long wait for a car the detector missed once and then found where it stood', () => {
    const scheduler = new DetectionScheduler({ recheckStillEverySec: 1.5, maxRecheckStillEverySec: 12, idleDetectEverySec: 100, quietIdleDetectEverySec: 100 });
    for (const sec of [0, 1.5, 3, 4.5, 7.5, 13.5]) scheduler.record(sec, null, [car]);
    expect(scheduler.plan(25.5, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    scheduler.record(25.5, [{ x: 280, y: 0, width: 128, height: 128 }], []);
    // missed: looked at again soon
    expect(scheduler.plan(27, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    scheduler.record(27, [{ x: 280, y: 0, width: 128, height: 128 }], [car]);
    // found where it stood: its sightings go on counting, the next look is 12 s later (not 1.5 s, as for a car just parked)
    expect(scheduler.plan(28.5, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(38.9, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(39, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    // the schedule carried to the next clip keeps the count and the miss
    const carried = new DetectionScheduler({ recheckStillEverySec: 1.5, maxRecheckStillEverySec: 12, idleDetectEverySec: 100, quietIdleDetectEverySec: 100, carryIn: { state: JSON.parse(JSON.stringify(scheduler.state())), offsetSec: 30 } });
    expect(carried.plan(8.9, quiet)).toEqual({ kind: 'none' });
    expect(carried.plan(9, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
  });

  it('a car missed where it stood, then found after something moved over it, starts counting again', () => {
    const scheduler = new DetectionScheduler({ recheckStillEverySec: 1.5, maxRecheckStillEverySec: 12, idleDetectEverySec: 100, quietIdleDetectEverySec: 100 });
    for (const sec of [0, 1.5, 3, 4.5, 7.5, 13.5]) scheduler.record(sec, null, [car]);
    scheduler.record(25.5, [{ x: 280, y: 0, width: 128, height: 128 }], []);
    scheduler.plan(26.5, { ...quiet, regions: [{ x: 320, y: 30, width: 20, height: 20 }] });
    scheduler.record(27, [{ x: 280, y: 0, width: 128, height: 128 }], [car]);
    expect(scheduler.plan(28.4, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(28.5, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
  });

  it('does not back off from an object that moves between sightings', () => {
    const scheduler = new DetectionScheduler({ recheckStillEverySec: 1.5, idleDetectEverySec: 100, quietIdleDetectEverySec: 100 });
    const at = (x: number) => ({ ...person, box: { ...person.box, x } });
    scheduler.record(0, null, [at(100)]);
    for (const sec of [1.5, 3, 4.5, 6]) {
      // a little motion over it before every sighting (it shifts its weight, turns)
      scheduler.plan(sec - 0.2, { ...quiet, regions: [{ x: 100, y: 100, width: 10, height: 10 }] });
      scheduler.record(sec, null, [at(100)]);
    }
    expect(scheduler.plan(7.4, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(7.5, quiet).kind).toBe('areas');
  });

  it('does not back off from a far, slow walker whom the motion detector misses: drifting from where it stood is moving', () => {
    const scheduler = new DetectionScheduler({ recheckStillEverySec: 1.5, idleDetectEverySec: 100, quietIdleDetectEverySec: 100 });
    // 12 px (0.15 of its height) further at every look: never more than half its size from the last sighting
    const at = (x: number) => ({ ...person, box: { ...person.box, x } });
    for (const [index, sec] of [0, 1.5, 3, 4.5, 6, 7.5].entries()) scheduler.record(sec, null, [at(100 + 12 * index)]);
    expect(scheduler.plan(8.9, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(9, quiet).kind).toBe('areas');
  });

  it('looks at a motionless picture as a whole every quietIdleDetectEverySec, and every idleDetectEverySec after motion', () => {
    const scheduler = new DetectionScheduler({ idleDetectEverySec: 5, quietIdleDetectEverySec: 15 });
    expect(scheduler.plan(0, { ...quiet, warmingUp: true })).toEqual({ kind: 'whole' });
    scheduler.record(0, null, []);
    expect(scheduler.plan(5, quiet)).toEqual({ kind: 'whole' }); // the picture was settling after the last look
    scheduler.record(5, null, []);
    expect(scheduler.plan(10, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(19.8, quiet)).toEqual({ kind: 'none' });
    expect(scheduler.plan(20, quiet)).toEqual({ kind: 'whole' });
    scheduler.record(20, null, []);
    const shadow = { ...quiet, regions: [{ x: 10, y: 10, width: 40, height: 40 }] };
    scheduler.plan(21, shadow);
    scheduler.record(21, [{ x: 0, y: 0, width: 128, height: 128 }], []);
    expect(scheduler.plan(25, quiet)).toEqual({ kind: 'whole' });
  });

  it("goes on from the previous clip's schedule, its times moved to the new clip", () => {
    const first = new DetectionScheduler({ recheckStillEverySec: 1.5, idleDetectEverySec: 5, quietIdleDetectEverySec: 15 });
    first.plan(0, { ...quiet, warmingUp: true });
    for (const sec of [0, 1.5, 3, 4.5]) first.record(sec, sec === 0 ? null : [{ x: 280, y: 0, width: 128, height: 128 }], [car]);
    const state = JSON.parse(JSON.stringify(first.state()));
    // the next clip starts right after this one (5 s long): no whole-frame look at its start, the car is known
    const next = new DetectionScheduler({ recheckStillEverySec: 1.5, idleDetectEverySec: 5, quietIdleDetectEverySec: 15, carryIn: { state, offsetSec: 5 } });
    // the car is known from the start of the next clip
    expect(next.knownObjects).toEqual([{ ...next.knownObjects[0], label: 'car', box: car.box }]);
    // the first clip's whole-frame look was 5 s ago, while the picture was settling: look at the whole frame again
    expect(next.plan(0, quiet)).toEqual({ kind: 'whole' });
    next.record(0, null, [car]);
    // found five times in the same place: the next look is 6 s later
    expect(next.plan(5.9, quiet)).toEqual({ kind: 'none' });
    expect(next.plan(6, quiet)).toEqual({ kind: 'areas', areas: [car.box] });
    next.record(6, [{ x: 280, y: 0, width: 128, height: 128 }], [car]);
    // nothing moved since: the whole frame is looked at again 15 s later
    expect(next.plan(14.9, quiet).kind).not.toBe('whole');
    expect(next.plan(15, quiet)).toEqual({ kind: 'whole' });
    // a state taken before any look goes on as a fresh start
    const fresh = new DetectionScheduler({ carryIn: { state: new DetectionScheduler().state(), offsetSec: 5 } });
    expect(fresh.plan(0, quiet)).toEqual({ kind: 'whole' });
  });

  it('starts afresh from a carried schedule that does not read as one', () => {
    for (const state of [null, 'x', { known: 'x' }, { lastRunSec: 'soon', lastWholeSec: null, lastMotionSec: null, lookedRegions: [], known: [] }]) {
      const scheduler = new DetectionScheduler({ carryIn: { state: state as never, offsetSec: 5 } });
      expect(scheduler.knownObjects).toEqual([]);
      expect(scheduler.plan(0, quiet)).toEqual({ kind: 'whole' });
    }
  });
});
