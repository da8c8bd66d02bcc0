import type { Detection } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { ObjectTracker, type TrackReport } from './object.tracker.js';
import { detectionsAt, type ScenarioObject } from './scene-scenario.testing.js';
import { SceneZones } from './scene-zones.js';

const person = (x: number, y: number, confidence = 0.6): Detection => ({ label: 'person', confidence, box: { x, y, width: 20, height: 50 } });

/** Feeds the scene from `fromSec` to before `toSec` (scene time) to a tracker whose clip starts at `fromSec`. */
function feed(tracker: ObjectTracker, objects: ScenarioObject[], fromSec: number, toSec: number, everySec = 0.4): void {
  for (let k = 0; fromSec + k * everySec < toSec - 1e-9; k++) {
    const sec = Number((k * everySec).toFixed(3));
    tracker.update(sec, detectionsAt(objects, fromSec + sec));
  }
}

/** Feeds the scene to a tracker every `everySec` from 0 to `toSec` and returns its reports. */
function track(objects: ScenarioObject[], toSec: number, tracker = new ObjectTracker(), everySec = 0.4): TrackReport[] {
  feed(tracker, objects, 0, toSec + everySec / 2, everySec);
  return tracker.finish(toSec);
}

const walker = (from: [number, number, number], to: [number, number, number], extra: Partial<ScenarioObject> = {}): ScenarioObject => ({
  label: 'person',
  width: 20,
  height: 50,
  keyframes: [from, to],
  ...extra,
});

