import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { In, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import {
  parseCameraAnalysisSettings,
  Topics,
  type EventCreatedPayload,
  type Box,
  type EventUpdatedPayload,
  type PluginManifest,
  type PluginRequest,
  type Topic,
} from '@cameramonit/contracts';
import {
  AnalysisEntity,
  CameraEntity,
  ClipEntity,
  DetectedObjectEntity,
  EventEntity,
  EventFeatureEntity,
  EventImageEntity,
  PluginEventEntity,
  PluginObjectEntity,
  PluginRequestEntity,
} from '@cameramonit/db';
import { fitFrameSize } from '@cameramonit/media';
import { EventMedia, normalisedBox, type EventMoment, type MediaStore } from './event-media.js';
import { checkPluginResult, type CheckedResult } from './plugin-result.validator.js';
import { PluginCallError, type PluginSupervisor } from './plugin-supervisor.js';

/** The outbox, as the exchange uses it (OutboxService in the app). */
export interface Outbox {
  add<T extends object>(manager: EntityManager, topic: Topic, payload: T): Promise<void>;
  flush(): Promise<void>;
}

export interface ExchangeLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface ExchangeOptions {
  /** the platform's analysis width (ANALYSIS_WIDTH), when a camera sets none */
  analysisWidth: number;
  /** events created this recently that no plugin request exists for are sent on start (default 1 h) */
  catchUpMs?: number;
  /** a request is tried this many times across host restarts, then marked failed */
  maxAttempts?: number;
}

const isUniqueViolation = (error: unknown) => /unique|duplicate/i.test(String((error as Error)?.message ?? error));
/** MariaDB gave up on a lock (a deadlock victim, a lock wait timeout) or SQLite was busy: the transaction may be run again. */
const isLockConflict = (error: unknown) => /deadlock|lock wait timeout|SQLITE_BUSY|database is locked/i.test(String((error as Error)?.message ?? error));

/**
 * After the worker commits an event, each plugin that wants it gets one request (claimed through
 * the unique `plugin_requests (plugin, eventId)`, so it is sent once whatever restarts); the answer
 * is checked, stored (features, objects, images next to the clip, events), and the event's
 * `event/updated` (reason `enriched`) goes out through the outbox with the data.
 */
export class PluginExchange {
  private readonly running = new Set<Promise<void>>();
  /**
   * Results are written one at a time: two plugins answering for one event at once would each
   * delete-then-insert that event's rows, and MariaDB's gap locks make such a pair deadlock.
   */
  private storing: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly catchUpMs: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: DataSource,
    private readonly supervisor: PluginSupervisor,
    private readonly outbox: Outbox,
    private readonly media: EventMedia,
    private readonly mediaStore: MediaStore,
    private readonly logger: ExchangeLogger,
    private readonly options: ExchangeOptions,
  ) {
    this.catchUpMs = options.catchUpMs ?? 3600_000;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** `event/created`: send the event to every plugin that wants it. */
  async eventCreated(eventId: string): Promise<void> {
    const event = await this.db.getRepository(EventEntity).findOneBy({ id: eventId });
    if (!event || event.kind === 'plugin') return; // plugins' own events are not fed back to plugins
    for (const manifest of this.supervisor.interestedIn(event)) {
      if (this.supervisor.usable(manifest.name)) this.track(this.claimAndRun(manifest, event));
    }
  }

  /** On start: requests left half-done by a previous run, and recent events nobody sent yet. */
  async catchUp(): Promise<void> {
    const names = this.supervisor.names();
    if (!names.length) return;
    const left = await this.db.getRepository(PluginRequestEntity).find({ where: { status: In(['pending', 'sent']), plugin: In(names) }, take: 500 });
    for (const row of left) {
      const event = await this.db.getRepository(EventEntity).findOneBy({ id: row.eventId });
      const manifest = this.supervisor.manifest(row.plugin);
      if (!event || !manifest) continue;
      if (row.attempts >= this.maxAttempts) {
        await this.finish(row, 'failed', 'GAVE_UP', `tried ${row.attempts} times without an answer`);
        continue;
      }
      this.track(this.run(manifest, row, event));
    }
    const recent = await this.db.getRepository(EventEntity).find({ where: { createdAt: MoreThan(new Date(Date.now() - this.catchUpMs)) }, order: { createdAt: 'ASC' }, take: 500 });
    for (const event of recent) await this.eventCreated(event.id);
  }

  /** Wait for the requests in progress (shutdown). */
  async drain(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  /** Resolves when every request started so far is finished (tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.logger.warn(`Plugin request failed unexpectedly: ${(error as Error).stack ?? String(error)}`)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async claimAndRun(manifest: PluginManifest, event: EventEntity): Promise<void> {
    const requests = this.db.getRepository(PluginRequestEntity);
    let row: PluginRequestEntity;
    try {
      row = await requests.save(requests.create({ plugin: manifest.name, eventId: event.id, cameraId: event.cameraId, status: 'pending', attempts: 0, errorCode: null, error: null, durationMs: null, finishedAt: null }));
    } catch (error) {
      if (isUniqueViolation(error)) return; // already sent (by this host before a restart, or another one)
      throw error;
    }
    await this.run(manifest, row, event);
  }

  private async run(manifest: PluginManifest, row: PluginRequestEntity, event: EventEntity): Promise<void> {
    if (this.stopped) return;
    let moment: EventMoment & { clip: ClipEntity; cameraName: string };
    let request: PluginRequest;
    try {
      moment = await this.moment(event);
      const media = await this.media.build(manifest, moment);
      request = {
        requestId: row.id,
        plugin: manifest.name,
        deadline: this.supervisor.deadlineFor(manifest.name).toISOString(),
        event: {
          id: event.id,
          cameraId: event.cameraId,
          cameraName: moment.cameraName,
          clipId: event.clipId,
          kind: event.kind,
          label: event.label,
          count: event.count,
          confidence: event.confidence,
          direction: event.direction,
          startedAt: event.startedAt.toISOString(),
          endedAt: event.endedAt.toISOString(),
          startSec: event.startSec,
          endSec: event.endSec,
          summary: { en: event.summary, pl: event.summaryPl },
          box: moment.best ? normalisedBox(moment.best) : null,
        },
        ...media,
      };
    } catch (error) {
      return this.finish(row, 'failed', 'MEDIA_ERROR', `could not prepare the event's pictures: ${(error as Error).message}`);
    }
    await this.db.getRepository(PluginRequestEntity).update({ id: row.id }, { status: 'sent', attempts: row.attempts + 1, updatedAt: new Date() });
    const started = Date.now();
    let checked: CheckedResult;
    try {
      const answer = await this.supervisor.call(manifest.name, request);
      const check = checkPluginResult(answer, manifest);
      if (!check.valid) {
        const reason = `invalid result: ${check.problems.join('; ')}`;
        this.supervisor.noteRefusedResult(manifest.name, reason);
        this.logger.warn(`Plugin ${manifest.name}, event ${event.id}: ${reason}`);
        return this.finish(row, 'failed', 'INVALID_RESULT', reason, Date.now() - started);
      }
      checked = check.result;
    } catch (error) {
      const code = error instanceof PluginCallError ? error.failure : 'PLUGIN_HOST_ERROR';
      return this.finish(row, 'failed', code, (error as Error).message, Date.now() - started);
    }
    if (!checked.ok) return this.finish(row, 'failed', 'PLUGIN_ERROR', checked.error ?? 'the plugin gave no reason', Date.now() - started);
    const durationMs = Date.now() - started;
    const stored = this.storing.then(() => this.store(manifest, row, event, moment.clip, checked, durationMs));
    this.storing = stored.catch(() => undefined);
    try {
      await stored;
    } catch (error) {
      // never leave a request 'sent' for ever: what could not be written is a failed request
      return this.finish(row, 'failed', 'STORAGE_ERROR', `could not save the plugin's answer: ${(error as Error).message}`, durationMs);
    }
  }

  /** Where the event is: its clip, snapshot, times, and its most confident object at its best moment. */
  private async moment(event: EventEntity): Promise<EventMoment & { clip: ClipEntity; cameraName: string }> {
    const clip = await this.db.getRepository(ClipEntity).findOneByOrFail({ id: event.clipId });
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: event.cameraId });
    const analysis = await this.db.getRepository(AnalysisEntity).findOneBy({ clipId: clip.id });
    const best = await this.db.getRepository(DetectedObjectEntity).findOne({ where: { eventId: event.id }, order: { confidence: 'DESC' } });
    let frame = { width: analysis?.frameWidth ?? 0, height: analysis?.frameHeight ?? 0 };
    if (!frame.width || !frame.height) {
      // analyses written before the frame size was kept: the worker's rule (the camera's width or the platform's, never upscaled)
      let analysisWidth = this.options.analysisWidth;
      try {
        analysisWidth = parseCameraAnalysisSettings(JSON.parse(camera?.analysisSettings ?? 'null')).width ?? analysisWidth;
      } catch {
        // unreadable settings: the worker used the platform's width too
      }
      frame = fitFrameSize(clip.width, clip.height, analysisWidth);
    }
    const sec = best?.bestSec ?? event.bestSec ?? event.startSec;
    return {
      clip,
      cameraName: camera?.name ?? '',
      clipPath: clip.path,
      playablePath: analysis?.playablePath ?? null,
      snapshotPath: event.snapshotPath,
      startSec: event.startSec,
      endSec: event.endSec,
      best: best ? { sec, box: JSON.parse(best.box) as Box, frameWidth: frame.width, frameHeight: frame.height } : null,
    };
  }

  private async store(manifest: PluginManifest, row: PluginRequestEntity, event: EventEntity, clip: ClipEntity, result: CheckedResult, durationMs: number): Promise<void> {
    const folder = posix.join(posix.dirname(clip.path), clip.id, 'plugins', manifest.name);
    const images: { path: string; image: CheckedResult['images'][number] }[] = [];
    const work = await mkdtemp(join(tmpdir(), 'cm-plugin-result-'));
    try {
      for (const [index, image] of result.images.entries()) {
        const path = `${folder}/${event.id}-${index + 1}.${image.contentType === 'image/png' ? 'png' : 'jpg'}`;
        const file = join(work, `${index}`);
        await writeFile(file, image.bytes);
        await this.mediaStore.putFile(path, file, image.contentType);
        images.push({ path, image });
      }
    } catch (error) {
      return this.finish(row, 'failed', 'STORAGE_ERROR', `could not store the plugin's images: ${(error as Error).message}`, durationMs);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const at = (sec: number) => new Date(clip.startedAt.getTime() + sec * 1000);
    const created: string[] = [];
    await this.transactionWithRetry(async (manager) => {
      created.length = 0;
      const where = { eventId: event.id, plugin: manifest.name };
      await manager.getRepository(EventFeatureEntity).delete(where);
      await manager.getRepository(EventImageEntity).delete(where);
      await manager.getRepository(PluginObjectEntity).delete(where);
      for (const feature of result.features) {
        await manager.getRepository(EventFeatureEntity).insert({ ...where, cameraId: event.cameraId, key: feature.key, value: feature.value, valueType: feature.valueType });
      }
      for (const { path, image } of images) {
        await manager.getRepository(EventImageEntity).insert({ ...where, cameraId: event.cameraId, path, contentType: image.contentType, width: image.width, height: image.height, sizeBytes: image.bytes.length, caption: image.caption });
      }
      for (const object of result.objects) {
        await manager.getRepository(PluginObjectEntity).insert({ ...where, cameraId: event.cameraId, label: object.label, confidence: object.confidence, sec: object.sec ?? null, box: JSON.stringify(object.box) });
      }
      const already = await manager.getRepository(PluginEventEntity).countBy({ sourceEventId: event.id, plugin: manifest.name });
      if (!already) {
        for (const returned of result.events) {
          const id = randomUUID();
          const startSec = returned.startSec ?? event.startSec;
          const endSec = returned.endSec ?? Math.max(startSec, event.endSec);
          await manager.getRepository(EventEntity).insert({
            id,
            cameraId: event.cameraId,
            clipId: event.clipId,
            kind: 'plugin',
            label: returned.label.slice(0, 40),
            count: 1,
            startedAt: at(startSec),
            endedAt: at(endSec),
            startSec,
            endSec,
            confidence: returned.confidence ?? event.confidence,
            direction: 'none',
            summary: returned.summary.en,
            summaryPl: returned.summary.pl,
            snapshotPath: images[0]?.path ?? event.snapshotPath,
            animationPath: event.animationPath,
          });
          await manager.getRepository(PluginEventEntity).insert({ eventId: id, sourceEventId: event.id, plugin: manifest.name });
          const payload: EventCreatedPayload = { eventId: id, cameraId: event.cameraId, clipId: event.clipId };
          await this.outbox.add(manager, Topics.eventCreated, payload);
          created.push(id);
        }
      }
      await manager.getRepository(PluginRequestEntity).update({ id: row.id }, { status: 'done', errorCode: null, error: null, durationMs, finishedAt: new Date(), updatedAt: new Date() });
      if (result.features.length || images.length || result.objects.length) {
        const updated: EventUpdatedPayload = { eventId: event.id, cameraId: event.cameraId, reason: 'enriched' };
        await this.outbox.add(manager, Topics.eventUpdated, updated);
      }
    });
    await this.outbox.flush();
    const parts = [
      result.features.length ? result.features.map((f) => `${f.key}=${f.value}`).join(', ') : '',
      images.length ? `${images.length} image(s)` : '',
      result.objects.length ? `${result.objects.length} object(s)` : '',
      created.length ? `${created.length} event(s)` : '',
    ].filter(Boolean);
    this.logger.log(`Plugin ${manifest.name} answered for event ${event.id} in ${durationMs} ms: ${parts.join('; ') || 'nothing to add'}`);
  }

  /** A transaction run again (up to 3 times, after a short pause) when the database gave up on a lock. */
  private async transactionWithRetry(work: (manager: EntityManager) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(work);
      } catch (error) {
        if (attempt >= 3 || !isLockConflict(error)) throw error;
        this.logger.warn(`Plugin results: ${(error as Error).message}; trying again (${attempt + 1} of 3)`);
        await new Promise((done) => setTimeout(done, 100 * attempt + Math.random() * 100));
      }
    }
  }

  private async finish(row: PluginRequestEntity, status: 'done' | 'failed', errorCode: string | null, error: string | null, durationMs: number | null = null): Promise<void> {
    if (status === 'failed') this.logger.warn(`Plugin ${row.plugin}, event ${row.eventId}: ${errorCode} ${error ?? ''}`);
    await this.db.getRepository(PluginRequestEntity).update({ id: row.id }, { status, errorCode, error: error?.slice(0, 4000) ?? null, durationMs, finishedAt: new Date(), updatedAt: new Date() });
  }
}
