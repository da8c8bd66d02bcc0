/**
 * What an export of a camera's time range is made of, decided from rows alone: the range asked
 * for (checked), and which recorded clips cover it, in order, with how much of the first and last
 * to leave out. The export service then finds key frames and runs ffmpeg.
 */
import { CameramonitError } from '@cameramonit/contracts';

/** The longest range one export covers. */
export const MAX_EXPORT_SEC = 6 * 3600;

/** A pause between clips longer than this is a gap (the camera was offline); shorter ones are cutting slack. */
export const GAP_SEC = 1;

// ISO 8601 with a date, a time and a zone: a time without a zone would mean another moment on another server
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function invalidRange(message: string): CameramonitError {
  return new CameramonitError('INVALID_RANGE', message, 400);
}

/** `from` and `to` of GET /exports/:cameraId, or INVALID_RANGE (400) saying what is wrong. */
export function parseExportRange(fromText: string | undefined, toText: string | undefined): { from: Date; to: Date } {
  const parse = (name: string, text: string | undefined) => {
    if (!text) throw invalidRange(`Say which time range to export: ?from=2026-11-22T10:00:00Z&to=2026-11-22T10:05:00Z (${name} is missing)`);
    const time = ISO_WITH_ZONE.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(time)) throw invalidRange(`${name} must be an ISO 8601 time with a zone, like 2026-11-22T10:00:00Z; got ${JSON.stringify(text.slice(0, 60))}`);
    return new Date(time);
  };
  const from = parse('from', fromText);
  const to = parse('to', toText);
  if (from.getTime() >= to.getTime()) throw invalidRange(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  if (to.getTime() - from.getTime() > MAX_EXPORT_SEC * 1000) throw invalidRange(`An export covers at most ${MAX_EXPORT_SEC / 3600} hours; ask for a shorter range`);
  return { from, to };
}

export interface ExportClip {
  id: string;
  path: string;
  startedAt: Date;
  durationSec: number;
}

export interface ExportPiece<T extends ExportClip = ExportClip> {
  clip: T;
  /** leave out the clip before this many seconds from its start (the range starts inside it, or the previous clip covered it) */
  fromSec?: number;
  /** leave out the clip from this many seconds from its start on (the range ends inside it) */
  toSec?: number;
}

export interface ExportPlan<T extends ExportClip = ExportClip> {
  pieces: ExportPiece<T>[];
  /** pauses of more than GAP_SEC between consecutive pieces: skipped, the export is shorter by them */
  gaps: number;
  /** seconds of recording in the range, gaps not counted */
  recordedSec: number;
}

/**
 * The clips overlapping [from, to] in time order. Clips that overlap each other (a camera's
 * recording and a push at once) are not shown twice: a clip wholly inside what came before is left
 * out, one reaching further starts where the previous ended.
 */
export function planExport<T extends ExportClip>(clips: readonly T[], from: Date, to: Date): ExportPlan<T> {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const ordered = clips
    .filter((clip) => clip.durationSec > 0 && clip.startedAt.getTime() < toMs && clip.startedAt.getTime() + clip.durationSec * 1000 > fromMs)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id.localeCompare(b.id));
  const pieces: ExportPiece<T>[] = [];
  let coveredUntil = fromMs;
  let previousEnd: number | null = null;
  let gaps = 0;
  let recordedMs = 0;
  for (const clip of ordered) {
    const start = clip.startedAt.getTime();
    const end = start + clip.durationSec * 1000;
    // half a second of overlap is cutting slack, not the same moment twice
    if (end <= coveredUntil + 500) continue;
    const pieceStart = start < coveredUntil - 500 ? coveredUntil : start;
    const pieceEnd = Math.min(end, toMs);
    const piece: ExportPiece<T> = { clip };
    if (pieceStart > start) piece.fromSec = (pieceStart - start) / 1000;
    if (pieceEnd < end) piece.toSec = (pieceEnd - start) / 1000;
    if (previousEnd !== null && pieceStart - previousEnd > GAP_SEC * 1000) gaps += 1;
    pieces.push(piece);
    recordedMs += pieceEnd - pieceStart;
    previousEnd = pieceEnd;
    coveredUntil = Math.max(coveredUntil, pieceEnd);
  }
  return { pieces, gaps, recordedSec: recordedMs / 1000 };
}
