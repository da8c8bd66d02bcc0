import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, In, LessThan, type DataSource } from 'typeorm';
import { BusClient, OutboxService } from '@cameramonit/bus';
import {
  CameramonitError,
  Topics,
  type AnalysedEvent,
  type AnalysisCompletedPayload,
  type AnalysisFailedPayload,
  type AnalysisProgressPayload,
  type EventCreatedPayload,
  type EventUpdatedPayload,
} from '@cameramonit/contracts';
import { AnalysisEntity, CameraEntity, ClipEntity, DetectedObjectEntity, EventEntity } from '@cameramonit/db';
import type { VideoInfo } from '@cameramonit/media';
import type { SceneCarry, VideoAnalysis } from '@cameramonit/vision';
import { AnalysisEngine, type EngineAnalysis } from './analysis-engine.service.js';
import type { ClipSettings } from './camera-settings.js';
import { betterMomentHere, continuedEventChanges, newEventRow, type EventMedia } from './event-rows.js';
import { decideMainClip } from './analysis-stream.js';
import { decideCarry, isLiveStream, type CarryDecision } from './scene-carry.js';

const MAX_ATTEMPTS = 3;
/** an 'analysing' row not touched for this long belongs to a worker that died */
const STALE_MS = 2 * 60_000;
const BROWSER_CODECS = new Set(['h264']);
/** failures that may pass by themselves: tried again (up to MAX_ATTEMPTS) instead of failing the clip */
const RETRIED_CODES = new Set(['STORAGE_READ_FAILED', 'STORAGE_WRITE_FAILED', 'FFMPEG_TIMEOUT']);
/** a clip whose previous recorded clip is still being analysed is looked at again after this */
const CARRY_RETRY_MS = 1000;
/** ...and gives up waiting (starting a fresh scene) after this */
const CARRY_MAX_WAIT_MS = 120_000;
/** a recording stored with no clip right before it waits this long (after it was stored) for one to be stored */
const MISSING_PREVIOUS_WAIT_MS = 5000;
/** how often the worker says how many clips it analysed on their key frames only because it was behind */
const BEHIND_REPORT_MS = 60_000;

/** Wall-clock time of each stage of a clip's analysis, for the log line: "fetch 40 ms, analyse 900 ms, ...". */
class StageTimer {
  private readonly spent: [string, number][] = [];

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.spent.push([stage, performance.now() - started]);
    }
  }

  toString(): string {
    return this.spent.map(([stage, ms]) => `${stage} ${Math.round(ms)} ms`).join(', ');
  }
}

/** "13 runs, 9 whole frames, 1061 ms": how much of the clip's time the object detector took; and whether the key frames sufficed. */
function detectorSummary(stats: VideoAnalysis['stats']): string {
  const whole = stats.detectorCalls.filter((call) => call.wholeFrame).length;
  const look = stats.keyFrameLook;
  const frames = !look
    ? ''
    : look.outcome === 'kept'
      ? `; ${look.frames} key frames only`
      : look.outcome === 'only'
        ? `; ${look.frames} key frames only, the worker being behind`
        : `; key frames given up: ${look.reason}`;
  return `${stats.detectorRuns} runs, ${whole} whole frames, ${Math.round(stats.detectorMsTotal)} ms${frames}`;
}

/** What committing a clip does with each of its events. */
type EventPlan =
  | { action: 'insert'; id: string; event: AnalysedEvent; media: EventMedia }
  | { action: 'continue'; row: EventEntity; event: AnalysedEvent; media: EventMedia | null };

/** This worker; the same after a restart, so it takes back what it left half-done. */
export const workerId = `${hostname()}:${process.env.INSTANCE_ID ?? 'main'}`.slice(0, 80);

/**
 * The video-to-text worker: each stored clip is analysed once (claimed through the unique
 * `analyses.clipId`) with its camera's current settings; a recorded clip that follows the
 * camera's previous one starts with that clip's scene (waiting for it when another worker is
 * still on it), so an object crossing the boundary stays one track and one event: the event's
 * row is updated in place. Events get a snapshot and an animation next to the clip, and
 * everything is written with the outbox messages in one transaction.
 */
