import { describe, expect, it } from 'vitest';
import type { FragmentInfo } from '@cameramonit/media';
import { backoffDelaySec } from './backoff.js';
import { StreamClockCheck } from './camera-stream.recorder.js';
import { ClipCutter, type CutAction, type OpenClipTiming } from './clip-cutter.js';

const ts = 90_000;
const fragment = (startSec: number, durationSec = 1, key = true): FragmentInfo => ({
  sequenceNumber: 0,
  baseDecodeTime: BigInt(Math.round(startSec * ts)),
  duration: Math.round(durationSec * ts),
  sampleCount: 10,
  startsWithKeyFrame: key,
  reordered: false,
  firstSample: null,
});

/** Feeds 1 s fragments arriving in real time from `t0Ms`; returns the clips as [startMs, seconds]. */
function cut(cutter: ClipCutter, fragments: { f: FragmentInfo; arrivedMs: number }[]): { actions: CutAction[]; clips: [number, number][] } {
  const actions: CutAction[] = [];
  const clips: [number, number][] = [];
  for (const { f, arrivedMs } of fragments) {
    const action = cutter.next(f, arrivedMs);
    actions.push(action);
    if (action.action === 'start') clips.push([action.startedAtMs, f.duration / ts]);
    else if (action.action === 'append') clips[clips.length - 1][1] += f.duration / ts;
  }
  return { actions, clips };
}

describe('ClipCutter', () => {
  const t0 = Date.UTC(2026, 11, 4, 10, 0, 0);

  it('cuts 5 s clips at key frames that follow each other exactly, anchored to the wall clock', () => {
    const cutter = new ClipCutter({ clipSec: 5, timescale: ts });
    // the camera's clock starts at 1000 s; the first fragment arrives complete at t0 + 1 s
    const stream = Array.from({ length: 16 }, (_, i) => ({ f: fragment(1000 + i), arrivedMs: t0 + (i + 1) * 1000 + (i % 3) * 40 }));
    const { clips } = cut(cutter, stream);
    expect(clips).toEqual([
      [t0, 5],
      [t0 + 5000, 5],
      [t0 + 10_000, 5],
      [t0 + 15_000, 1],
    ]);
  });

  it('waits for a key frame to begin a clip, and cuts only at key frames', () => {
    const cutter = new ClipCutter({ clipSec: 2, timescale: ts });
    const keys = [false, true, false, false, true, false];
    const { actions, clips } = cut(cutter, keys.map((key, i) => ({ f: fragment(i, 1, key), arrivedMs: t0 + (i + 1) * 1000 })));
    expect(actions[0]).toEqual({ action: 'skip', closeOpen: false });
    expect(clips.map(([start, sec]) => [(start - t0) / 1000, sec])).toEqual([[1, 3], [4, 2]]);
  });

  it('follows the wall clock and starts a new clip when the camera\'s timestamps jump or drift', () => {
    const cutter = new ClipCutter({ clipSec: 5, timescale: ts });
    const stream = [
      { f: fragment(100), arrivedMs: t0 + 1000 },
      { f: fragment(101), arrivedMs: t0 + 2000 },
      // the camera's clock jumps back by an hour (it rebooted, or sends garbage)
      { f: fragment(-3500 + 5000), arrivedMs: t0 + 3000 },
      { f: fragment(-3500 + 5001), arrivedMs: t0 + 4000 },
      // its clock runs 10x too fast: each second of wall clock is 10 s of its time
      { f: fragment(2000), arrivedMs: t0 + 5000 },
    ];
    const { actions, clips } = cut(cutter, stream);
    expect(actions.map((a) => (a.action === 'start' ? `start ${a.reason}` : a.action))).toEqual(['start first', 'append', 'start clock', 'append', 'start clock']);
    // every clip starts when its first fragment began by the wall clock, never an hour off
    expect(clips.map(([start]) => (start - t0) / 1000)).toEqual([0, 2, 4]);
  });

  it('ends a clip that waits too long for a key frame instead of growing without end', () => {
    const cutter = new ClipCutter({ clipSec: 5, timescale: ts, maxClipSec: 8 });
    const stream = Array.from({ length: 12 }, (_, i) => ({ f: fragment(i, 1, i === 0 || i === 10), arrivedMs: t0 + (i + 1) * 1000 }));
    const { actions } = cut(cutter, stream);
    expect(actions[8]).toEqual({ action: 'skip', closeOpen: true });
    expect(actions[10]).toMatchObject({ action: 'start' });
  });

  it('moves the first clip back to where the stream began when ffmpeg held its first fragments back (probing) and sent them at once', () => {
    const cutter = new ClipCutter({ clipSec: 5, timescale: ts });
    // as seen with the GStreamer RTSP server: the picture began at t0 + 36 ms; ffmpeg probed for
    // about 2 s, then sent its first two fragments at once, and the rest as they were complete
    const stream = [
      { f: fragment(0, 0.9), arrivedMs: t0 + 2936 },
      { f: fragment(0.9), arrivedMs: t0 + 2936 },
      { f: fragment(1.9), arrivedMs: t0 + 3234 },
      ...Array.from({ length: 9 }, (_, i) => ({ f: fragment(2.9 + i), arrivedMs: t0 + 3936 + i * 1000 + (i % 2) * 30 })),
    ];
    const opened: OpenClipTiming[] = [];
    const actions = stream.map(({ f, arrivedMs }) => {
      const action = cutter.next(f, arrivedMs);
      if (cutter.current && opened.at(-1) !== cutter.current) opened.push(cutter.current);
      return action;
    });
    // the first arrival alone said 2036 ms (it arrived at 2936 and lasts 0.9 s)...
    expect(actions[0]).toEqual({ action: 'start', startedAtMs: t0 + 2036, reason: 'first' });
    // ...but the later fragments of the first clip could not have been complete later than they arrived
    expect(opened.map((clip) => [clip.startedAtMs - t0, Math.round(clip.durationSec * 10) / 10])).toEqual([
      [36, 4.9],
      [4936, 5],
      [9936, 2],
    ]);
    // later clips follow the first exactly: arriving a little late (jitter) or early does not move them
    expect(actions.filter((action) => action.action === 'start').slice(1)).toEqual([
      { action: 'start', startedAtMs: t0 + 4936, reason: 'length' },
      { action: 'start', startedAtMs: t0 + 9936, reason: 'length' },
    ]);
  });

  it('anchors a new run of ffmpeg to the wall clock again', () => {
    const cutter = new ClipCutter({ clipSec: 5, timescale: ts });
    cut(cutter, [{ f: fragment(0), arrivedMs: t0 + 1000 }]);
    expect(cutter.end()).toMatchObject({ startedAtMs: t0, durationSec: 1 });
    // 30 s later ffmpeg starts again; its timestamps start at 0 again
    const { clips } = cut(cutter, [{ f: fragment(0), arrivedMs: t0 + 31_000 }]);
    expect(clips).toEqual([[t0 + 30_000, 1]]);
  });
});

