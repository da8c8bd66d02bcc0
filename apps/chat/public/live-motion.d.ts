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
export function interpolateBoxes<T extends LiveBoxLike>(from: T[], to: T[], f: number): T[];
export function extrapolateBoxes<T extends LiveBoxLike>(previous: { takenAtMs: number; boxes: T[] }, newest: { takenAtMs: number; boxes: T[] }, aheadMs: number): T[];
export function liveBoxesAt<T extends LiveBoxLike>(
  moments: { takenAtMs: number; boxes: T[] }[],
  at: number,
  options?: { holdMs?: number; maxGapMs?: number; leadMs?: number },
): { boxes: T[]; current: boolean };
