import type { AnalysedEvent } from '@cameramonit/contracts';
import type { EventEntity } from '@cameramonit/db';

/** Where a clip sits in time: events' wall-clock times are its start plus their offsets. */
export interface ClipPlace {
  id: string;
  cameraId: string;
  startedAt: Date;
}

export interface EventMedia {
  snapshotPath: string;
  animationPath: string;
}

/** The vision model's columns: video-to-text's EventDescriptionService writes them, the analysis never does. */
type DescriptionColumns =
  | 'descriptionStatus'
  | 'title'
  | 'description'
  | 'descriptionPl'
  | 'threatLevel'
  | 'descriptionObjects'
  | 'descriptionError'
  | 'descriptionAttempts'
  | 'descriptionModel'
  | 'describedAt'
  | 'descriptionWorker'
  | 'descriptionClaimedAt';

/** The columns of an event row the analysis writes (not id, creation time or the model's description). */
export type EventFields = Omit<EventEntity, 'id' | 'createdAt' | DescriptionColumns>;

const at = (clip: ClipPlace, sec: number) => new Date(clip.startedAt.getTime() + sec * 1000);

/** A new event row for an event of `clip`. `silent`: never pushed (a re-analysis made it). */
export function newEventRow(event: AnalysedEvent, clip: ClipPlace, media: EventMedia | null, silent = false): EventFields {
  return {
    cameraId: clip.cameraId,
    clipId: clip.id,
    kind: event.kind,
    label: event.label,
    count: event.count,
    startedAt: at(clip, event.startSec),
    endedAt: at(clip, event.endSec),
    startSec: event.startSec,
    endSec: event.endSec,
    confidence: event.confidence,
    direction: event.direction,
    summary: event.summary.en,
    summaryPl: event.summary.pl,
    snapshotPath: media?.snapshotPath ?? null,
    animationPath: media?.animationPath ?? null,
    bestSec: event.bestSec,
    sceneKey: event.key,
    zones: JSON.stringify(event.zones),
    dwellSec: event.dwellSec,
    speedPxPerSec: event.speedPxPerSec,
    silent,
  };
}

/**
 * A continued event's pictures are made again only when this clip's best moment is this much more
 * confident than the one they show: a person walking through several clips gains a little in most
 * of them, and new pictures for a hair's difference cost a snapshot, an animation and two uploads.
 */
export const BETTER_MOMENT_MARGIN = 0.05;

/**
 * Is the best moment of `event` (going on in `clip`) in this clip and clearly better than the one
 * the stored event shows? Then its snapshot and animation are made from this clip.
 */
export function betterMomentHere(stored: Pick<EventEntity, 'confidence'>, event: AnalysedEvent): boolean {
  return event.bestSec >= 0 && event.bestBox !== null && event.confidence >= stored.confidence + BETTER_MOMENT_MARGIN - 1e-9;
}

/**
 * The changes to a stored event that goes on in a later clip (`event.continued`): it ends later,
 * counts every object seen so far, and its words describe the whole of it (the engine builds them
 * from the start in the first clip). It keeps its id, first clip and start.
 */
export function continuedEventChanges(stored: EventFields, event: AnalysedEvent, clip: ClipPlace, media: EventMedia | null): Partial<EventFields> {
  const endedAt = new Date(Math.max(stored.endedAt.getTime(), at(clip, event.endSec).getTime()));
  const startedAt = new Date(Math.min(stored.startedAt.getTime(), at(clip, event.startSec).getTime()));
  return {
    startedAt,
    endedAt,
    // offsets stay in the event's first clip
    startSec: stored.startSec - (stored.startedAt.getTime() - startedAt.getTime()) / 1000,
    endSec: stored.startSec + (endedAt.getTime() - stored.startedAt.getTime()) / 1000,
    count: Math.max(stored.count, event.count),
    confidence: Math.max(stored.confidence, event.confidence),
    direction: event.direction === 'none' ? stored.direction : event.direction,
    summary: event.summary.en,
    summaryPl: event.summary.pl,
    zones: JSON.stringify(mergeZones(parseZones(stored.zones), event.zones)),
    dwellSec: Math.max(stored.dwellSec, event.dwellSec),
    speedPxPerSec: event.speedPxPerSec > 0 ? event.speedPxPerSec : stored.speedPxPerSec,
    ...(media ? { snapshotPath: media.snapshotPath, animationPath: media.animationPath } : {}),
  };
}

export function parseZones(json: string | null): string[] {
  if (!json) return [];
  try {
    const zones = JSON.parse(json) as unknown;
    return Array.isArray(zones) ? zones.filter((zone): zone is string => typeof zone === 'string') : [];
  } catch {
    return [];
  }
}

/** The zones of both, the first event's first (its main zone stays the main one). */
function mergeZones(first: string[], then: string[]): string[] {
  return [...new Set([...first, ...then])];
}
