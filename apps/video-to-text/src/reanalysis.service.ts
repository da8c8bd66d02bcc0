import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, In, IsNull, LessThan, Not, QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { OutboxService } from '@cameramonit/bus';
import { CameramonitError, Topics, type ClipSource, type EventCreatedPayload, type EventUpdatedPayload, type MotionSpan, type ReanalysisCompletedPayload } from '@cameramonit/contracts';
import { AnalysisEntity, CameraEntity, ClipEntity, DetectedObjectEntity, EventEntity, ReanalysisEntity } from '@cameramonit/db';
import type { SceneState } from '@cameramonit/vision';
import { AnalysisEngine } from './analysis-engine.service.js';
import type { ClipSettings } from './camera-settings.js';
import { workerId } from './clip-analysis.service.js';
import { betterMomentHere, continuedEventChanges, newEventRow, parseZones, type EventFields } from './event-rows.js';
import { compareEvents, countByKindAndLabel, eventChanges, reportText, type ReanalysisReport, type ReportedEvent } from './reanalysis-report.js';
import { follows, gapSec } from './scene-carry.js';

/** The longest range one re-analysis may cover. */
const MAX_RANGE_DAYS = 31;
/** a running re-analysis not touched for this long belongs to a worker that died */
const STALE_MS = 5 * 60_000;
/** clips starting this long before `from` may still reach into the range */
const LONGEST_CLIP_MS = 6 * 3600_000;

/** A new event of the re-analysis, before it is written. */
interface PendingEvent {
  id: string;
  fields: EventFields;
}

interface PendingObject {
  clipId: string;
  /** the pending event's id */
  eventId: string | null;
  fields: Omit<DetectedObjectEntity, 'id' | 'createdAt' | 'eventId' | 'clipId'>;
}

/**
 * Re-runs the analysis of a camera's clips in a time range with its current settings, in order
 * and with the scene carried between recorded clips, then replaces their events in one
 * transaction: events that are still there keep their id (their chat message is updated in
 * place), gone ones are deleted, new ones are added silently (never emailed again). The report
 * says what changed; the camera's thread gets it as one message. One at a time per camera.
 */