describe('ObjectTracker', () => {
  it('follows a walking person as one moving track with its best detection and speed', () => {
    const tracker = new ObjectTracker();
    for (let i = 0; i <= 10; i++) tracker.update(i * 0.4, [person(400 - i * 8, 100, i === 6 ? 0.9 : 0.6)]);
    const reports = tracker.finish(4);
    expect(reports).toHaveLength(1);
    const [{ track }] = reports;
    expect(track).toMatchObject({ id: 1, label: 'person', firstSec: 0, lastSec: 4, bestConfidence: 0.9, stationary: false, speedPxPerSec: 20 });
    expect(track.bestSec).toBeCloseTo(2.4);
    expect(track.bestBox).toEqual({ x: 352, y: 100, width: 20, height: 50 });
    expect(track.path).toHaveLength(11);
    expect(track.path[0]).toEqual({ sec: 0, cx: 410, cy: 125 });
  });

  it('keeps two people apart when they cross, without swapping them', () => {
    const reports = track([walker([0, 100, 100], [6, 340, 100]), walker([0, 340, 104], [6, 100, 104])], 6);
    expect(reports).toHaveLength(2);
    for (const { track: t } of reports) {
      const xs = t.path.map((point) => point.cx);
      const rising = xs[xs.length - 1] > xs[0];
      // every step goes the same way: no identity switch where they meet
      expect(xs.every((x, i) => i === 0 || (rising ? x >= xs[i - 1] : x <= xs[i - 1]))).toBe(true);
      expect(t.lastSec - t.firstSec).toBeCloseTo(6, 1);
    }
  });

  it('keeps a walker through a 2 s occlusion (prediction), but not through a long absence', () => {
    const occluded = track([walker([0, 50, 100], [8, 370, 100], { hidden: [[3, 5]] })], 8);
    expect(occluded).toHaveLength(1);
    expect(occluded[0].track.firstSec).toBe(0);
    expect(occluded[0].track.lastSec).toBeCloseTo(8, 1);

    const gone = track([walker([0, 50, 100], [10, 450, 100], { hidden: [[3, 7.5]] })], 10);
    expect(gone.map((report) => report.track.id)).toEqual([1, 2]);
  });

  it('does not continue someone who walked out of the frame with someone who comes in at that edge', () => {
    const frame = { frameWidth: 500, frameHeight: 400 };
    // out at the right edge at 4.4 s; another person comes in there 1.6 s later and walks back left
    const scene = [walker([0, 300, 200], [4.4, 470, 200]), walker([6, 470, 205], [10, 280, 205])];
    const withFrame = track(scene, 10, new ObjectTracker(frame));
    expect(withFrame.map((report) => `${report.track.firstSec}-${report.track.lastSec}`)).toEqual(['0-4.4', '6-10']);
    // without the frame's size the second walker would be taken for the first turning back
    expect(track(scene, 10, new ObjectTracker()).map((report) => report.track.id)).toEqual([1]);
    // someone who stops near the edge and turns back is still one track
    const turning = track([walker([0, 300, 200], [3, 440, 200]), walker([3.4, 440, 200], [6, 300, 200])], 6, new ObjectTracker(frame));
    expect(turning).toHaveLength(1);
  });

  it('keeps a van the detector calls a car now and a truck then as one track, named by the label it got most', () => {
    const tracker = new ObjectTracker({ minHits: 1 });
    const van = (sec: number, label: string, confidence: number) => tracker.update(sec, [{ label, confidence, box: { x: 200 + sec, y: 100, width: 80, height: 50 } }]);
    van(0, 'truck', 0.5);
    van(0.4, 'car', 0.45);
    van(0.8, 'truck', 0.6);
    van(1.2, 'car', 0.4);
    van(1.6, 'truck', 0.55);
    tracker.update(2, [{ label: 'person', confidence: 0.7, box: { x: 202, y: 100, width: 30, height: 70 } }]);
    expect(tracker.finish(2).map((report) => `${report.track.id} ${report.track.label}`)).toEqual(['1 truck', '2 person']);
  });

  it('never matches different labels or far away boxes', () => {
    const tracker = new ObjectTracker({ minHits: 1 });
    tracker.update(0, [person(100, 100)]);
    tracker.update(0.4, [{ ...person(102, 100), label: 'dog' }]);
    tracker.update(0.8, [person(300, 300)]);
    expect(tracker.finish(1).map((report) => `${report.track.id} ${report.track.label}`)).toEqual(['1 person', '2 dog', '3 person']);
  });

  it('does not report a detection seen once or twice (noise)', () => {
    const tracker = new ObjectTracker();
    tracker.update(0, [person(100, 100)]);
    tracker.update(0.4, [person(102, 100)]);
    expect(tracker.finish(5)).toEqual([]);
  });

  it('knows a parked car with jittery boxes as stationary, also when the detector misses it for 20 s', () => {
    const car: ScenarioObject = { label: 'car', width: 60, height: 30, jitter: 2, keyframes: [[0, 300, 50], [60, 300, 50]], hidden: [[20, 40]] };
    const [report, ...others] = track([car], 60, new ObjectTracker(), 1);
    expect(others).toEqual([]);
    expect(report.track.stationary).toBe(true);
    expect(report.memory.movement).toBeNull();
    expect(report.memory.stillSince).toBe(0);
    expect(report.track.lastSec).toBe(60);
  });

  it('knows a car that drove in and parked, and when it drives off again', () => {
    const car: ScenarioObject = { label: 'car', width: 60, height: 30, keyframes: [[0, 0, 200], [4, 240, 200], [30, 240, 200], [34, 480, 200]] };
    const tracker = new ObjectTracker();
    const parked = track([car], 25, tracker);
    expect(parked[0].parked).toHaveLength(1);
    expect(parked[0].parked[0]).toMatchObject({ startSec: 0, fromStill: false });
    expect(parked[0].parked[0].endSec).toBeCloseTo(4, 0);
    expect(parked[0].memory.movement).toBeNull();
    for (let sec = 25.2; sec <= 34; sec += 0.4) tracker.update(Number(sec.toFixed(3)), detectionsAt([car], sec));
    const [leaving] = tracker.finish(34);
    expect(leaving.memory.movement).toMatchObject({ fromStill: true, no: 2 });
    expect(leaving.memory.movement?.startSec).toBeGreaterThan(29);
    expect(leaving.memory.movement?.stillForSec).toBeGreaterThan(24);
  });

  it('drops detections standing in a mask and notes the zones a track entered, in order', () => {
    const zones = new SceneZones(
      [
        { name: 'path', polygon: [[0, 0.5], [0.5, 0.5], [0.5, 1], [0, 1]], loiterSec: null },
        { name: 'gate', polygon: [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 1]], loiterSec: 30 },
      ],
      [[[0, 0], [1, 0], [1, 0.3], [0, 0.3]]], // the top 30 % (a road outside the fence)
      500,
      400,
    );
    const reports = track(
      [
        walker([0, 40, 200], [8, 440, 200]), // feet at y 250: in the path, then in the gate zone
        walker([0, 40, 20], [8, 440, 20]), // feet at y 70: in the mask, never tracked
      ],
      8,
      new ObjectTracker({}, null, zones),
    );
    expect(reports).toHaveLength(1);
    expect(reports[0].track.zones).toEqual(['path', 'gate']);
    expect(reports[0].endedVisits.map((visit) => visit.zone)).toEqual(['path']);
    expect(reports[0].memory.visits).toMatchObject([{ zone: 'gate', visitNo: 2 }]);
  });

  it('hands open tracks to the next clip with ids kept, times shifted and the path trimmed', () => {
    const car: ScenarioObject = { label: 'car', width: 60, height: 30, jitter: 1, keyframes: [[0, 300, 50], [100, 300, 50]] };
    const walking = walker([50, 0, 200], [62, 480, 200]);
    const first = new ObjectTracker();
    feed(first, [car, walking], 0, 60);
    const state = JSON.parse(JSON.stringify(first.snapshot(60))) as ReturnType<ObjectTracker['snapshot']>;
    expect(state.tracks.map((t) => t.label)).toEqual(['car', 'person']);
    expect(Math.max(...state.tracks.map((t) => t.path.length))).toBeLessThanOrEqual(30);
    expect(JSON.stringify(state).length).toBeLessThan(6000);

    const second = new ObjectTracker({}, { state, offsetSec: 60 });
    feed(second, [car, walking], 60, 65);
    const reports = second.finish(5);
    expect(reports.map((report) => [report.track.id, report.track.label, report.track.firstSec, report.track.stationary])).toEqual([
      [1, 'car', -60, true],
      [2, 'person', -10, false],
    ]);
    // the walker's path goes on where it was: its first point is from its head, the rest from the trimmed tail and this clip
    const path = reports[1].track.path;
    expect(path[0]).toMatchObject({ sec: -10, cx: 10 });
    expect(path.at(-1)?.sec).toBeCloseTo(2, 1);
  });
});
