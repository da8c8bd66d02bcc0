import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { extname, join, posix } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, LessThan, type DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import { BusClient, OutboxService } from '@cameramonit/bus';
import type { AppConfig } from '@cameramonit/config';
import {
  CameramonitError,
  Topics,
  type AnalysedEvent,
  type AnalysisCompletedPayload,
  type AnalysisFailedPayload,
  type AnalysisProgressPayload,
  type EventCreatedPayload,
} from '@cameramonit/contracts';
import { AnalysisEntity, CameraEntity, ClipEntity, DetectedObjectEntity, EventEntity } from '@cameramonit/db';
import { FfmpegDriver, type VideoInfo } from '@cameramonit/media';
import { APP_CONFIG, StorageClient } from '@cameramonit/server';
import { analyseVideoWithStats, HumanObjectDetector, type VideoAnalysis } from '@cameramonit/vision';

const MAX_ATTEMPTS = 3;
/** an 'analysing' row not touched for this long belongs to a worker that died */
const STALE_MS = 2 * 60_000;
const BROWSER_CODECS = new Set(['h264']);

/**
 * The video-to-text worker: each stored clip is analysed once (claimed through the unique
 * `analyses.clipId`), its events get a snapshot and an animation next to the clip, and
 * everything is written with the outbox messages in one transaction.
 */
