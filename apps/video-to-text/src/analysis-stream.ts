/**
 * Which of a live camera's streams the analysis looks at (docs/live-cameras.md). A camera recorded
 * with a sub-stream (RTSP, continuous recording) is analysed from its sub-stream's clips: smaller
 * pictures, the same scene. Its main-stream clips, which people watch and export, are then skipped,
 * each only once the sub-stream's clips cover its time; where the sub-stream has nothing (it is
 * down, or started later) the main clip is analysed after all, so no time goes unanalysed.
 */

export interface TimedClip {
  id: string;
  startedAt: Date;
  durationSec: number;
}

export type StreamDecision =
  | { action: 'analyse' }
  | { action: 'skip'; reason: string }
  | { action: 'wait'; reason: string };

/** Seconds of a main clip the sub-stream may leave uncovered (key frames of two streams do not line up) and still count as covering it. */
export const UNCOVERED_TOLERANCE_SEC = 1.5;

/** Seconds of [from, to] covered by the clips (overlaps counted once). */
export function coveredSec(from: number, to: number, clips: readonly TimedClip[]): number {
  const spans = clips
    .map((clip) => [Math.max(from, clip.startedAt.getTime()), Math.min(to, clip.startedAt.getTime() + clip.durationSec * 1000)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reached = from;
  for (const [start, end] of spans) {
    if (end <= reached) continue;
    covered += end - Math.max(start, reached);
    reached = end;
  }
  return covered / 1000;
}

/**
 * A main-stream clip of a camera: analyse it, skip it (its sub-stream clips cover it), or wait
 * for the sub-stream clip still on its way (the sub-stream is running and reached close to it).
 */
export function decideMainClip(input: {
  clip: TimedClip;
  /** the camera is recorded with a sub-stream for its analysis */
  analysedFromSubStream: boolean;
  /** the camera's sub-stream clips that overlap the clip */
  subClips: readonly TimedClip[];
  /** where the camera's newest sub-stream clip ends (ms), null: none yet */
  latestSubEndMs: number | null;
  /** how long this clip has waited for its sub-stream clips */
  waitedMs: number;
  /** the longest it waits (about two clips' length: the sub-stream cuts at its own key frames) */
  maxWaitMs: number;
}): StreamDecision {
  const { clip } = input;
  if (!input.analysedFromSubStream) return { action: 'analyse' };
  const from = clip.startedAt.getTime();
  const to = from + clip.durationSec * 1000;
  const covered = coveredSec(from, to, input.subClips);
  if (covered >= clip.durationSec - UNCOVERED_TOLERANCE_SEC) {
    return { action: 'skip', reason: `analysed from the sub-stream (${input.subClips.length} clip(s) cover ${covered.toFixed(1)} of its ${clip.durationSec.toFixed(1)} s)` };
  }
  // the sub-stream is running if its newest clip ends no more than a clip's length before this one starts
  const running = input.latestSubEndMs !== null && input.latestSubEndMs >= from - clip.durationSec * 1000 - 2000;
  if (running && input.waitedMs < input.maxWaitMs) {
    return { action: 'wait', reason: `the sub-stream covers ${covered.toFixed(1)} of its ${clip.durationSec.toFixed(1)} s so far` };
  }
  return { action: 'analyse' };
}
