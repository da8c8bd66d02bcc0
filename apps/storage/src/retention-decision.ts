/**
 * Which clips a retention round deletes, decided from rows alone (no clock, no files, no
 * database): the retention service reads the rows, asks here, and deletes what it is told.
 *
 * - A recorded clip (source recording or push) whose end is older than its camera's ring
 *   (maxRecordMinutes) is deleted ("retention"), unless it holds an event and started less than
 *   eventRetentionDays ago; once that has passed too, it goes ("events").
 * - Motion-only cameras: a recorded clip that was analysed, had no motion and holds no event is
 *   deleted ("motion") as soon as it is known that no clip of the camera had motion within
 *   motionPaddingSec of it: every clip overlapping that padding is analysed, and the recording
 *   already reaches past the padding (or the padding ended `settleSec` ago: the camera went
 *   offline). An event of a neighbouring clip counts as motion there.
 * - Uploads are the user's: neither the ring nor motion touches them.
 * - A clip whose camera was deleted goes ("camera-deleted").
 *
 * The disk guard (oldest clips first, whatever their kind) is planDiskRelief.
 */
import type { ClipSource, RecordMode } from '@cameramonit/contracts';
import type { AnalysisStatus, ClipDeleteReason } from '@cameramonit/db';

export interface RetentionCamera {
  id: string;
  maxRecordMinutes: number;
  eventRetentionDays: number;
  recordMode: RecordMode;
  motionPaddingSec: number;
}

export interface RetentionClip {
  id: string;
  cameraId: string;
  source: ClipSource;
  startedAt: Date;
  durationSec: number;
}

export interface RetentionAnalysis {
  clipId: string;
  status: AnalysisStatus;
  /** seconds from the clip's start; null: no motion */
  motionFirstSec: number | null;
  motionLastSec: number | null;
}

export interface RetentionEvent {
  clipId: string;
  startedAt: Date;
  endedAt: Date;
}

export interface RetentionInput {
  now: Date;
  /** every camera that exists */
  cameras: readonly RetentionCamera[];
  /**
   * clips not deleted yet: the candidates, and for a motion-only camera every recorded clip near a
   * candidate (a neighbour left out would be taken for "no motion there")
   */
  clips: readonly RetentionClip[];
  analyses: readonly RetentionAnalysis[];
  /** events of the clips given */
  events: readonly RetentionEvent[];
  /** motion-only: a clip nothing was recorded after is deleted this long after its padding ended (default 600 s) */
  settleSec?: number;
}

export interface RetentionDecision {
  clipId: string;
  cameraId: string;
  reason: ClipDeleteReason;
  /** for the log */
  why: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** Clips the ring and motion rules apply to: cut from a camera's stream (main or sub) or pushed by a device. */
export function isRecorded(clip: Pick<RetentionClip, 'source'>): boolean {
  return clip.source === 'recording' || clip.source === 'substream' || clip.source === 'push';
}

const endOf = (clip: RetentionClip) => clip.startedAt.getTime() + clip.durationSec * 1000;

export function decideRetention(input: RetentionInput): RetentionDecision[] {
  const now = input.now.getTime();
  const settleMs = (input.settleSec ?? 600) * 1000;
  const cameras = new Map(input.cameras.map((camera) => [camera.id, camera]));
  const analyses = new Map(input.analyses.map((analysis) => [analysis.clipId, analysis]));
  const eventsByClip = new Map<string, RetentionEvent[]>();
  for (const event of input.events) eventsByClip.set(event.clipId, [...(eventsByClip.get(event.clipId) ?? []), event]);
  const recordedByCamera = new Map<string, RetentionClip[]>();
  for (const clip of input.clips) {
    if (isRecorded(clip)) recordedByCamera.set(clip.cameraId, [...(recordedByCamera.get(clip.cameraId) ?? []), clip]);
  }

  const decisions: RetentionDecision[] = [];
  const seen = new Set<string>();
  for (const clip of [...input.clips].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())) {
    if (seen.has(clip.id)) continue;
    seen.add(clip.id);
    const decide = (reason: ClipDeleteReason, why: string) => decisions.push({ clipId: clip.id, cameraId: clip.cameraId, reason, why });
    const camera = cameras.get(clip.cameraId);
    if (!camera) {
      decide('camera-deleted', 'its camera was deleted');
      continue;
    }
    if (!isRecorded(clip)) continue;
    const holdsEvent = (eventsByClip.get(clip.id)?.length ?? 0) > 0;
    const ringStart = now - camera.maxRecordMinutes * 60_000;
    if (endOf(clip) < ringStart) {
      if (!holdsEvent) {
        decide('retention', `ended before the camera's ring of ${camera.maxRecordMinutes} min`);
      } else if (clip.startedAt.getTime() < now - camera.eventRetentionDays * DAY_MS) {
        decide('events', `holds events and is older than the ${camera.eventRetentionDays} day(s) events are kept`);
      }
      continue;
    }
    if (camera.recordMode === 'motion' && !holdsEvent && motionFreeAndSettled(clip, camera, recordedByCamera.get(clip.cameraId) ?? [], analyses, eventsByClip, now, settleMs)) {
      decide('motion', `no motion within ${camera.motionPaddingSec} s of it (motion-only recording)`);
    }
  }
  return decisions;
}

