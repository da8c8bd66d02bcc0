import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, LessThan, QueryFailedError, type DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import { CameramonitError, recordedSourceKinds } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { AnalysisEntity, CameraEntity, CameraGrantEntity, CameraPushEntity, CameraPushTokenEntity, ClipEntity, EventEntity, ProjectEntity } from '@cameramonit/db';
import { FfmpegDriver, frameFileName } from '@cameramonit/media';
import { APP_CONFIG, StorageClient, storeUrlPath } from '@cameramonit/server';
import type { ReceivedPicture } from './frame-body.reader.js';
import { captureTime, checkPushedFrame, videoSizeFor, type CheckedFrame } from './pushed-frame.js';
import type { PushCaller, PushEventView, PushView } from './push.types.js';

const sweepEveryMs = 5_000;
const maxAnalysisWaitSec = 120;

/**
 * Recordings made of pushed JPEG frames (docs/pushed-frames.md): start, frames, finish. Frames
 * wait on the recorder's disk (DATA_DIR/pushes/<id>/frame-000001.jpg, ...); finishing assembles
 * them into an H.264 MP4 at the push's fps and size (FfmpegDriver) and stores it through the
 * storage app as a clip of source `push` with the first frame's capture time; video-to-text
 * analyses it like any clip. One open push per camera (a unique column); an unfinished push
 * expires after PUSH_IDLE_SECONDS without a frame and its frames are deleted.
 */
