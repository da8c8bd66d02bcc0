import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Brackets, type DataSource } from 'typeorm';
import type { OutboxService } from '@cameramonit/bus';
import { CameramonitError, Topics, type EventUpdatedPayload } from '@cameramonit/contracts';
import { AnalysisEntity, CameraEntity, ClipEntity, DetectedObjectEntity, EventEntity, ProjectIntegrationEntity } from '@cameramonit/db';
import { FfmpegDriver } from '@cameramonit/media';
import { retryPolicyOf, type ProjectVisionModel, type VisionModelAccess } from '@cameramonit/server';
import { callWithRetries, type DescriptionImage, type EventDescriptionRequest } from '@cameramonit/vision';

/** Where the describer gets a clip's file (the storage app in production). */
export interface ClipFileSource {
  download(storePath: string, toFile: string): Promise<void>;
}

export interface EventDescriptionTuning {
  /** this worker (INSTANCE_ID): a restarted worker takes its own pending descriptions back */
  workerId?: string;
  /** the first wait between retries (doubled each time, with jitter); default 2 s */
  retryBaseDelayMs?: number;
  /** how often to look for events that were missed (default 60 s; 0 = only at start) */
  catchUpEveryMs?: number;
}

/** a pending claim not touched for this long belongs to a worker that died */
const STALE_MS = 10 * 60_000;
/** events older than this are not described any more by the catch-up */
const CATCH_UP_WINDOW_MS = 24 * 60 * 60_000;
const CROP_MAX_SIDE = 384;
const CONTEXT_MAX_SIDE = 768;

/**
 * Describes events with the project's vision model, after they are committed: a few frames (the
 * best crops of the event's objects and one context frame, downscaled JPEGs), the camera's prompt
 * and the supervisor's names go to the model; its title, summaries, objects and threat level are
 * stored on the event and `event/updated` (reason `described`) is published through the outbox
 * in the same transaction. Failures keep the local text: bounded retries with backoff, then the
 * event is marked failed with the reason. Every call is written to the usage ledger. Runs on its
 * own queue, so the analysis of the next clips never waits for a model.
 */
