import type { ClipSource } from '@cameramonit/contracts';
import type { SceneCarry, SceneState } from '@cameramonit/vision';

/** A recorded clip that starts at most this long after the previous one ended goes on from it. */
export const MAX_CARRY_GAP_SEC = 3;
/** Clocks and rounded durations: a start this much before the previous clip's end still follows it. */
const OVERLAP_TOLERANCE_SEC = 1;

export interface ClipTiming {
  id: string;
  source: ClipSource;
  startedAt: Date;
  durationSec: number;
}

export interface PreviousAnalysis {
  status: 'queued' | 'analysing' | 'done' | 'failed' | 'skipped';
  sceneState: string | null;
}

export type CarryDecision =
  | { action: 'carry'; carry: SceneCarry; previousClipId: string }
  | { action: 'fresh'; reason: string | null }
  | { action: 'wait'; reason: string };

/** Seconds from the end of `previous` to the start of `clip` (negative when they overlap). */
export function gapSec(previous: ClipTiming, clip: ClipTiming): number {
  return (clip.startedAt.getTime() - previous.startedAt.getTime()) / 1000 - previous.durationSec;
}

/** A live camera's clips: its main stream's, or its sub-stream's (each a chain of its own). */
export function isLiveStream(source: ClipSource): boolean {
  return source === 'recording' || source === 'substream';
}

/** Does `clip` continue the recording of `previous` (both cut from the same stream, the gap within a few seconds)? */
export function follows(previous: ClipTiming | null, clip: ClipTiming): previous is ClipTiming {
  if (!previous || !isLiveStream(clip.source) || previous.source !== clip.source) return false;
  const gap = gapSec(previous, clip);
  return gap >= -OVERLAP_TOLERANCE_SEC && gap <= MAX_CARRY_GAP_SEC;
}

/**
 * Whether a clip starts with the scene its camera's previous clip ended with. Only recorded clips
 * that follow each other carry (uploads are separate videos). While the previous clip is still
 * being analysed (here or by another worker) the clip waits, up to `maxWaitMs`; a previous clip
 * that failed, or a wait that ran out, starts a fresh scene and says why. A recording stored
 * moments ago with no clip right before it waits a little for one (`missingWaitMs`): two pieces
 * of a recording may be stored in the opposite order.
 */
export function decideCarry(input: {
  clip: ClipTiming;
  previous: ClipTiming | null;
  previousAnalysis: PreviousAnalysis | null;
  waitedMs: number;
  maxWaitMs: number;
  /** how long ago the clip was stored; a recording stored just now may have a predecessor still on its way */
  storedAgoMs?: number;
  /** how long after it was stored a recording waits for a predecessor that is not there yet */
  missingWaitMs?: number;
}): CarryDecision {
  const { clip, previous, previousAnalysis } = input;
  if (!follows(previous, clip)) {
    if (isLiveStream(clip.source) && (input.storedAgoMs ?? Infinity) < (input.missingWaitMs ?? 0)) {
      return { action: 'wait', reason: 'no clip ends right before it yet (recordings may be stored out of order)' };
    }
    return { action: 'fresh', reason: null };
  }
  const gap = Math.max(0, gapSec(previous, clip));
  if (previousAnalysis?.status === 'done') {
    const state = parseSceneState(previousAnalysis.sceneState);
    if (!state) return { action: 'fresh', reason: `the previous clip ${previous.id} was analysed without a scene state` };
    return { action: 'carry', carry: { state, gapSec: gap }, previousClipId: previous.id };
  }
  if (previousAnalysis?.status === 'failed') return { action: 'fresh', reason: `the analysis of the previous clip ${previous.id} failed` };
  if (previousAnalysis?.status === 'skipped') return { action: 'fresh', reason: null };
  if (input.waitedMs >= input.maxWaitMs) {
    return { action: 'fresh', reason: `the previous clip ${previous.id} was still not analysed after ${Math.round(input.waitedMs / 1000)} s` };
  }
  return { action: 'wait', reason: `the previous clip ${previous.id} is ${previousAnalysis ? previousAnalysis.status : 'not yet taken by a worker'}` };
}

function parseSceneState(json: string | null): SceneState | null {
  if (!json) return null;
  try {
    const state = JSON.parse(json) as SceneState;
    return state && typeof state === 'object' && state.version === 1 ? state : null;
  } catch {
    return null;
  }
}
