import { describe, expect, it } from 'vitest';
import { parseTruthClip, type TruthClip, type TruthEvent } from './ground-truth.js';
import { scoreClip, summariseTiming, temporalIou, totalScores, type PredictedEvent } from './eval.scorer.js';

function truthEvent(overrides: Partial<TruthEvent> = {}): TruthEvent {
  return {
    kind: 'object',
    label: 'person',
    count: 1,
    direction: 'left-to-right',
    startSec: 1,
    endSec: 7,
    tolerance: { startSec: 1, endSec: 1 },
    ...overrides,
  };
}

function clip(events: TruthEvent[], group: TruthClip['group'] = 'synthetic'): TruthClip {
  return { clip: 'clip.mp4', group, description: '', durationSec: 10, settings: {}, events };
}

function predicted(overrides: Partial<PredictedEvent> = {}): PredictedEvent {
  return { kind: 'object', label: 'person', count: 1, direction: 'left-to-right', startSec: 1.2, endSec: 6.8, ...overrides };
}

describe('temporalIou', () => {
  it('is intersection over union of two intervals', () => {
    expect(temporalIou({ startSec: 0, endSec: 4 }, { startSec: 2, endSec: 6 })).toBeCloseTo(2 / 6);
    expect(temporalIou({ startSec: 0, endSec: 1 }, { startSec: 2, endSec: 3 })).toBe(0);
    expect(temporalIou({ startSec: 1, endSec: 3 }, { startSec: 1, endSec: 3 })).toBe(1);
  });
});

describe('scoreClip', () => {
  it('matches an event of the same kind, label and direction that overlaps in time, and measures its timing', () => {
    const score = scoreClip(clip([truthEvent()]), [predicted()]);
    expect(score).toMatchObject({ truePositives: 1, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1, f1: 1 });
    expect(score.matches[0]).toMatchObject({ startErrorSec: 0.2, endErrorSec: -0.2, onTime: true, countCorrect: true });
  });

  it('does not match a wrong direction, a wrong label or too little overlap: one missed, one false', () => {
    for (const wrong of [{ direction: 'right-to-left' as const }, { label: 'car' }, { startSec: 6, endSec: 9 }]) {
      const score = scoreClip(clip([truthEvent()]), [predicted(wrong)]);
      expect(score).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 1, precision: 0, recall: 0, f1: 0 });
      expect(score.missed).toHaveLength(1);
      expect(score.falseEvents).toHaveLength(1);
    }
  });

  it('matches one-to-one, best overlap first: a second event for the same object is false', () => {
    const score = scoreClip(clip([truthEvent()]), [predicted({ startSec: 1, endSec: 3.5 }), predicted({ startSec: 1, endSec: 7 })]);
    expect(score.truePositives).toBe(1);
    expect(score.matches[0].predictedIndex).toBe(1);
    expect(score.falsePositives).toBe(1);
    expect(score.precision).toBe(0.5);
  });

  it('accepts any of several labels, any direction when the truth says null, and a count range', () => {
    const truth = truthEvent({ label: ['car', 'truck'], direction: null, count: [2, 3] });
    const score = scoreClip(clip([truth]), [predicted({ label: 'truck', direction: 'top-to-bottom', count: 2 })]);
    expect(score.truePositives).toBe(1);
    expect(score.matches[0].countCorrect).toBe(true);
    expect(scoreClip(clip([truth]), [predicted({ label: 'truck', count: 4 })]).matches[0].countCorrect).toBe(false);
  });

  it('marks a match late when its start is outside the tolerance', () => {
    const score = scoreClip(clip([truthEvent()]), [predicted({ startSec: 2.5 })]);
    expect(score.matches[0]).toMatchObject({ startErrorSec: 1.5, onTime: false });
  });

  it('ignores predictions that overlap an optional event, and does not require it', () => {
    const score = scoreClip(clip([truthEvent({ optional: true, direction: null })]), [predicted(), predicted({ direction: 'none' })]);
    expect(score).toMatchObject({ truthEvents: 0, truePositives: 0, falsePositives: 0, falseNegatives: 0, ignoredPredictions: 2, precision: null, recall: null });
  });

  it('counts every event on a nothing clip as false, object and motion separately', () => {
    const score = scoreClip(clip([], 'nothing'), [predicted(), predicted({ kind: 'motion', label: 'motion', direction: 'none' })]);
    expect(score).toMatchObject({ falsePositives: 2, objectEvents: 1, motionEvents: 1, precision: 0, recall: null });
  });
});

describe('totalScores', () => {
  it('sums events over clips (micro average) and summarises absolute timing errors', () => {
    const a = scoreClip(clip([truthEvent(), truthEvent({ startSec: 8, endSec: 9.5, direction: 'right-to-left' })]), [predicted()]);
    const b = scoreClip(clip([], 'nothing'), [predicted({ kind: 'motion', label: 'motion', direction: 'none' })]);
    const totals = totalScores([a, b]);
    expect(totals).toMatchObject({ clips: 2, truePositives: 1, falsePositives: 1, falseNegatives: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(totals.nothingObjectEvents).toBe(0);
    expect(totals.nothingMotionEvents).toBe(1);
    expect(totals.startError).toEqual({ meanSec: 0.2, medianSec: 0.2 });
  });

  it('timing summary: mean and median of absolute errors, null without matches', () => {
    expect(summariseTiming([-1, 0.5, 3])).toEqual({ meanSec: 1.5, medianSec: 1 });
    expect(summariseTiming([])).toEqual({ meanSec: null, medianSec: null });
  });
});

describe('parseTruthClip', () => {
  it('accepts a clip file and lists every problem of a broken one', () => {
    expect(parseTruthClip('ok.json', clip([truthEvent()])).events).toHaveLength(1);
    expect(() =>
      parseTruthClip('bad.json', { clip: 'x.mp4', group: 'weird', durationSec: 5, events: [{ kind: 'object', label: 'person', count: 0, direction: 'up', startSec: 3, endSec: 1 }] }),
    ).toThrow(/bad\.json: group must be one of .*count must be .*direction must be .*startSec <= endSec.*tolerance/);
  });
});