export class EventDescriptionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventDescriptionService.name);
  private readonly ffmpeg = new FfmpegDriver();
  private readonly workerId: string;
  private readonly abort = new AbortController();
  private readonly queued = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly outbox: Pick<OutboxService, 'add' | 'flush'>,
    private readonly access: VisionModelAccess,
    private readonly files: ClipFileSource,
    private readonly tuning: EventDescriptionTuning = {},
  ) {
    this.workerId = (tuning.workerId ?? `${hostname()}:${process.env.INSTANCE_ID ?? 'main'}`).slice(0, 80);
  }

  onApplicationBootstrap(): void {
    void this.catchUp();
    const every = this.tuning.catchUpEveryMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.catchUp(), every);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.abort.abort(new CameramonitError('SHUTTING_DOWN', 'The worker is stopping', 503));
    await this.queue;
  }

  /** Describe the event when its project has a vision model (a no-op otherwise, or when it is described already). */
  enqueue(eventId: string): void {
    if (this.queued.has(eventId) || this.abort.signal.aborted) return;
    this.queued.add(eventId);
    this.queue = this.queue
      .then(() => this.describe(eventId))
      .catch((error: unknown) => this.logger.error(`Describing event ${eventId} crashed: ${(error as Error).stack ?? String(error)}`))
      .finally(() => this.queued.delete(eventId));
  }

  /** Resolves when everything queued so far is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Events whose bus message was missed or whose worker died while describing them. */
  async catchUp(): Promise<void> {
    try {
      const stale = new Date(Date.now() - STALE_MS);
      const pending = await this.db
        .getRepository(EventEntity)
        .createQueryBuilder('e')
        .select(['e.id'])
        .where('e.descriptionStatus = :pending', { pending: 'pending' })
        .andWhere(new Brackets((w) => w.where('e.descriptionWorker = :me', { me: this.workerId }).orWhere('e.descriptionClaimedAt < :stale', { stale }).orWhere('e.descriptionClaimedAt IS NULL')))
        .orderBy('e.createdAt', 'ASC')
        .limit(100)
        .getMany();
      const missed = await this.db
        .getRepository(EventEntity)
        .createQueryBuilder('e')
        .select(['e.id'])
        .innerJoin(CameraEntity, 'c', 'c.id = e.cameraId')
        .innerJoin(ProjectIntegrationEntity, 'i', 'i.projectId = c.projectId AND i.kind = :kind AND i.enabled = :enabled', { kind: 'vision-model', enabled: true })
        .where('e.descriptionStatus = :none', { none: 'none' })
        .andWhere('e.createdAt >= i.updatedAt')
        .andWhere('e.createdAt >= :since', { since: new Date(Date.now() - CATCH_UP_WINDOW_MS) })
        .orderBy('e.createdAt', 'ASC')
        .limit(100)
        .getMany();
      for (const { id } of [...pending, ...missed]) this.enqueue(id);
    } catch (error) {
      this.logger.warn(`Catch-up of descriptions paused: ${(error as Error).message}`);
    }
  }

  private async describe(eventId: string): Promise<void> {
    const events = this.db.getRepository(EventEntity);
    const event = await events.findOneBy({ id: eventId });
    if (!event || event.descriptionStatus === 'done' || event.descriptionStatus === 'failed') return;
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: event.cameraId });
    if (!camera) return;
    const model = await this.access.forProject(camera.projectId);
    if (!model) return;
    if (!(await this.claim(event))) return;

    const work = await mkdtemp(join(tmpdir(), 'cm-describe-'));
    try {
      let images: DescriptionImage[];
      try {
        images = await this.frames(event, model.options.maxImages, work);
      } catch (error) {
        return await this.fail(event, `frames: ${(error as Error).message}`);
      }
      const request: EventDescriptionRequest = {
        cameraName: camera.name,
        at: event.startedAt,
        localSummary: event.summary,
        label: event.label,
        count: event.count,
        durationSec: event.endSec - event.startSec,
        zones: [],
        cameraPrompt: this.access.cameraPrompt(camera),
        names: await this.access.names(camera.id),
        images,
      };
      let attempts = event.descriptionAttempts;
      const result = await callWithRetries((signal) => model.model.describeEvent(request, signal), {
        policy: retryPolicyOf(model.options, this.tuning.retryBaseDelayMs),
        signal: this.abort.signal,
        onCall: async (call) => {
          attempts += 1;
          await this.access.recordCall({ projectId: camera.projectId, cameraId: camera.id, eventId: event.id, purpose: 'event', modelName: model.modelName }, call);
          await events.update({ id: event.id }, { descriptionAttempts: attempts, descriptionClaimedAt: new Date() });
          if (call.outcome !== 'ok') this.logger.warn(`Event ${event.id}: ${model.modelName} call ${call.attempt} ${call.outcome}: ${call.error ?? ''}`);
        },
      });
      if (!result.ok) return await this.fail(event, `${result.error.outcome}: ${result.error.message}`, model);
      const { value, model: answeredBy } = result.answer;
      await this.db.transaction(async (manager) => {
        await manager.getRepository(EventEntity).update(
          { id: event.id },
          {
            descriptionStatus: 'done',
            title: value.title.slice(0, 200),
            description: value.summary,
            descriptionPl: value.summaryPl,
            threatLevel: value.threatLevel,
            descriptionObjects: JSON.stringify(value.objects),
            descriptionError: null,
            descriptionModel: answeredBy.slice(0, 200),
            describedAt: new Date(),
            descriptionWorker: null,
          },
        );
        const payload: EventUpdatedPayload = { eventId: event.id, cameraId: event.cameraId, reason: 'described' };
        await this.outbox.add(manager, Topics.eventUpdated, payload);
      });
      await this.outbox.flush();
      this.logger.log(`Described event ${event.id} with ${answeredBy}: ${value.title}`);
    } catch (error) {
      // shutting down: leave it pending, this worker takes it back when it starts again
      if (this.abort.signal.aborted) return;
      throw error;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Take the event for this worker: free, or pending with this worker or with one that died. */
  private async claim(event: EventEntity): Promise<boolean> {
    const stale = new Date(Date.now() - STALE_MS);
    const result = await this.db
      .createQueryBuilder()
      .update(EventEntity)
      .set({ descriptionStatus: 'pending', descriptionWorker: this.workerId, descriptionClaimedAt: new Date() })
      .where('id = :id', { id: event.id })
      .andWhere(
        new Brackets((w) =>
          w
            .where('descriptionStatus = :none', { none: 'none' })
            .orWhere(
              new Brackets((p) =>
                p
                  .where('descriptionStatus = :pending', { pending: 'pending' })
                  .andWhere(new Brackets((o) => o.where('descriptionWorker = :me', { me: this.workerId }).orWhere('descriptionWorker IS NULL').orWhere('descriptionClaimedAt < :stale', { stale }))),
              ),
            ),
        ),
      )
      .execute();
    return (result.affected ?? 0) > 0;
  }

  private async fail(event: EventEntity, reason: string, model?: ProjectVisionModel): Promise<void> {
    this.logger.warn(`Event ${event.id} keeps its local text: ${reason}`);
    await this.db
      .getRepository(EventEntity)
      .update({ id: event.id }, { descriptionStatus: 'failed', descriptionError: reason.slice(0, 2000), descriptionWorker: null, descriptionModel: model?.modelName.slice(0, 200) ?? null });
  }

  /**
   * The frames for the model: the best view of up to maxImages - 1 of the event's objects, cut
   * out with a margin (<= 384 px), then the whole picture at the event's best moment (<= 768 px).
   */
  private async frames(event: EventEntity, maxImages: number, work: string): Promise<DescriptionImage[]> {
    const clip = await this.db.getRepository(ClipEntity).findOneBy({ id: event.clipId });
    if (!clip) throw new Error(`the clip ${event.clipId} is gone`);
    const analysis = await this.db.getRepository(AnalysisEntity).findOneBy({ clipId: clip.id });
    const objects = await this.db.getRepository(DetectedObjectEntity).find({ where: { eventId: event.id }, order: { confidence: 'DESC' } });
    const video = join(work, `clip${extname(clip.path) || '.video'}`);
    await this.files.download(clip.path, video);

    const lastSec = Math.max(0, clip.durationSec - 0.05);
    const at = (sec: number) => Math.min(lastSec, Math.max(0, sec));
    const images: DescriptionImage[] = [];
    const frameWidth = analysis?.frameWidth;
    const frameHeight = analysis?.frameHeight;
    if (frameWidth && frameHeight) {
      for (const object of objects.slice(0, Math.max(0, maxImages - 1))) {
        const sec = at(object.bestSec ?? (object.firstSec + object.lastSec) / 2);
        const file = join(work, `crop-${images.length + 1}.jpg`);
        try {
          const box = JSON.parse(object.box) as { x: number; y: number; width: number; height: number };
          await this.ffmpeg.writeFrameImage(video, file, { atSec: sec, crop: { box, frameWidth, frameHeight }, maxSide: CROP_MAX_SIDE }, { signal: this.abort.signal });
          images.push({ role: 'crop', jpeg: await readFile(file), caption: `object ${images.length + 1}: ${object.label} at ${sec.toFixed(1)} s, cut out` });
        } catch (error) {
          this.logger.warn(`Event ${event.id}: no crop of object ${object.trackNo} (${(error as Error).message})`);
        }
      }
    }
    const contextSec = at(event.bestSec ?? (event.startSec + event.endSec) / 2);
    const contextFile = join(work, 'context.jpg');
    await this.ffmpeg.writeFrameImage(video, contextFile, { atSec: contextSec, maxSide: CONTEXT_MAX_SIDE }, { signal: this.abort.signal });
    images.push({ role: 'context', jpeg: await readFile(contextFile), caption: `the whole picture at ${contextSec.toFixed(1)} s` });
    return images;
  }
}

