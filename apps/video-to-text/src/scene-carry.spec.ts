import { describe, expect, it } from 'vitest';
import { decideCarry, follows, gapSec, type ClipTiming } from './scene-carry.js';

const clip = (id: string, startIso: string, durationSec = 5, source: ClipTiming['source'] = 'recording'): ClipTiming => ({ id, source, startedAt: new Date(startIso), durationSec });
const state = JSON.stringify({ version: 1, durationSec: 5, frameWidth: 640, frameHeight: 480, objects: { sceneId: 's', tracker: {}, openEvents: [] } });
const a = clip('a', '2026-11-22T10:00:00.000Z');
const b = clip('b', '2026-11-22T10:00:05.000Z');

describe('scene carry between clips', () => {
  it('measures the gap from the end of the previous clip', () => {
    expect(gapSec(a, b)).toBe(0);
    expect(gapSec(a, clip('c', '2026-11-22T10:00:07.500Z'))).toBe(2.5);
  });

  it('joins recorded clips that follow within a few seconds, never uploads', () => {
    expect(follows(a, b)).toBe(true);
    expect(follows(a, clip('c', '2026-11-22T10:00:04.600Z'))).toBe(true); // a rounded duration
    expect(follows(a, clip('c', '2026-11-22T10:00:09.000Z'))).toBe(false); // 4 s of nothing
    expect(follows(a, clip('c', '2026-11-22T10:00:02.000Z'))).toBe(false); // not after it
    expect(follows(clip('u', '2026-11-22T10:00:00.000Z', 5, 'upload'), clip('v', '2026-11-22T10:00:05.000Z', 5, 'upload'))).toBe(false);
    expect(follows(null, b)).toBe(false);
  });

  it("joins a camera's sub-stream clips to each other, never to its main-stream clips", () => {
    const subA = clip('sa', '2026-11-22T10:00:00.000Z', 5, 'substream');
    const subB = clip('sb', '2026-11-22T10:00:05.000Z', 5, 'substream');
    expect(follows(subA, subB)).toBe(true);
    expect(follows(a, subB)).toBe(false);
    expect(follows(subA, b)).toBe(false);
  });

  it("carries the previous clip's scene with the gap once it is analysed", () => {
    const decision = decideCarry({ clip: clip('c', '2026-11-22T10:00:11.000Z'), previous: b, previousAnalysis: { status: 'done', sceneState: state }, waitedMs: 0, maxWaitMs: 60_000 });
    expect(decision.action).toBe('carry');
    if (decision.action === 'carry') {
      expect(decision.carry.gapSec).toBe(1);
      expect(decision.carry.state.frameWidth).toBe(640);
      expect(decision.previousClipId).toBe('b');
    }
  });

  it('waits while the previous clip is being analysed or not taken yet, then goes on fresh and says why', () => {
    expect(decideCarry({ clip: b, previous: a, previousAnalysis: { status: 'analysing', sceneState: null }, waitedMs: 5_000, maxWaitMs: 60_000 }).action).toBe('wait');
    expect(decideCarry({ clip: b, previous: a, previousAnalysis: null, waitedMs: 0, maxWaitMs: 60_000 })).toEqual({ action: 'wait', reason: 'the previous clip a is not yet taken by a worker' });
    const late = decideCarry({ clip: b, previous: a, previousAnalysis: { status: 'queued', sceneState: null }, waitedMs: 61_000, maxWaitMs: 60_000 });
    expect(late).toEqual({ action: 'fresh', reason: 'the previous clip a was still not analysed after 61 s' });
  });

  it('gives a recording stored moments ago with nothing right before it a few seconds for its predecessor to be stored', () => {
    const alone = { clip: b, previous: null, previousAnalysis: null, waitedMs: 0, maxWaitMs: 60_000, missingWaitMs: 5000 };
    expect(decideCarry({ ...alone, storedAgoMs: 1000 })).toEqual({ action: 'wait', reason: 'no clip ends right before it yet (recordings may be stored out of order)' });
    expect(decideCarry({ ...alone, storedAgoMs: 6000 })).toEqual({ action: 'fresh', reason: null });
    const upload = clip('u', '2026-11-22T10:00:05.000Z', 5, 'upload');
    expect(decideCarry({ ...alone, clip: upload, storedAgoMs: 0 })).toEqual({ action: 'fresh', reason: null });
  });

  it('starts fresh after a failed previous clip, a missing state, or for a clip that follows nothing', () => {
    expect(decideCarry({ clip: b, previous: a, previousAnalysis: { status: 'failed', sceneState: null }, waitedMs: 0, maxWaitMs: 1 })).toEqual({ action: 'fresh', reason: 'the analysis of the previous clip a failed' });
    expect(decideCarry({ clip: b, previous: a, previousAnalysis: { status: 'done', sceneState: null }, waitedMs: 0, maxWaitMs: 1 }).action).toBe('fresh');
    expect(decideCarry({ clip: b, previous: null, previousAnalysis: null, waitedMs: 0, maxWaitMs: 1 })).toEqual({ action: 'fresh', reason: null });
  });
});