@Injectable()
export class PushService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PushService.name);
  private readonly ffmpeg = new FfmpegDriver();
  private readonly storage: StorageClient;
  private readonly framesRoot: string;
  /** pushId -> the tail of its queue: frames and finish of one push run one after another */
  private readonly queues = new Map<string, Promise<unknown>>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenService,
  ) {
    this.storage = new StorageClient(config.storageUrl, tokens, 'recorder');
    this.framesRoot = join(config.dataDir, 'pushes');
  }

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.framesRoot, { recursive: true });
    // a finish cut short by a restart: the frames are still here, the device may finish again
    await this.db.getRepository(CameraPushEntity).update({ status: 'assembling' }, { status: 'recording', lastActivityAt: new Date(), updatedAt: new Date() });
    await this.sweep();
    // frames of pushes that are no longer open (a crash between the row and the files)
    const open = new Set((await this.db.getRepository(CameraPushEntity).find({ select: { id: true }, where: { status: 'recording' } })).map((p) => p.id));
    for (const name of await readdir(this.framesRoot).catch(() => [] as string[])) {
      if (!open.has(name)) await rm(join(this.framesRoot, name), { recursive: true, force: true });
    }
    this.sweeper = setInterval(() => void this.sweep().catch((error: unknown) => this.logger.warn(`Sweeping pushes failed: ${(error as Error).message}`)), sweepEveryMs);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** The caller of a request: a device's push token must exist and not be revoked. */
  async device(tokenId: string): Promise<PushCaller> {
    const token = await this.db.getRepository(CameraPushTokenEntity).findOneBy({ id: tokenId });
    if (!token || token.revokedAt) throw new CameramonitError('PUSH_TOKEN_REVOKED', 'This push token was revoked or deleted; ask an admin for a new one', 401);
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await this.db.getRepository(CameraPushTokenEntity).update({ id: token.id }, { lastUsedAt: new Date() });
    }
    return { kind: 'device', tokenId: token.id, cameraId: token.cameraId, principal: `push-token:${token.id}`, name: token.name };
  }

  async start(caller: PushCaller, cameraId: string, input: { fps: number; width?: number; height?: number }): Promise<PushView> {
    const { camera } = await this.cameraFor(caller, cameraId);
    if (!camera.enabled) throw new CameramonitError('CAMERA_DISABLED', `Camera ${camera.name} is disabled; an admin can enable it`, 409);
    // a camera a recorder reads itself: a push would put a second recording on the same timeline
    if (recordedSourceKinds.includes(camera.sourceKind)) {
      throw new CameramonitError('CAMERA_RECORDS_STREAM', `Camera ${camera.name} is recorded from its own ${camera.sourceKind} source; push frames to a camera whose source is "push" (or none)`, 409);
    }
    if ((input.width === undefined) !== (input.height === undefined)) throw new CameramonitError('INVALID_PUSH', 'Give both width and height, or neither (then the first frame sets the size)', 400);
    await this.sweep();
    const now = new Date();
    const pushes = this.db.getRepository(CameraPushEntity);
    let push: CameraPushEntity;
    try {
      push = await pushes.save(
        pushes.create({
          cameraId,
          openCameraId: cameraId,
          status: 'recording',
          fps: input.fps,
          width: input.width ? Math.floor(input.width / 2) * 2 : null,
          height: input.height ? Math.floor(input.height / 2) * 2 : null,
          frameCount: 0,
          totalBytes: '0',
          resizedFrames: 0,
          firstFrameAt: null,
          lastActivityAt: now,
          createdBy: caller.principal,
          createdByName: caller.name.slice(0, 120),
          clipId: null,
          errorCode: null,
          error: null,
          finishedAt: null,
        }),
      );
    } catch (error) {
      if (error instanceof QueryFailedError && /unique|duplicate/i.test(error.message)) {
        const open = await pushes.findOneBy({ openCameraId: cameraId });
        const since = open ? ` (started by ${open.createdByName} at ${open.createdAt.toISOString()})` : '';
        throw new CameramonitError('PUSH_IN_PROGRESS', `Camera ${camera.name} is receiving another push${since}; finish it, or wait until it expires after ${this.config.push.idleSeconds} s without frames`, 409);
      }
      throw error;
    }
    await mkdir(this.dirOf(push.id), { recursive: true });
    this.logger.log(`Push ${push.id} to camera ${camera.name} started by ${caller.name} at ${input.fps} fps`);
    return this.view(push, camera);
  }

  /** Keeps the pictures of one request as the push's next frames, all or none. */
  addFrames(caller: PushCaller, pushId: string, pictures: ReceivedPicture[]): Promise<PushView> {
    return this.queued(pushId, async () => {
      const push = await this.ownPush(caller, pushId);
      this.requireRecording(push);
      const receivedAt = new Date();
      const warnings: string[] = [];
      const checked: CheckedFrame[] = pictures.map((picture, index) => checkPushedFrame(picture.bytes, pictures.length > 1 ? `frame ${index + 1} of this request` : 'the frame'));
      const { maxFrames, maxBytes } = this.config.push;
      if (push.frameCount + checked.length > maxFrames) {
        throw new CameramonitError('PUSH_TOO_MANY_FRAMES', `This push holds ${push.frameCount} of at most ${maxFrames} frames (PUSH_MAX_FRAMES); ${checked.length} more do not fit. Finish it and start another`, 413);
      }
      const bytes = checked.reduce((sum, frame) => sum + frame.bytes.length, 0);
      if (Number(push.totalBytes) + bytes > maxBytes) {
        throw new CameramonitError('PUSH_TOO_LARGE', `This push holds ${Math.round(Number(push.totalBytes) / 1048576)} MB of at most ${Math.round(maxBytes / 1048576)} MB (PUSH_MAX_MB); finish it and start another`, 413);
      }
      if (push.frameCount === 0) {
        const first = captureTime(pictures[0]?.capturedAt, receivedAt);
        if (first.warning) warnings.push(first.warning);
        push.firstFrameAt = first.at;
        if (!push.width || !push.height) Object.assign(push, videoSizeFor({ width: push.width, height: push.height }, checked[0] as CheckedFrame));
      }
      for (const picture of pictures.slice(push.frameCount === 0 ? 1 : 0)) {
        const warning = captureTime(picture.capturedAt, receivedAt).warning;
        if (warning && !warnings.includes(warning)) warnings.push(warning);
      }
      const dir = this.dirOf(push.id);
      await mkdir(dir, { recursive: true });
      for (const [index, frame] of checked.entries()) {
        await writeFile(join(dir, frameFileName(push.frameCount + index + 1)), frame.bytes);
        if (frame.width !== push.width || frame.height !== push.height) push.resizedFrames += 1;
      }
      push.frameCount += checked.length;
      push.totalBytes = String(Number(push.totalBytes) + bytes);
      push.lastActivityAt = receivedAt;
      await this.db.getRepository(CameraPushEntity).update(
        { id: push.id, status: 'recording' },
        { frameCount: push.frameCount, totalBytes: push.totalBytes, resizedFrames: push.resizedFrames, firstFrameAt: push.firstFrameAt, width: push.width, height: push.height, lastActivityAt: receivedAt, updatedAt: receivedAt },
      );
      return { ...(await this.view(push)), warnings };
    });
  }

  /**
   * Assembles the frames into a clip and stores it (201 with its link); with `waitForAnalysisSec`
   * also waits (bounded) for its analysis and answers its events. Finishing a stored push again
   * answers the same clip.
   */
  async finish(caller: PushCaller, pushId: string, waitForAnalysisSec = 0): Promise<PushView> {
    const stored = await this.queued(pushId, async () => {
      const push = await this.ownPush(caller, pushId);
      if (push.status === 'stored') return push;
      this.requireRecording(push);
      if (push.frameCount === 0) {
        throw new CameramonitError('PUSH_EMPTY', 'No frames were pushed yet: POST at least one JPEG to /api/pushes/{pushId}/frames, then finish', 422);
      }
      const found = await this.db.getRepository(CameraEntity).findOneBy({ id: push.cameraId });
      const project = found ? await this.db.getRepository(ProjectEntity).findOneBy({ id: found.projectId }) : null;
      if (!found || !project) {
        await this.close(push, 'failed', 'CAMERA_DELETED', 'The camera was deleted while it was receiving frames; nothing was stored');
        throw new CameramonitError('CAMERA_DELETED', 'The camera was deleted while it was receiving frames; nothing was stored', 410);
      }
      await this.setStatus(push, 'assembling');
      const dir = this.dirOf(push.id);
      const output = join(dir, 'clip.mp4');
      try {
        await this.ffmpeg.assembleFramesToMp4(dir, output, { fps: push.fps, width: push.width as number, height: push.height as number, frameCount: push.frameCount });
      } catch (error) {
        const reason = error instanceof CameramonitError ? error.message.split(dir).join('the frames') : String(error);
        await this.close(push, 'failed', 'ASSEMBLY_FAILED', reason);
        throw new CameramonitError('ASSEMBLY_FAILED', `The frames could not be made into a video: ${reason}`, 422);
      }
      const startedAt = push.firstFrameAt ?? push.createdAt;
      try {
        const result = await this.storage.putRecording(project.slug, found.slug, output, {
          startedAt,
          source: 'push',
          name: clipName(push.createdByName, startedAt),
          uploadedBy: push.createdBy.startsWith('push-token:') ? null : push.createdBy,
        });
        push.clipId = result.clipId;
      } catch (error) {
        const known = error instanceof CameramonitError ? error : null;
        if (known && known.httpStatus === 404) {
          await this.close(push, 'failed', 'CAMERA_DELETED', 'The camera was deleted while it was receiving frames; nothing was stored');
          throw new CameramonitError('CAMERA_DELETED', 'The camera was deleted while it was receiving frames; nothing was stored', 410);
        }
        if (known && known.httpStatus >= 400 && known.httpStatus < 500) {
          await this.close(push, 'failed', known.code, known.message);
          throw known;
        }
        // storage unreachable or failing: keep the frames, the caller may finish again
        await this.setStatus(push, 'recording');
        const reason = known?.message ?? (error as Error).message;
        this.logger.warn(`Push ${push.id}: storing the clip failed (${reason}); its frames are kept`);
        throw new CameramonitError('STORAGE_UNAVAILABLE', `The clip could not be stored right now (${reason}); the frames are kept: finish again in a moment`, 503);
      }
      await this.close(push, 'stored', null, null);
      this.logger.log(`Push ${push.id}: ${push.frameCount} frames at ${push.fps} fps stored as clip ${push.clipId}`);
      return push;
    });
    const wait = Math.min(maxAnalysisWaitSec, Math.max(0, waitForAnalysisSec));
    if (wait > 0 && stored.clipId) await this.waitForAnalysis(stored.clipId, wait * 1000);
    return this.view(stored);
  }

  async get(caller: PushCaller, pushId: string): Promise<PushView> {
    return this.view(await this.ownPush(caller, pushId));
  }

  /** Stops a push without storing anything; its frames are deleted. */
  cancel(caller: PushCaller, pushId: string): Promise<PushView> {
    return this.queued(pushId, async () => {
      const push = await this.ownPush(caller, pushId);
      this.requireRecording(push);
      await this.close(push, 'failed', 'CANCELLED', 'Cancelled; nothing was stored');
      return this.view(push);
    });
  }

  /** Expires pushes idle past PUSH_IDLE_SECONDS and deletes their frames. */
  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.push.idleSeconds * 1000);
    const idle = await this.db.getRepository(CameraPushEntity).findBy({ status: 'recording', lastActivityAt: LessThan(cutoff) });
    for (const push of idle) {
      await this.queued(push.id, async () => {
        const fresh = await this.db.getRepository(CameraPushEntity).findOneBy({ id: push.id });
        if (!fresh || fresh.status !== 'recording' || fresh.lastActivityAt >= cutoff) return;
        await this.close(fresh, 'expired', 'PUSH_EXPIRED', `No frame and no finish for ${this.config.push.idleSeconds} s (PUSH_IDLE_SECONDS); its frames were deleted`);
        this.logger.log(`Push ${fresh.id} expired after ${this.config.push.idleSeconds} s without frames (${fresh.frameCount} frames deleted)`);
      });
    }
    return idle.length;
  }

  // ------------------------------------------------------------------ helpers

  private dirOf(pushId: string): string {
    return join(this.framesRoot, pushId);
  }

  /** Runs `work` after every earlier job of the same push. */
  private queued<T>(pushId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(pushId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    const tail = next.catch(() => undefined);
    this.queues.set(pushId, tail);
    void tail.then(() => {
      if (this.queues.get(pushId) === tail) this.queues.delete(pushId);
    });
    return next;
  }

  private async cameraFor(caller: PushCaller, cameraId: string): Promise<{ camera: CameraEntity }> {
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId });
    const allowed =
      camera &&
      (caller.kind === 'device'
        ? caller.cameraId === cameraId
        : caller.seesAllCameras || (await this.db.getRepository(CameraGrantEntity).existsBy({ userId: caller.userId, cameraId })));
    if (!camera || !allowed) {
      const hint = caller.kind === 'device' ? ' (a push token works for the one camera it was made for)' : '';
      throw new CameramonitError('UNKNOWN_CAMERA', `No camera ${cameraId} that you may push to${hint}`, 404);
    }
    return { camera };
  }

  /** The push, if the caller started it (a push id alone opens nothing). */
  private async ownPush(caller: PushCaller, pushId: string): Promise<CameraPushEntity> {
    const push = await this.db.getRepository(CameraPushEntity).findOneBy({ id: pushId });
    if (!push || push.createdBy !== caller.principal) throw new CameramonitError('UNKNOWN_PUSH', `No push ${pushId} of yours`, 404);
    return push;
  }

  private requireRecording(push: CameraPushEntity): void {
    if (push.status === 'recording') return;
    if (push.status === 'expired') throw new CameramonitError('PUSH_EXPIRED', `This push expired: ${push.error ?? 'no frame arrived in time'}. Start a new push`, 410);
    if (push.status === 'assembling') throw new CameramonitError('PUSH_FINISHING', 'This push is being made into a clip; GET /api/pushes/{pushId} tells when it is stored', 409);
    if (push.status === 'stored') throw new CameramonitError('PUSH_FINISHED', 'This push is finished and stored; start a new push for more frames', 409);
    throw new CameramonitError('PUSH_FAILED', `This push ended: ${push.error ?? push.errorCode ?? 'failed'}. Start a new push`, 410);
  }

  private async setStatus(push: CameraPushEntity, status: 'recording' | 'assembling'): Promise<void> {
    push.status = status;
    push.lastActivityAt = new Date();
    await this.db.getRepository(CameraPushEntity).update({ id: push.id }, { status, lastActivityAt: push.lastActivityAt, updatedAt: push.lastActivityAt });
  }

  /** Ends a push: the camera is free again and the frames are deleted. */
  private async close(push: CameraPushEntity, status: 'stored' | 'failed' | 'expired', errorCode: string | null, error: string | null): Promise<void> {
    const now = new Date();
    Object.assign(push, { status, openCameraId: null, errorCode, error, finishedAt: now, updatedAt: now });
    await this.db.getRepository(CameraPushEntity).update({ id: push.id }, { status, openCameraId: null, errorCode, error, finishedAt: now, updatedAt: now, clipId: push.clipId });
    await rm(this.dirOf(push.id), { recursive: true, force: true });
  }

  private async waitForAnalysis(clipId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const analysis = await this.db.getRepository(AnalysisEntity).findOneBy({ clipId });
      if (analysis && (analysis.status === 'done' || analysis.status === 'failed')) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private async view(push: CameraPushEntity, knownCamera?: CameraEntity): Promise<PushView> {
    const camera = knownCamera ?? (await this.db.getRepository(CameraEntity).findOneBy({ id: push.cameraId }));
    const { maxFrames, maxBytes, idleSeconds } = this.config.push;
    const clip = push.clipId ? await this.db.getRepository(ClipEntity).findOneBy({ id: push.clipId }) : null;
    const analysis = push.clipId ? await this.db.getRepository(AnalysisEntity).findOneBy({ clipId: push.clipId }) : null;
    const events = push.clipId ? await this.db.getRepository(EventEntity).find({ where: { clipId: In([push.clipId]) }, order: { startedAt: 'ASC' } }) : [];
    return {
      pushId: push.id,
      cameraId: push.cameraId,
      cameraName: camera?.name ?? '',
      status: push.status,
      fps: push.fps,
      width: push.width,
      height: push.height,
      frameCount: push.frameCount,
      totalBytes: Number(push.totalBytes),
      resizedFrames: push.resizedFrames,
      durationSec: Math.round((push.frameCount / push.fps) * 1000) / 1000,
      startedAt: push.firstFrameAt?.toISOString() ?? null,
      expiresAt: push.status === 'recording' ? new Date(push.lastActivityAt.getTime() + idleSeconds * 1000).toISOString() : null,
      limits: { maxFrames, maxBytes, idleSeconds },
      clip: clip ? { clipId: clip.id, url: this.mediaUrl(clip.path), durationSec: clip.durationSec, startedAt: clip.startedAt.toISOString() } : null,
      analysis: push.clipId
        ? {
            status: analysis?.status ?? 'queued',
            progress: analysis?.progress ?? 0,
            eventCount: events.length,
            errorCode: analysis?.errorCode ?? null,
            error: analysis?.error ?? null,
          }
        : null,
      events: events.map((event): PushEventView => ({
        id: event.id,
        label: event.label,
        count: event.count,
        summary: event.summary,
        startedAt: event.startedAt.toISOString(),
        endedAt: event.endedAt.toISOString(),
        snapshotUrl: event.snapshotPath ? this.mediaUrl(event.snapshotPath) : null,
      })),
      threadUrl: `${this.config.publicUrl}/#camera=${encodeURIComponent(push.cameraId)}`,
      error: push.errorCode ? { code: push.errorCode, message: push.error ?? push.errorCode } : null,
      warnings: [],
    };
  }

  /** A link anyone holding it can play for a day: the chat's signed /media route. */
  private mediaUrl(storePath: string): string {
    const path = storeUrlPath(storePath);
    const { exp, sig } = this.tokens.signMedia(path);
    return `${this.config.publicUrl}/media/${path}?exp=${exp}&sig=${sig}`;
  }
}

/** "push-gate-esp32-20261122T101505Z.mp4": who pushed it and when, readable in the thread. */
export function clipName(by: string, startedAt: Date): string {
  const who = by.normalize('NFKD').replace(/[^\w]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 40) || 'device';
  return `push-${who}-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.mp4`;
}