@Injectable()
export class ClipAnalysisService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClipAnalysisService.name);
  private readonly ffmpeg = new FfmpegDriver();
  private readonly storage: StorageClient;
  private readonly detector: HumanObjectDetector;
  private queue: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  /** this worker; the same after a restart, so it takes back what it left half-done */
  private readonly workerId = `${hostname()}:${process.env.INSTANCE_ID ?? 'main'}`.slice(0, 80);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly bus: BusClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    tokens: TokenService,
  ) {
    this.storage = new StorageClient(config.storageUrl, tokens, 'video-to-text');
    this.detector = new HumanObjectDetector({ inputSize: config.analysis.detectorInputSize, minConfidence: config.analysis.minConfidence });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.detector.load();
    this.logger.log(`Object detector loaded (centernet, ${this.config.analysis.detectorInputSize} px)`);
    void this.catchUp();
    this.timer = setInterval(() => void this.catchUp(), 30_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.abort.abort();
    await this.queue;
    this.detector.dispose();
  }

  /** Clips never analysed, or left half-done by a worker that died. */
  private async catchUp(): Promise<void> {
    const clips = await this.db
      .getRepository(ClipEntity)
      .createQueryBuilder('c')
      .leftJoin(AnalysisEntity, 'a', 'a.clipId = c.id')
      .where('a.id IS NULL')
      .orderBy('c.createdAt', 'ASC')
      .limit(100)
      .getMany();
    const stale = await this.db.getRepository(AnalysisEntity).find({
      where: [
        { status: In(['queued', 'analysing']), updatedAt: LessThan(new Date(Date.now() - STALE_MS)) },
        { status: In(['queued', 'analysing']), workerId: this.workerId },
      ],
      take: 100,
    });
    for (const id of [...clips.map((c) => c.id), ...stale.map((a) => a.clipId)]) this.enqueue(id);
  }

  enqueue(clipId: string): void {
    if (this.queued.has(clipId)) return;
    this.queued.add(clipId);
    this.queue = this.queue
      .then(() => this.analyse(clipId))
      .catch((error: unknown) => this.logger.error(`Analysis of ${clipId} crashed: ${(error as Error).stack}`))
      .finally(() => this.queued.delete(clipId));
  }

  /** Take the clip for this worker; false if another has it or it is finished. */
  private async claim(clip: ClipEntity): Promise<AnalysisEntity | null> {
    const analyses = this.db.getRepository(AnalysisEntity);
    const existing = await analyses.findOneBy({ clipId: clip.id });
    if (!existing) {
      try {
        return await analyses.save({ clipId: clip.id, cameraId: clip.cameraId, status: 'analysing', progress: 0, attempts: 1, workerId: this.workerId, errorCode: null, error: null, playablePath: null, finishedAt: null });
      } catch {
        return null; // another worker inserted it first
      }
    }
    // an analysis of this worker that is not running now was left by its previous process
    const abandoned = existing.updatedAt.getTime() < Date.now() - STALE_MS || existing.workerId === this.workerId;
    if (existing.status === 'done' || existing.status === 'failed' || (existing.status === 'analysing' && !abandoned)) return null;
    if (existing.attempts >= MAX_ATTEMPTS) {
      // it was tried often enough (a clip that keeps killing the worker): say so and stop
      const gaveUp = { ...existing, attempts: MAX_ATTEMPTS };
      await this.fail(clip, gaveUp, new CameramonitError('ANALYSIS_GAVE_UP', `The analysis stopped ${MAX_ATTEMPTS} times without finishing; the clip may be damaged`, 500));
      return null;
    }
    const result = await analyses.update({ id: existing.id, updatedAt: existing.updatedAt }, { status: 'analysing', attempts: existing.attempts + 1, progress: 0, workerId: this.workerId });
    return result.affected ? { ...existing, status: 'analysing', attempts: existing.attempts + 1, workerId: this.workerId } : null;
  }

  private async analyse(clipId: string): Promise<void> {
    const clip = await this.db.getRepository(ClipEntity).findOneBy({ id: clipId });
    if (!clip) return;
    const analysis = await this.claim(clip);
    if (!analysis) return;
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: clip.cameraId });
    const work = await mkdtemp(join(tmpdir(), 'cm-analysis-'));
    try {
      this.progress(clip, 0, 'analysing');
      const videoFile = join(work, `clip${extname(clip.path) || '.video'}`);
      await this.storage.download(clip.path, videoFile);
      const info = await this.ffmpeg.probe(videoFile);
      const [analysed, playablePath] = await Promise.all([this.runAnalysis(clip, analysis, videoFile), this.makePlayable(clip, info, videoFile, work)]);
      this.progress(clip, 0.97, 'writing');
      const events = await this.writeArtifacts(clip, camera, analysed, videoFile, work);
      await this.commit(clip, analysis, analysed, events, playablePath);
      this.progress(clip, 1, 'done');
      this.logger.log(`Analysed clip ${clip.id} (${clip.originalName ?? clip.path}): ${events.length} event(s), ${analysed.stats.speedVsRealtime.toFixed(1)}x realtime`);
    } catch (error) {
      await this.fail(clip, analysis, error);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private runAnalysis(clip: ClipEntity, analysis: AnalysisEntity, videoFile: string): Promise<VideoAnalysis> {
    let lastSent = 0;
    return analyseVideoWithStats(
      videoFile,
      {
        fps: this.config.analysis.fps,
        width: this.config.analysis.width,
        minConfidence: this.config.analysis.minConfidence,
        detector: this.detector,
        signal: this.abort.signal,
      },
      (progress) => {
        if (Date.now() - lastSent < 1000) return;
        lastSent = Date.now();
        const fraction = Math.min(0.95, progress.fraction * 0.95);
        this.progress(clip, fraction, 'analysing');
        void this.db.getRepository(AnalysisEntity).update({ id: analysis.id }, { progress: fraction });
      },
    );
  }

  /** Browsers cannot play every camera codec: keep an H.264 MP4 copy next to the clip when needed. */
  private async makePlayable(clip: ClipEntity, info: VideoInfo, videoFile: string, work: string): Promise<string | null> {
    const isMp4 = /mp4|mov/.test(info.formatName) && /\.(mp4|m4v|mov)$/i.test(clip.path);
    if (isMp4 && BROWSER_CODECS.has(info.codec)) return null;
    const out = join(work, 'playable.mp4');
    await this.ffmpeg.transcodeToMp4(videoFile, out, { maxWidth: 1280, preset: 'veryfast', crf: 26 }, { signal: this.abort.signal, timeoutMs: 30 * 60_000 });
    const target = clip.path.replace(/\.[^./]+$/, '') + '.mp4';
    const playablePath = target === clip.path ? clip.path.replace(/\.mp4$/, '.h264.mp4') : target;
    await this.storage.putFile(playablePath, out, 'video/mp4');
    return playablePath;
  }

  private async writeArtifacts(
    clip: ClipEntity,
    camera: CameraEntity | null,
    analysed: VideoAnalysis,
    videoFile: string,
    work: string,
  ): Promise<{ id: string; event: AnalysedEvent; snapshotPath: string; animationPath: string }[]> {
    const { result } = analysed;
    const folder = posix.join(posix.dirname(clip.path), clip.id);
    const animationSeconds = camera?.animationSeconds ?? 4;
    const written = [];
    for (const event of result.events) {
      const id = randomUUID();
      const snapshotFile = join(work, `${id}.jpg`);
      const animationFile = join(work, `${id}.gif`);
      const boxes = event.bestBox ? [{ box: event.bestBox, frameWidth: result.frameWidth, frameHeight: result.frameHeight, color: 'yellow' }] : [];
      await this.ffmpeg.writeSnapshot(videoFile, snapshotFile, { atSec: event.bestSec, width: Math.min(640, result.frameWidth * 2), boxes });
      const length = Math.min(animationSeconds, Math.max(1, result.durationSec));
      const start = Math.max(0, Math.min(event.bestSec - length / 2, result.durationSec - length));
      await this.ffmpeg.writeAnimation(videoFile, animationFile, { startSec: start, durationSec: length, width: 320, fps: 8 });
      const snapshotPath = `${folder}/${id}.jpg`;
      const animationPath = `${folder}/${id}.gif`;
      await this.storage.putFile(snapshotPath, snapshotFile, 'image/jpeg');
      await this.storage.putFile(animationPath, animationFile, 'image/gif');
      written.push({ id, event, snapshotPath, animationPath });
    }
    return written;
  }

  private async commit(
    clip: ClipEntity,
    analysis: AnalysisEntity,
    analysed: VideoAnalysis,
    events: { id: string; event: AnalysedEvent; snapshotPath: string; animationPath: string }[],
    playablePath: string | null,
  ): Promise<void> {
    const { result, stats } = analysed;
    const at = (sec: number) => new Date(clip.startedAt.getTime() + sec * 1000);
    await this.db.transaction(async (manager) => {
      const eventOfTrack = new Map<number, string>();
      for (const { id, event, snapshotPath, animationPath } of events) {
        for (const trackId of event.trackIds) eventOfTrack.set(trackId, id);
        await manager.getRepository(EventEntity).insert({
          id,
          cameraId: clip.cameraId,
          clipId: clip.id,
          kind: event.kind,
          label: event.label,
          count: event.count,
          startedAt: at(event.startSec),
          endedAt: at(event.endSec),
          startSec: event.startSec,
          endSec: event.endSec,
          confidence: event.confidence,
          direction: event.direction,
          summary: event.summary.en,
          summaryPl: event.summary.pl,
          snapshotPath,
          animationPath,
          bestSec: event.bestSec,
        });
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
      await manager.getRepository(AnalysisEntity).update({ id: analysis.id }, { status: 'done', progress: 1, playablePath, finishedAt: new Date(), errorCode: null, error: null, frameWidth: result.frameWidth, frameHeight: result.frameHeight });
      for (const { id } of events) {
        const payload: EventCreatedPayload = { eventId: id, cameraId: clip.cameraId, clipId: clip.id };
        await this.outbox.add(manager, Topics.eventCreated, payload);
      }
      const completed: AnalysisCompletedPayload = {
        clipId: clip.id,
        cameraId: clip.cameraId,
        originalName: clip.originalName,
        durationSec: result.durationSec,
        eventCount: events.length,
        speedVsRealtime: stats.speedVsRealtime,
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
    const final = known || analysis.attempts >= MAX_ATTEMPTS;
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
