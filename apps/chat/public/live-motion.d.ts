// Types of live-motion.js for the tests (the page loads the plain module).
export interface LiveBoxLike {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
  confidence?: number;
}
export interface LiveMoment {
  takenAtMs: number;
  boxes: LiveBoxLike[];
}
export class LiveClock {
  reset(): void;
  fragment(mediaEnd: number, arrivedAtMs: number): void;
  message(sentAtMs: number | undefined, receivedAtMs: number): void;
  takenAt(mediaTime: number): number | null;
}
export function pairBoxes(from: LiveBoxLike[], to: LiveBoxLike[]): [number, number][];
export function trackBoxes<T extends LiveBoxLike>(moments: { takenAtMs: number; boxes: T[] }[], maxGapMs?: number): { index: number; takenAtMs: number; box: T }[][];
export function liveBoxesAt<T extends LiveBoxLike>(
  moments: { takenAtMs: number; boxes: T[] }[],
  at: number,
  options?: { holdMs?: number; maxGapMs?: number; leadMs?: number },
): { boxes: T[]; current: boolean };