describe('backoffDelaySec', () => {
  it('doubles from 1 s up to a cap of 60 s, with jitter', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelaySec(n, undefined, middle))).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    const low = backoffDelaySec(4, undefined, () => 0);
    const high = backoffDelaySec(4, undefined, () => 0.999);
    expect(low).toBeCloseTo(5.6, 1);
    expect(high).toBeCloseTo(10.4, 1);
    expect(backoffDelaySec(50, undefined, () => 0.999)).toBeLessThanOrEqual(78);
  });
});

describe('StreamClockCheck', () => {
  it('accepts a stream that keeps time, and catches one whose frames hardly move in time', () => {
    const steady = new StreamClockCheck();
    const broken = new StreamClockCheck();
    const t0 = 1_000_000;
    const verdicts: (string | null)[] = [];
    for (let i = 0; i < 20; i++) {
      expect(steady.add(1, t0 + i * 1000 + (i % 2) * 150)).toBeNull();
      // ffmpeg "fixing" a frozen clock one tick per frame: 10 ticks of 1/90000 s per second
      verdicts.push(broken.add(10 / 90_000, t0 + i * 1000));
    }
    expect(verdicts.filter(Boolean)[0]).toMatch(/s of wall clock brought 0\.0 s of video/);
  });

  it('forgives a burst at the start (a camera sending its buffer) but not a stream running 4x fast', () => {
    const burst = new StreamClockCheck();
    const t0 = 5_000;
    expect(burst.add(3, t0)).toBeNull();
    expect(burst.add(3, t0 + 100)).toBeNull();
    for (let i = 1; i < 15; i++) expect(burst.add(1, t0 + 100 + i * 1000)).toBeNull();
    const fast = new StreamClockCheck();
    const verdicts = Array.from({ length: 15 }, (_, i) => fast.add(4, t0 + i * 1000));
    expect(verdicts.some(Boolean)).toBe(true);
  });
});
