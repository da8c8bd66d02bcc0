import { describe, expect, it } from 'vitest';
import { coveredSec, decideMainClip, type TimedClip } from './analysis-stream.js';

const at = (second: number) => new Date(Date.UTC(2026, 11, 4, 10, 0, second));
const clip = (id: string, startSec: number, durationSec: number): TimedClip => ({ id, startedAt: at(startSec), durationSec });

describe('which stream of a live camera is analysed', () => {
  it('counts the seconds of a main clip its sub-stream clips cover, overlaps once', () => {
    const from = at(10).getTime();
    const to = at(15).getTime();
    expect(coveredSec(from, to, [clip('a', 6, 5), clip('b', 11, 5)])).toBeCloseTo(5);
    expect(coveredSec(from, to, [clip('a', 9, 3), clip('b', 10, 3)])).toBeCloseTo(3);
    expect(coveredSec(from, to, [clip('a', 0, 5), clip('b', 16, 5)])).toBe(0);
  });

  it('analyses every clip of a camera without a sub-stream', () => {
    expect(decideMainClip({ clip: clip('m', 10, 5), analysedFromSubStream: false, subClips: [], latestSubEndMs: null, waitedMs: 0, maxWaitMs: 15_000 })).toEqual({ action: 'analyse' });
  });

  it('skips a main clip its sub-stream covers (key frames of the two streams need not line up)', () => {
    const decision = decideMainClip({ clip: clip('m', 10, 5), analysedFromSubStream: true, subClips: [clip('s1', 6, 5), clip('s2', 11, 3)], latestSubEndMs: at(14).getTime(), waitedMs: 0, maxWaitMs: 15_000 });
    expect(decision.action).toBe('skip');
  });

  it('waits while the sub-stream runs but its clip for the end of this one is still on its way', () => {
    const input = { clip: clip('m', 10, 5), analysedFromSubStream: true, subClips: [clip('s1', 6, 5)], latestSubEndMs: at(11).getTime(), maxWaitMs: 15_000 };
    expect(decideMainClip({ ...input, waitedMs: 0 }).action).toBe('wait');
    // it did not come: the main clip is analysed itself, nothing goes unanalysed
    expect(decideMainClip({ ...input, waitedMs: 15_000 })).toEqual({ action: 'analyse' });
  });

  it('analyses the main clip at once when the sub-stream is down (its newest clip ended long before)', () => {
    expect(decideMainClip({ clip: clip('m', 100, 5), analysedFromSubStream: true, subClips: [], latestSubEndMs: at(40).getTime(), waitedMs: 0, maxWaitMs: 15_000 })).toEqual({ action: 'analyse' });
    expect(decideMainClip({ clip: clip('m', 100, 5), analysedFromSubStream: true, subClips: [], latestSubEndMs: null, waitedMs: 0, maxWaitMs: 15_000 })).toEqual({ action: 'analyse' });
  });
});