@Injectable()
export class ClipAnalysisService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClipAnalysisService.name);
  private readonly queued = new Set<string>();
  /** clips waiting for their previous clip, since when, and why (logged when it changes) */
  private readonly waitingSince = new Map<string, number>();
  private readonly waitReasons = new Map<string, string>();
  /** main-stream clips waiting for their sub-stream clips, since when */
  private readonly streamWaitSince = new Map<string, number>();
  private readonly retries = new Set<NodeJS.Timeout>();
  /**
   * How long each queued clip has waited for its turn behind other clips (not counting the pauses of
   * a clip waiting for its previous clip to be stored): one that waited longer than
   * ANALYSIS_BEHIND_SECONDS is looked at on its key frames only
   */
  private readonly waitedMs = new Map<string, number>();
  /** recorded clips analysed since the last report, how many on their key frames only, and the longest wait */
  private behind = { since: Date.now(), analysed: 0, keyFramesOnly: 0, longestWaitMs: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly bus: BusClient,
    private readonly engine: AnalysisEngine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.ready();
    void this.catchUp();
    this.timer = setInterval(() => void this.catchUp(), 30_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.timer);
    for (const retry of this.retries) clearTimeout(retry);
  }

  /** Clips never analysed (oldest first, so a camera's recordings go in order), or left half-done by a worker that died. */
  private async catchUp(): Promise<void> {
    try {
      const clips = await this.db
        .getRepository(ClipEntity)
        .createQueryBuilder('c')
        .leftJoin(AnalysisEntity, 'a', 'a.clipId = c.id')
        .where('a.id IS NULL')
        // a clip storage deleted before it was analysed (disk nearly full, camera deleted) has no file to analyse
        .andWhere('c.deletedAt IS NULL')
        .orderBy('c.startedAt', 'ASC')
        .limit(100)
        .getMany();
      const stale = await this.db.getRepository(AnalysisEntity).find({
        where: [
          { status: In(['queued', 'analysing']), updatedAt: LessThan(new Date(Date.now() - STALE_MS)) },
          { status: In(['queued', 'analysing']), workerId },
        ],
        take: 100,
      });
      for (const id of [...clips.map((c) => c.id), ...stale.map((a) => a.clipId)]) this.enqueue(id);
    } catch (error) {
      this.logger.error(`Looking for clips to analyse failed (will look again): ${(error as Error).message}`);
    }
  }

  enqueue(clipId: string): void {
    if (this.queued.has(clipId) || this.stopping) return;
    this.queued.add(clipId);
    const queuedAt = Date.now();
    void this.engine
      .exclusive(() => {
        this.waitedMs.set(clipId, (this.waitedMs.get(clipId) ?? 0) + Date.now() - queuedAt);
        return this.analyse(clipId);
      })
      .catch((error: unknown) => {
        this.logger.error(`Analysis of ${clipId} crashed: ${(error as Error).stack}`);
        return 'done' as const;
      })
      .then((outcome) => {
        if (outcome === 'wait') return this.retryLater(clipId);
        this.queued.delete(clipId);
        this.waitedMs.delete(clipId);
        this.waitingSince.delete(clipId);
        this.waitReasons.delete(clipId);
        this.streamWaitSince.delete(clipId);
      });
  }

  /** Look at the clip again soon; other cameras' clips go first meanwhile. */
  private retryLater(clipId: string): void {
    const retry = setTimeout(() => {
      this.retries.delete(retry);
      this.queued.delete(clipId);
      this.enqueue(clipId);
    }, CARRY_RETRY_MS);
    retry.unref();
    this.retries.add(retry);
  }

  /** Take the clip for this worker; false if another has it or it is finished. */
  private async claim(clip: ClipEntity): Promise<AnalysisEntity | null> {
    const analyses = this.db.getRepository(AnalysisEntity);
    const existing = await analyses.findOneBy({ clipId: clip.id });
    if (!existing) {
      try {
        return await analyses.save({ clipId: clip.id, cameraId: clip.cameraId, status: 'analysing', progress: 0, attempts: 1, workerId, errorCode: null, error: null, playablePath: null, finishedAt: null, sceneState: null, settings: null });
      } catch {
        return null; // another worker inserted it first
      }
    }
    if (!this.claimable(existing)) return null;
    if (existing.attempts >= MAX_ATTEMPTS) {
      // it was tried often enough (a clip that keeps killing the worker): say so and stop
      const gaveUp = { ...existing, attempts: MAX_ATTEMPTS };
      await this.fail(clip, gaveUp, new CameramonitError('ANALYSIS_GAVE_UP', `The analysis stopped ${MAX_ATTEMPTS} times without finishing; the clip may be damaged`, 500));
      return null;
    }
    const result = await analyses.update({ id: existing.id, updatedAt: existing.updatedAt }, { status: 'analysing', attempts: existing.attempts + 1, progress: 0, workerId });
    return result.affected ? { ...existing, status: 'analysing', attempts: existing.attempts + 1, workerId } : null;
  }

  /** Finished, or being analysed by a live worker: not for this one. */
  private claimable(existing: AnalysisEntity): boolean {
    // an analysis of this worker that is not running now was left by its previous process
    const abandoned = existing.updatedAt.getTime() < Date.now() - STALE_MS || existing.workerId === workerId;
    return !(existing.status === 'done' || existing.status === 'failed' || existing.status === 'skipped' || (existing.status === 'analysing' && !abandoned));
  }

  /** 'wait': the clip's previous recorded clip is still being analysed; look again later. */
  private async analyse(clipId: string): Promise<'done' | 'wait'> {
    const clip = await this.db.getRepository(ClipEntity).findOneBy({ id: clipId });
    if (!clip) return 'done';
    if (clip.deletedAt) {
      await this.dropDeleted(clip);
      return 'done';
    }
    const existing = await this.db.getRepository(AnalysisEntity).findOneBy({ clipId });
    if (existing && !this.claimable(existing)) return 'done';
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: clip.cameraId });
    const stream = await this.streamFor(clip, camera, existing);
    if (stream === 'wait') return 'wait';
    if (stream === 'skipped') return 'done';
    const decision = await this.carryFor(clip);
    if (decision.action === 'wait') return 'wait';
    const analysis = await this.claim(clip);
    if (!analysis) return 'done';
    const carry = decision.action === 'carry' ? decision.carry : null;
    const settings = this.engine.settingsFor(camera);
    // the worker is behind: this recorded clip waited too long; a light look keeps events coming within seconds
    const waitedMs = this.waitedMs.get(clipId) ?? 0;
    const behind = isLiveStream(clip.source) && this.engine.behindSeconds > 0 && waitedMs > this.engine.behindSeconds * 1000;
    const work = await mkdtemp(join(tmpdir(), 'cm-analysis-'));
    try {
      this.progress(clip, 0, 'analysing');
      const stages = new StageTimer();
      const { videoFile, info } = await stages.time('fetch', () => this.engine.download(clip, work));
      const [analysed, playablePath] = await stages.time('analyse', () =>
        Promise.all([
          this.engine.analyse(videoFile, info, settings, carry, this.onProgress(clip, analysis), {
            motionOnly: camera?.recordMode === 'motion',
            keyFramesOnly: behind,
            stream: isLiveStream(clip.source) ? `${clip.cameraId}:${clip.source}` : undefined,
          }),
          this.makePlayable(clip, info, videoFile, work),
        ]),
      );
      this.progress(clip, 0.97, 'writing');
      const plans = await stages.time('media', () => this.planEvents(clip, camera, analysed, videoFile, work));
      await stages.time('commit', () => this.commit(clip, analysis, analysed, plans, playablePath, settings));
      this.progress(clip, 1, 'done');
      const continued = plans.filter((plan) => plan.action === 'continue').length;
      this.logger.log(
        `Analysed clip ${clip.id} (${clip.originalName ?? clip.path}): ${plans.length - continued} new event(s)${continued ? `, ${continued} continued` : ''}` +
          `${carry && decision.action === 'carry' ? `, scene carried from clip ${decision.previousClipId}` : ''}, settings ${settings.hash}, ${analysed.stats.speedVsRealtime.toFixed(1)}x realtime (${stages}; detector ${detectorSummary(analysed.stats)})` +
          `${behind ? `; it waited ${(waitedMs / 1000).toFixed(1)} s` : ''}`,
      );
      if (isLiveStream(clip.source)) this.noteBehind(waitedMs, analysed.stats.keyFrameLook?.outcome === 'only');
    } catch (error) {
      await this.fail(clip, analysis, error);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return 'done';
  }

  /**
   * Counts the recorded clips analysed and those looked at on their key frames only; once a minute,
   * when any were, says so (with what would let every clip be analysed in full).
   */
  private noteBehind(waitedMs: number, keyFramesOnly: boolean): void {
    const report = this.behind;
    report.analysed++;
    if (keyFramesOnly) report.keyFramesOnly++;
    report.longestWaitMs = Math.max(report.longestWaitMs, waitedMs);
    const spentMs = Date.now() - report.since;
    if (spentMs < BEHIND_REPORT_MS) return;
    if (report.keyFramesOnly > 0) {
      this.logger.warn(
        `Behind: ${report.keyFramesOnly} of the ${report.analysed} recorded clips of the last ${Math.round(spentMs / 1000)} s were analysed on their key frames only ` +
          `(they waited over ${this.engine.behindSeconds} s; the longest ${(report.longestWaitMs / 1000).toFixed(1)} s). ` +
          'More cameras are busy than this worker analyses in full: more video-to-text workers (VIDEO_TO_TEXT_WORKERS) on spare cores, sub-streams for analysis, or fewer cameras per worker would let every clip be analysed in full.',
      );
    }
    this.behind = { since: Date.now(), analysed: 0, keyFramesOnly: 0, longestWaitMs: 0 };
  }

  /**
   * Storage deleted the clip (its ring ended, the disk was full) before an analysis finished: there
   * is no file to analyse. An unfinished analysis row ends as failed, quietly: nobody is told about
   * a clip that is gone, and catch-up stops picking it up.
   */
  private async dropDeleted(clip: ClipEntity): Promise<void> {
    const result = await this.db
      .getRepository(AnalysisEntity)
      .update({ clipId: clip.id, status: In(['queued', 'analysing']) }, { status: 'failed', errorCode: 'CLIP_DELETED', error: `Storage deleted the clip (${clip.deleteReason ?? 'retention'}) before it was analysed` });
    if (result.affected) this.logger.log(`Clip ${clip.id} was deleted by storage (${clip.deleteReason ?? 'retention'}) before its analysis finished; not analysed`);
  }

  /**
   * A main-stream clip of a camera analysed from its sub-stream is skipped once the sub-stream's
   * clips cover its time (analysis-stream.ts); 'analyse' for every other clip.
   */
  private async streamFor(clip: ClipEntity, camera: CameraEntity | null, existing: AnalysisEntity | null): Promise<'analyse' | 'wait' | 'skipped'> {
    if (clip.source !== 'recording' || existing) return 'analyse';
    const analysedFromSubStream = camera?.sourceKind === 'rtsp' && Boolean(camera.subStreamUrl) && camera.recordMode === 'continuous';
    if (!analysedFromSubStream) return 'analyse';
    const clips = this.db.getRepository(ClipEntity);
    const end = new Date(clip.startedAt.getTime() + clip.durationSec * 1000);
    // the sub-stream clips up to this clip's end (the overlap is sorted out in decideMainClip), and the camera's newest (is the sub-stream running?)
    const subClips = await clips.find({
      select: { id: true, startedAt: true, durationSec: true },
      where: { cameraId: clip.cameraId, source: 'substream', startedAt: Between(new Date(clip.startedAt.getTime() - 3600_000), end) },
      order: { startedAt: 'DESC' },
      take: 50,
    });
    const latest = await clips.findOne({ select: { id: true, startedAt: true, durationSec: true }, where: { cameraId: clip.cameraId, source: 'substream' }, order: { startedAt: 'DESC' } });
    const since = this.streamWaitSince.get(clip.id) ?? Date.now();
    const decision = decideMainClip({
      clip,
      analysedFromSubStream,
      subClips,
      latestSubEndMs: latest ? latest.startedAt.getTime() + latest.durationSec * 1000 : null,
      waitedMs: Date.now() - since,
      maxWaitMs: 2 * clip.durationSec * 1000 + 5000,
    });
    if (decision.action === 'wait') {
      this.streamWaitSince.set(clip.id, since);
      return 'wait';
    }
    this.streamWaitSince.delete(clip.id);
    if (decision.action === 'analyse') {
      this.logger.warn(`Clip ${clip.id} of camera ${camera?.name ?? clip.cameraId} is analysed from the main stream: its sub-stream has no clips for that time`);
      return 'analyse';
    }
    try {
      await this.db.getRepository(AnalysisEntity).insert({
        clipId: clip.id, cameraId: clip.cameraId, status: 'skipped', progress: 1, attempts: 0, workerId, errorCode: null, error: null, playablePath: null, finishedAt: new Date(), sceneState: null, settings: null,
      });
      this.logger.debug?.(`Clip ${clip.id} (main stream) is not analysed: ${decision.reason}`);
    } catch {
      // another worker decided first
    }
    return 'skipped';
  }

  /** The scene this clip starts with: its camera's previous clip's (of the same stream), when it follows that one. */
  private async carryFor(clip: ClipEntity): Promise<CarryDecision> {
    if (!isLiveStream(clip.source)) return { action: 'fresh', reason: null };
    const previous = await this.db
      .getRepository(ClipEntity)
      .createQueryBuilder('c')
      .where('c.cameraId = :cameraId AND c.source = :source AND c.startedAt < :startedAt', { cameraId: clip.cameraId, source: clip.source, startedAt: clip.startedAt })
      .orderBy('c.startedAt', 'DESC')
      .getOne();
    const previousAnalysis = previous ? await this.db.getRepository(AnalysisEntity).findOneBy({ clipId: previous.id }) : null;
    const since = this.waitingSince.get(clip.id) ?? Date.now();
    const decision = decideCarry({
      clip,
      previous: previous ?? null,
      previousAnalysis,
      waitedMs: Date.now() - since,
      maxWaitMs: CARRY_MAX_WAIT_MS,
      storedAgoMs: Date.now() - clip.createdAt.getTime(),
      missingWaitMs: MISSING_PREVIOUS_WAIT_MS,
    });
    if (decision.action === 'wait') {
      if (this.waitReasons.get(clip.id) !== decision.reason) this.logger.log(`Clip ${clip.id} waits: ${decision.reason}`);
      this.waitReasons.set(clip.id, decision.reason);
      this.waitingSince.set(clip.id, since);
      return decision;
    }
    this.waitingSince.delete(clip.id);
    this.waitReasons.delete(clip.id);
    if (decision.action === 'fresh' && decision.reason) this.logger.warn(`Clip ${clip.id} starts a new scene without carry: ${decision.reason}`);
    return decision;
  }

  private onProgress(clip: ClipEntity, analysis: AnalysisEntity): (progress: { fraction: number }) => void {
    let lastSent = 0;
    return (progress) => {
      if (Date.now() - lastSent < 1000) return;
      lastSent = Date.now();
      const fraction = Math.min(0.95, progress.fraction * 0.95);
      this.progress(clip, fraction, 'analysing');
      void this.db
        .getRepository(AnalysisEntity)
        .update({ id: analysis.id }, { progress: fraction })
        .catch(() => undefined);
    };
  }

  /**
   * Browsers cannot play every format: an upload in another (AVI, MKV, H.265...) gets an H.264 MP4
   * copy next to it. A camera's recorded clips do not: an H.265 camera's are re-encoded when someone
   * plays them (storage's 'playable' exports), not every clip as it comes.
   */
  private async makePlayable(clip: ClipEntity, info: VideoInfo, videoFile: string, work: string): Promise<string | null> {
    if (isLiveStream(clip.source)) return null;
    const isMp4 = /mp4|mov/.test(info.formatName) && /\.(mp4|m4v|mov)$/i.test(clip.path);
    if (isMp4 && BROWSER_CODECS.has(info.codec)) return null;
    const out = join(work, 'playable.mp4');
    await this.engine.ffmpeg.transcodeToMp4(videoFile, out, { maxWidth: 1280, preset: 'veryfast', crf: 26 }, { signal: this.engine.signal, timeoutMs: 30 * 60_000 });
    const target = clip.path.replace(/\.[^./]+$/, '') + '.mp4';
    const playablePath = target === clip.path ? clip.path.replace(/\.mp4$/, '.h264.mp4') : target;
    await this.engine.storage.putFile(playablePath, out, 'video/mp4');
    return playablePath;
  }

  /** New events get media; an event going on from the previous clip updates its row, with new media only for a better moment. */
  private async planEvents(clip: ClipEntity, camera: CameraEntity | null, analysed: EngineAnalysis, videoFile: string, work: string): Promise<EventPlan[]> {
    const plans: EventPlan[] = [];
    for (const event of analysed.result.events) {
      const row = event.continued ? await this.db.getRepository(EventEntity).findOneBy({ cameraId: clip.cameraId, sceneKey: event.key }) : null;
      if (row) {
        const media = betterMomentHere(row, event) ? await this.engine.writeEventMedia(clip, camera, analysed, videoFile, work, event, row.id) : null;
        plans.push({ action: 'continue', row, event, media });
      } else {
        const id = randomUUID();
        plans.push({ action: 'insert', id, event, media: await this.engine.writeEventMedia(clip, camera, analysed, videoFile, work, event, id) });
      }
    }
    return plans;
  }

  private async commit(clip: ClipEntity, analysis: AnalysisEntity, analysed: VideoAnalysis, plans: EventPlan[], playablePath: string | null, settings: ClipSettings): Promise<void> {
    const { result, stats } = analysed;
    await this.db.transaction(async (manager) => {
      const events = manager.getRepository(EventEntity);
      const eventOfTrack = new Map<number, string>();
      for (const plan of plans) {
        const eventId = plan.action === 'insert' ? plan.id : plan.row.id;
        for (const trackId of plan.event.trackIds) eventOfTrack.set(trackId, eventId);
        if (plan.action === 'insert') {
          await events.insert({ id: plan.id, ...newEventRow(plan.event, clip, plan.media) });
          const payload: EventCreatedPayload = { eventId, cameraId: clip.cameraId, clipId: clip.id };
          await this.outbox.add(manager, Topics.eventCreated, payload);
        } else {
          await events.update({ id: eventId }, continuedEventChanges(plan.row, plan.event, clip, plan.media));
          // the thread updates the event's message in place; subscribers were told when it began
          const payload: EventUpdatedPayload = { eventId, cameraId: clip.cameraId, reason: 'continued' };
          await this.outbox.add(manager, Topics.eventUpdated, payload);
        }
      }
      for (const track of result.tracks) {
        await manager.getRepository(DetectedObjectEntity).insert({
          cameraId: clip.cameraId,
          clipId: clip.id,
          eventId: eventOfTrack.get(track.id) ?? null,
          trackNo: track.id,
          label: track.label,
          confidence: track.bestConfidence,
          firstSec: track.firstSec,
          lastSec: track.lastSec,
          stationary: track.stationary,
          box: JSON.stringify(track.bestBox),
          bestSec: track.bestSec,
        });
      }
      await manager.getRepository(AnalysisEntity).update(
        { id: analysis.id },
        {
          status: 'done',
          progress: 1,
          playablePath,
          finishedAt: new Date(),
          errorCode: null,
          error: null,
          frameWidth: result.frameWidth,
          frameHeight: result.frameHeight,
          // motion-only recording: storage's retention keeps the clips near motion and deletes the rest
          motionFirstSec: result.motion.firstSec,
          motionLastSec: result.motion.lastSec,
          keyFramesOnly: stats.keyFrameLook?.outcome === 'only',
          sceneState: JSON.stringify(analysed.sceneState),
          settings: JSON.stringify(settings.settings),
        },
      );
      const completed: AnalysisCompletedPayload = {
        clipId: clip.id,
        cameraId: clip.cameraId,
        originalName: clip.originalName,
        durationSec: result.durationSec,
        eventCount: plans.filter((plan) => plan.action === 'insert').length,
        speedVsRealtime: stats.speedVsRealtime,
        source: clip.source,
      };
      await this.outbox.add(manager, Topics.analysisCompleted, completed);
    });
    await this.outbox.flush();
  }

  private async fail(clip: ClipEntity, analysis: AnalysisEntity, error: unknown): Promise<void> {
    const known = error instanceof CameramonitError;
    const code = known ? error.code : 'ANALYSIS_ERROR';
    const message = known ? error.message : `The analysis failed unexpectedly (${(error as Error).message ?? String(error)})`;
    // bad input fails at once; anything else (storage down, a crash) is retried by catch-up
    const final = (known && !RETRIED_CODES.has(code)) || analysis.attempts >= MAX_ATTEMPTS;
    this.logger.warn(`Clip ${clip.id} (${clip.originalName ?? clip.path}): ${code} ${message}${final ? '' : ' (will retry)'}`);
    await this.db.transaction(async (manager) => {
      await manager.getRepository(AnalysisEntity).update({ id: analysis.id }, { status: final ? 'failed' : 'queued', errorCode: code, error: message.slice(0, 4000) });
      if (final) {
        const payload: AnalysisFailedPayload = { clipId: clip.id, cameraId: clip.cameraId, originalName: clip.originalName, code, message };
        await this.outbox.add(manager, Topics.analysisFailed, payload);
      }
    });
    await this.outbox.flush();
  }

  private progress(clip: ClipEntity, progress: number, stage: AnalysisProgressPayload['stage']): void {
    const payload: AnalysisProgressPayload = { clipId: clip.id, cameraId: clip.cameraId, progress, stage };
    void this.bus.publish(Topics.analysisProgress, payload).catch(() => undefined);
  }
}