/**
 * The clip was analysed and had no motion, nor had any clip of its camera within the padding, and
 * that will not change: every clip there is analysed and the recording has gone past the padding.
 * Anything unknown (not analysed yet, analysis failed) keeps the clip.
 */
function motionFreeAndSettled(
  clip: RetentionClip,
  camera: RetentionCamera,
  recorded: readonly RetentionClip[],
  analyses: ReadonlyMap<string, RetentionAnalysis>,
  eventsByClip: ReadonlyMap<string, readonly RetentionEvent[]>,
  now: number,
  settleMs: number,
): boolean {
  const own = analyses.get(clip.id);
  if (own?.status !== 'done' || own.motionFirstSec !== null) return false;
  const paddingMs = Math.max(0, camera.motionPaddingSec) * 1000;
  const windowStart = clip.startedAt.getTime() - paddingMs;
  const windowEnd = endOf(clip) + paddingMs;
  const overlapsWindow = (from: number, to: number) => from <= windowEnd && to >= windowStart;
  for (const neighbour of recorded) {
    if (neighbour.id === clip.id || !overlapsWindow(neighbour.startedAt.getTime(), endOf(neighbour))) continue;
    const analysis = analyses.get(neighbour.id);
    if (analysis?.status !== 'done') return false; // not analysed yet, or its motion is unknown (failed)
    if (analysis.motionFirstSec !== null) {
      const start = neighbour.startedAt.getTime();
      if (overlapsWindow(start + analysis.motionFirstSec * 1000, start + (analysis.motionLastSec ?? analysis.motionFirstSec) * 1000)) return false;
    }
    if ((eventsByClip.get(neighbour.id) ?? []).some((event) => overlapsWindow(event.startedAt.getTime(), event.endedAt.getTime()))) return false;
  }
  const recordedPastPadding = recorded.some((other) => other.id !== clip.id && endOf(other) >= windowEnd);
  return recordedPastPadding || now >= windowEnd + settleMs;
}

export interface SizedClip {
  id: string;
  startedAt: Date;
  /** as the clips table says (bigint as text) */
  sizeBytes: string;
}

/**
 * The disk guard's pick: the oldest clips (any camera, any kind, events or not) whose sizes add up
 * to what is missing from `minFreeBytes`. The caller deletes them, measures again and asks again
 * while the disk is still too full (sizes in the table may be off; the disk is the truth).
 */
export function planDiskRelief<T extends SizedClip>(clips: readonly T[], freeBytes: number, minFreeBytes: number): T[] {
  if (freeBytes >= minFreeBytes) return [];
  const missing = minFreeBytes - freeBytes;
  const oldestFirst = [...clips].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id.localeCompare(b.id));
  const picked: T[] = [];
  let freed = 0;
  for (const clip of oldestFirst) {
    if (freed >= missing) break;
    picked.push(clip);
    freed += Math.max(0, Number(clip.sizeBytes) || 0);
  }
  return picked;
}