@Injectable()
export class ReanalysisService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReanalysisService.name);
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly engine: AnalysisEngine,
  ) {}

  onApplicationBootstrap(): void {
    void this.catchUp();
    this.timer = setInterval(() => void this.catchUp(), 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.timer);
  }

  /** Starts a re-analysis; 409 while one of the same camera is queued or running. */
  async start(cameraId: string, from: Date, to: Date, requestedBy: string | null): Promise<ReanalysisEntity> {
    if (!(from.getTime() < to.getTime())) throw new CameramonitError('INVALID_RANGE', '"from" must be before "to"', 400);
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) throw new CameramonitError('INVALID_RANGE', `A re-analysis covers at most ${MAX_RANGE_DAYS} days; split the range`, 400);
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId });
    if (!camera) throw new CameramonitError('UNKNOWN_CAMERA', `No camera ${cameraId}`, 404);
    const clips = await this.clipsIn(cameraId, from, to);
    if (!clips.length) throw new CameramonitError('NO_CLIPS', `Camera "${camera.name}" has no clips between ${from.toISOString()} and ${to.toISOString()}`, 422);
    const reanalyses = this.db.getRepository(ReanalysisEntity);
    let saved: ReanalysisEntity;
    try {
      saved = await reanalyses.save({
        cameraId, activeCameraId: cameraId, fromAt: from, toAt: to, status: 'queued', progress: 0, clipCount: clips.length, clipsDone: 0,
        requestedBy, settings: null, report: null, errorCode: null, error: null, workerId, finishedAt: null,
      });
    } catch (error) {
      if (!(error instanceof QueryFailedError)) throw error;
      const active = await reanalyses.findOneBy({ activeCameraId: cameraId });
      throw new CameramonitError('REANALYSIS_RUNNING', `A re-analysis of camera "${camera.name}" is already ${active?.status ?? 'running'}${active ? ` (${active.id}, ${Math.round(active.progress * 100)}%)` : ''}; start another when it has finished`, 409);
    }
    void this.runSafely(saved.id);
    return saved;
  }

  get(id: string): Promise<ReanalysisEntity | null> {
    return this.db.getRepository(ReanalysisEntity).findOneBy({ id });
  }

  /** Re-analyses left by a worker that died: failed, so the camera is free again (nothing was replaced). */
  private async catchUp(): Promise<void> {
    try {
      const stale = await this.db.getRepository(ReanalysisEntity).findBy({ status: In(['queued', 'running']), updatedAt: LessThan(new Date(Date.now() - STALE_MS)) });
      for (const row of stale) {
        if (this.running.has(row.id)) continue;
        await this.finishFailed(row, new CameramonitError('REANALYSIS_INTERRUPTED', 'The worker running it stopped; nothing was changed. Start it again', 500));
      }
    } catch (error) {
      this.logger.error(`Looking for interrupted re-analyses failed: ${(error as Error).message}`);
    }
  }

  private async runSafely(id: string): Promise<void> {
    this.running.add(id);
    try {
      await this.run(id);
    } catch (error) {
      const row = await this.get(id).catch(() => null);
      this.logger.warn(`Re-analysis ${id} failed: ${(error as Error).message}`);
      if (row) await this.finishFailed(row, error).catch((e: unknown) => this.logger.error(`Could not record the failure of re-analysis ${id}: ${(e as Error).message}`));
    } finally {
      this.running.delete(id);
    }
  }

  /** Clips of the camera that overlap the range, in time order. */
  private async clipsIn(cameraId: string, from: Date, to: Date): Promise<ClipEntity[]> {
    const clips = await this.db.getRepository(ClipEntity).find({
      // a clip retention deleted has no file to analyse again; its events stay as they are
      where: { cameraId, startedAt: Between(new Date(from.getTime() - LONGEST_CLIP_MS), to), deletedAt: IsNull() },
      order: { startedAt: 'ASC' },
    });
    return clips.filter((clip) => clip.startedAt.getTime() + clip.durationSec * 1000 > from.getTime());
  }

  private async run(id: string): Promise<void> {
    const reanalyses = this.db.getRepository(ReanalysisEntity);
    const row = await reanalyses.findOneByOrFail({ id });
    const camera = await this.db.getRepository(CameraEntity).findOneByOrFail({ id: row.cameraId });
    const settings = this.engine.settingsFor(camera);
    const allClips = await this.clipsIn(row.cameraId, row.fromAt, row.toAt);
    const analyses = new Map((await this.db.getRepository(AnalysisEntity).findBy({ clipId: In(allClips.map((c) => c.id)) })).map((a) => [a.clipId, a]));
    // a clip still being analysed for the first time is left to that analysis; a main-stream clip
    // skipped for the camera's sub-stream stays skipped (the sub-stream's clips in the range are analysed again)
    const clips = allClips.filter((clip) => !['queued', 'analysing', 'skipped'].includes(analyses.get(clip.id)?.status ?? 'queued'));
    await reanalyses.update({ id }, { status: 'running', clipCount: clips.length, settings: JSON.stringify(settings.settings), workerId });
    this.logger.log(`Re-analysis ${id} of camera ${camera.name}: ${clips.length} clip(s) from ${row.fromAt.toISOString()} to ${row.toAt.toISOString()}, settings ${settings.hash}`);

    const pending: PendingEvent[] = [];
    const byKey = new Map<string, PendingEvent>();
    const objects: PendingObject[] = [];
    const scenes = new Map<string, SceneState>();
    const motions = new Map<string, MotionSpan>();
    const failed: ReanalysisReport['clipsFailed'] = [];
    const work = await mkdtemp(join(tmpdir(), 'cm-reanalysis-'));
    try {
      // each stream of the camera is a chain of its own (where its sub-stream was down, main clips were analysed)
      const previousOf = new Map<ClipSource, ClipEntity>();
      for (const [index, clip] of clips.entries()) {
        if (this.stopping) throw new CameramonitError('REANALYSIS_INTERRUPTED', 'The worker is stopping; nothing was changed. Start it again', 503);
        const previous = previousOf.get(clip.source) ?? null;
        const previousScene: SceneState | null = previous && follows(previous, clip) ? (scenes.get(previous.id) ?? null) : null;
        const carry = previous && previousScene ? { state: previousScene, gapSec: Math.max(0, gapSec(previous, clip)) } : null;
        // progress within a long clip too: it also shows other workers that this one is alive
        let lastSaved = Date.now();
        const onProgress = (progress: { fraction: number }) => {
          if (Date.now() - lastSaved < 5000) return;
          lastSaved = Date.now();
          void reanalyses.update({ id }, { progress: ((index + progress.fraction) / clips.length) * 0.98 }).catch(() => undefined);
        };
        try {
          await this.engine.exclusive(() => this.reanalyseClip(clip, camera, settings, carry, work, { pending, byKey, objects, scenes, motions }, onProgress));
        } catch (error) {
          const known = error instanceof CameramonitError;
          failed.push({ clipId: clip.id, code: known ? error.code : 'ANALYSIS_ERROR', message: `${clip.originalName ?? clip.id}: ${(error as Error).message}` });
          this.logger.warn(`Re-analysis ${id}: clip ${clip.id} failed: ${(error as Error).message}`);
        }
        previousOf.set(clip.source, clip);
        await reanalyses.update({ id }, { clipsDone: index + 1, progress: (index + 1) / clips.length * 0.98 });
      }
      const analysedClipIds = clips.map((c) => c.id).filter((clipId) => !failed.some((f) => f.clipId === clipId));
      const stillAnalysing = allClips.filter((clip) => ['queued', 'analysing'].includes(analyses.get(clip.id)?.status ?? 'queued')).length;
      await this.replace(row, camera, settings, analysedClipIds, { pending, objects, scenes, motions }, failed, stillAnalysing);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** One clip: analysed, its events merged into the pending ones (a continued event extends its pending row), media written. */
  private async reanalyseClip(
    clip: ClipEntity,
    camera: CameraEntity,
    settings: ClipSettings,
    carry: { state: SceneState; gapSec: number } | null,
    work: string,
    into: { pending: PendingEvent[]; byKey: Map<string, PendingEvent>; objects: PendingObject[]; scenes: Map<string, SceneState>; motions: Map<string, MotionSpan> },
    onProgress: (progress: { fraction: number }) => void,
  ): Promise<void> {
    const clipWork = await mkdtemp(join(work, 'clip-'));
    try {
      const { videoFile, info } = await this.engine.download(clip, clipWork);
      const analysed = await this.engine.analyse(videoFile, info, settings, carry, onProgress, { motionOnly: camera.recordMode === 'motion' });
      into.scenes.set(clip.id, analysed.sceneState);
      into.motions.set(clip.id, analysed.result.motion);
      const eventOfTrack = new Map<number, string>();
      for (const event of analysed.result.events) {
        const open = event.continued ? into.byKey.get(event.key) : undefined;
        if (open) {
          const media = betterMomentHere(open.fields, event) ? await this.engine.writeEventMedia(clip, camera, analysed, videoFile, clipWork, event, randomUUID()) : null;
          Object.assign(open.fields, continuedEventChanges(open.fields, event, clip, media));
          for (const trackId of event.trackIds) eventOfTrack.set(trackId, open.id);
          continue;
        }
        const id = randomUUID();
        const media = await this.engine.writeEventMedia(clip, camera, analysed, videoFile, clipWork, event, id);
        const created = { id, fields: newEventRow(event, clip, media, true) };
        into.pending.push(created);
        into.byKey.set(event.key, created);
        for (const trackId of event.trackIds) eventOfTrack.set(trackId, id);
      }
      for (const track of analysed.result.tracks) {
        into.objects.push({
          clipId: clip.id,
          eventId: eventOfTrack.get(track.id) ?? null,
          fields: { cameraId: clip.cameraId, trackNo: track.id, label: track.label, confidence: track.bestConfidence, firstSec: track.firstSec, lastSec: track.lastSec, stationary: track.stationary, box: JSON.stringify(track.bestBox), bestSec: track.bestSec },
        });
      }
    } finally {
      await rm(clipWork, { recursive: true, force: true });
    }
  }

  /** Swaps the clips' events for the new ones in one transaction, and tells the chat. */
  private async replace(
    row: ReanalysisEntity,
    camera: CameraEntity,
    settings: ClipSettings,
    clipIds: string[],
    results: { pending: PendingEvent[]; objects: PendingObject[]; scenes: Map<string, SceneState>; motions: Map<string, MotionSpan> },
    clipsFailed: ReanalysisReport['clipsFailed'],
    clipsSkipped: number,
  ): Promise<void> {
    const outcome = await this.db.transaction(async (manager) => {
      const current = await manager.getRepository(ReanalysisEntity).findOneBy({ id: row.id });
      if (current?.status !== 'running') throw new CameramonitError('REANALYSIS_INTERRUPTED', `The re-analysis was ${current?.status ?? 'removed'} meanwhile; nothing was changed`, 409);
      const events = manager.getRepository(EventEntity);
      // what analyser plugins added (kind 'plugin') is theirs, not the engine's: a re-analysis leaves it alone
      const old = clipIds.length ? await events.findBy({ cameraId: row.cameraId, clipId: In(clipIds), kind: Not('plugin') }) : [];
      const comparison = compareEvents(old.map(reported), results.pending.map((p) => reported({ id: p.id, ...p.fields })));
      // an event that is still there keeps its id (and whether it may be pushed): links, answers and emails stay valid
      const finalId = new Map(results.pending.map((p) => [p.id, p.id]));
      for (const { before, after } of comparison.matched) finalId.set(after.id, before.id);
      const oldById = new Map(old.map((e) => [e.id, e]));
      await this.deleteIn(manager, DetectedObjectEntity, clipIds, row.cameraId);
      const removedIds = comparison.removed.map((e) => e.id);
      if (removedIds.length) await events.delete({ id: In(removedIds) });
      const changedIds: string[] = [];
      const addedIds: string[] = [];
      for (const event of results.pending) {
        const id = finalId.get(event.id) as string;
        const previous = oldById.get(id);
        if (previous) {
          await events.update({ id }, { ...event.fields, silent: previous.silent });
          changedIds.push(id);
        } else {
          await events.insert({ id, ...event.fields });
          addedIds.push(id);
        }
      }
      for (const object of results.objects) {
        await manager.getRepository(DetectedObjectEntity).insert({ ...object.fields, clipId: object.clipId, eventId: object.eventId ? (finalId.get(object.eventId) ?? null) : null });
      }
      for (const clipId of clipIds) {
        const scene = results.scenes.get(clipId);
        const motion = results.motions.get(clipId);
        await manager.getRepository(AnalysisEntity).update(
          { clipId },
          {
            status: 'done',
            errorCode: null,
            error: null,
            settings: JSON.stringify(settings.settings),
            ...(scene ? { sceneState: JSON.stringify(scene) } : {}),
            // other settings (motion sensitivity, masks) may move where the clip had motion
            ...(motion ? { motionFirstSec: motion.firstSec, motionLastSec: motion.lastSec } : {}),
            // looked at again in full (a re-analysis is never behind)
            ...(scene ? { keyFramesOnly: false } : {}),
          },
        );
      }
      const changed = comparison.matched.map(({ before, after }) => ({ before, after: { ...after, id: before.id }, changes: eventChanges(before, after) }));
      const report: ReanalysisReport = {
        from: row.fromAt.toISOString(),
        to: row.toAt.toISOString(),
        clips: clipIds.length,
        clipsFailed,
        clipsSkipped,
        settings: settings.settings,
        settingsHash: settings.hash,
        before: countByKindAndLabel(old.map(reported)),
        after: countByKindAndLabel(results.pending.map((p) => reported({ id: p.id, ...p.fields }))),
        added: comparison.added,
        removed: comparison.removed,
        changed: changed.filter((c) => c.changes.length > 0),
        unchanged: changed.filter((c) => c.changes.length === 0).length,
      };
      for (const eventId of changedIds) {
        const payload: EventUpdatedPayload = { eventId, cameraId: row.cameraId, reason: 'reanalysed' };
        await this.outbox.add(manager, Topics.eventUpdated, payload);
      }
      for (const eventId of addedIds) {
        // shown in the thread; the notifier skips it (silent)
        const payload: EventCreatedPayload = { eventId, cameraId: row.cameraId, clipId: results.pending.find((p) => finalId.get(p.id) === eventId)?.fields.clipId ?? '' };
        await this.outbox.add(manager, Topics.eventCreated, payload);
      }
      const completed: ReanalysisCompletedPayload = {
        reanalysisId: row.id, cameraId: row.cameraId, status: 'done', from: report.from, to: report.to,
        text: reportText(report, camera.name), removedEventIds: removedIds, addedEventIds: addedIds, changedEventIds: changedIds,
      };
      await this.outbox.add(manager, Topics.reanalysisCompleted, completed);
      await manager.getRepository(ReanalysisEntity).update({ id: row.id }, { status: 'done', progress: 1, report: JSON.stringify(report), activeCameraId: null, finishedAt: new Date() });
      return report;
    });
    await this.outbox.flush();
    this.logger.log(`Re-analysis ${row.id} done: ${outcome.removed.length} removed, ${outcome.added.length} added, ${outcome.changed.length} changed, ${outcome.unchanged} unchanged`);
  }

  private async deleteIn(manager: EntityManager, entity: typeof DetectedObjectEntity, clipIds: string[], cameraId: string): Promise<void> {
    for (let i = 0; i < clipIds.length; i += 500) await manager.getRepository(entity).delete({ cameraId, clipId: In(clipIds.slice(i, i + 500)) });
  }

  private async finishFailed(row: ReanalysisEntity, error: unknown): Promise<void> {
    const known = error instanceof CameramonitError;
    const code = known ? error.code : 'REANALYSIS_ERROR';
    const message = known ? error.message : `The re-analysis failed unexpectedly (${(error as Error).message ?? String(error)}); nothing was changed`;
    await this.db.transaction(async (manager) => {
      await manager.getRepository(ReanalysisEntity).update({ id: row.id }, { status: 'failed', errorCode: code, error: message.slice(0, 4000), activeCameraId: null, finishedAt: new Date() });
      const payload: ReanalysisCompletedPayload = {
        reanalysisId: row.id, cameraId: row.cameraId, status: 'failed', from: row.fromAt.toISOString(), to: row.toAt.toISOString(),
        text: `The re-analysis from ${row.fromAt.toISOString().slice(0, 16).replace('T', ' ')} to ${row.toAt.toISOString().slice(0, 16).replace('T', ' ')} UTC failed: ${message}`,
        removedEventIds: [], addedEventIds: [], changedEventIds: [],
      };
      await this.outbox.add(manager, Topics.reanalysisCompleted, payload);
    });
    await this.outbox.flush();
  }
}

function reported(event: Pick<EventEntity, 'id' | 'kind' | 'label' | 'count' | 'direction' | 'startedAt' | 'endedAt' | 'summary' | 'zones'>): ReportedEvent {
  return {
    id: event.id,
    kind: event.kind,
    label: event.label,
    count: event.count,
    direction: event.direction,
    startedAt: event.startedAt.toISOString(),
    endedAt: event.endedAt.toISOString(),
    summary: event.summary,
    zones: parseZones(event.zones),
  };
}
