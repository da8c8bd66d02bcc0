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
});
