import { describe, expect, it } from 'vitest';
import { LiveClock, liveBoxesAt, pairBoxes, type LiveBoxLike } from '../public/live-motion.js';

const person = (x: number, y = 0.4, width = 0.06, height = 0.3): LiveBoxLike => ({ label: 'person', x, y, width, height });
const car = (x: number): LiveBoxLike => ({ label: 'car', x, y: 0.6, width: 0.2, height: 0.15 });

describe('live boxes that follow the picture (live-motion.js)', () => {
  it('dates the picture shown on the worker clock: from when its fragments came and when the worker messages came', () => {
    const clock = new LiveClock();
    expect(clock.takenAt(1)).toBeNull();
    // this browser's clock is 5 s ahead of the worker's; messages take 20 ms or more
    clock.message(100_000, 105_020);
    clock.message(101_000, 106_090);
    expect(clock.takenAt(1)).toBeNull();
    // 1 s fragments: the first 200 ms late, the second on time (it came 50 ms after the worker's clock said its last picture was over)
    clock.fragment(1, 105_250);
    clock.fragment(2, 105_050);
    // the picture at media time 1.5 s: taken at 105 050 - 2000 + 1500 on this clock, 20 ms less 5 s on the worker's
    expect(clock.takenAt(1.5)).toBe(104_550 - 5020);
    // a new stream: media time starts over, the clocks' difference stays
    clock.reset();
    expect(clock.takenAt(0.5)).toBeNull();
    clock.fragment(1, 110_000);
    expect(clock.takenAt(0.5)).toBe(109_500 - 5020);
  });

  it('pairs each object with the nearest of its kind, not one far away or of another size', () => {
    const from = [person(0.1), person(0.5), car(0.7)];
    const to = [person(0.56), person(0.15), car(0), { ...person(0.9), width: 0.3, height: 0.9 }];
    expect(pairBoxes(from, to).sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('between two key frames, moves each object from where it was to where it went', () => {
    const moments = [
      { takenAtMs: 1000, boxes: [person(0.2), car(0.5)] },
      { takenAtMs: 2000, boxes: [person(0.3), car(0.5)] },
    ];
    const { boxes, current } = liveBoxesAt(moments, 1250);
    expect(current).toBe(true);
    expect(boxes.find((box) => box.label === 'person')?.x).toBeCloseTo(0.225);
    expect(boxes.find((box) => box.label === 'car')?.x).toBeCloseTo(0.5);
  });

  it('shows someone new from half-way to the key frame that first saw them', () => {
    const moments = [
      { takenAtMs: 1000, boxes: [car(0.5)] },
      { takenAtMs: 2000, boxes: [car(0.5), person(0.1, 0.4, 0.04, 0.1)] },
    ];
    expect(liveBoxesAt(moments, 1400).boxes.map((box) => box.label)).toEqual(['car']);
    expect(liveBoxesAt(moments, 1600).boxes.map((box) => box.label)).toEqual(['car', 'person']);
  });

  it('after the newest key frame, moves each object on the way it was going, at most two steps ahead, never out of the picture', () => {
    const moments = [
      { takenAtMs: 1000, boxes: [person(0.2), car(0.5)] },
      { takenAtMs: 2000, boxes: [person(0.3), car(0.5)] },
    ];
    const half = liveBoxesAt(moments, 2500).boxes;
    expect(half.find((box) => box.label === 'person')?.x).toBeCloseTo(0.35);
    expect(half.find((box) => box.label === 'car')?.x).toBeCloseTo(0.5);
    expect(liveBoxesAt(moments, 2500, { holdMs: 5000 }).boxes).toHaveLength(2);
    expect(liveBoxesAt(moments, 4400, { holdMs: 5000 }).boxes.find((box) => box.label === 'person')?.x).toBeCloseTo(0.5);
    // nothing is drawn as "now" long after the newest key frame
    expect(liveBoxesAt(moments, 4600)).toEqual({ boxes: [], current: false });
    const leaving = [
      { takenAtMs: 1000, boxes: [person(0.8)] },
      { takenAtMs: 2000, boxes: [person(0.9)] },
    ];
    const [edge] = liveBoxesAt(leaving, 2300).boxes;
    expect((edge?.x ?? 0) + (edge?.width ?? 0)).toBeLessThanOrEqual(1);
  });

  it('keeps following someone the detector missed once in the middle of the picture, not someone gone out of it or missed twice', () => {
    const missedOnce = [
      { takenAtMs: 1000, boxes: [person(0.2)] },
      { takenAtMs: 2000, boxes: [person(0.3)] },
      { takenAtMs: 3000, boxes: [] },
      { takenAtMs: 4000, boxes: [person(0.5)] },
    ];
    // across the miss: from 0.3 at 2 s to 0.5 at 4 s
    expect(liveBoxesAt(missedOnce, 3000).boxes.map((box) => box.x)).toEqual([expect.closeTo(0.4)]);
    // not yet known whether he comes back: he goes on the way he went
    expect(liveBoxesAt(missedOnce.slice(0, 3), 3200).boxes.map((box) => box.x)).toEqual([expect.closeTo(0.42)]);
    const missedTwice = [...missedOnce.slice(0, 3), { takenAtMs: 4000, boxes: [] }];
    expect(liveBoxesAt(missedTwice, 2400).boxes).toHaveLength(1);
    expect(liveBoxesAt(missedTwice, 2600).boxes).toHaveLength(0);
    // going out at the right edge, not seen in the next key frame: gone from half-way to it
    const out = [
      { takenAtMs: 1000, boxes: [person(0.8)] },
      { takenAtMs: 2000, boxes: [person(0.9)] },
      { takenAtMs: 3000, boxes: [] },
    ];
    expect(liveBoxesAt(out, 2400).boxes).toHaveLength(1);
    expect(liveBoxesAt(out, 2600).boxes).toHaveLength(0);
  });

  it('draws nothing as "now" when the key frames are far from the picture shown', () => {
    const moments = [{ takenAtMs: 10_000, boxes: [person(0.2)] }];
    // long after the last key frame (the worker stopped looking)
    expect(liveBoxesAt(moments, 20_000, { holdMs: 2500 })).toEqual({ boxes: [], current: false });
    // a while after it, with no way known that it went: where it was
    expect(liveBoxesAt(moments, 11_000).boxes.map((box) => box.x)).toEqual([0.2]);
    // long before the first (the picture is far behind)
    expect(liveBoxesAt(moments, 5000).current).toBe(false);
    // just before the first: those boxes
    expect(liveBoxesAt(moments, 9500).boxes).toHaveLength(1);
    // key frames too far apart are not moved between
    const gap = [
      { takenAtMs: 1000, boxes: [person(0.2)] },
      { takenAtMs: 9000, boxes: [person(0.8)] },
    ];
    expect(liveBoxesAt(gap, 2000).boxes.map((box) => box.x)).toEqual([0.2]);
  });
});
