import { randomUUID } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OutboxService, BusClient } from '@cameramonit/bus';
import { CameramonitError, Topics, type ClipStoredPayload, type UploadRejectedPayload } from '@cameramonit/contracts';
import { ClipEntity } from '@cameramonit/db';
import { FfmpegDriver, type VideoInfo } from '@cameramonit/media';
import { ClipStore, type CompletedUpload, type UploadSink } from './file-servers/index.js';
import { CameraAccessPolicy } from './platform-access.js';

const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm', '.ts', '.mpg', '.mpeg', '.3gp', '.flv', '.wmv', '.h264', '.mjpeg']);

/** A finished upload (web, WebDAV, FTP) becomes a clip: checked with ffprobe, moved into clips/, registered, announced. */
@Injectable()
export class ClipIngestService implements UploadSink {
  private readonly logger = new Logger(ClipIngestService.name);
  private readonly ffmpeg = new FfmpegDriver();

  constructor(
    private readonly store: ClipStore,
    private readonly access: CameraAccessPolicy,
    private readonly outbox: OutboxService,
    private readonly bus: BusClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** FTP/WebDAV: the reply has gone; a refused file is reported in the camera's thread. */
  async onUploadComplete(upload: CompletedUpload): Promise<void> {
    await this.ingest(upload).catch((error: unknown) => {
      if (!(error instanceof CameramonitError)) this.logger.error(`Ingest of ${upload.storePath} failed: ${(error as Error).stack}`);
    });
  }

  /** Returns the new clip; throws a CameramonitError (after reporting it) when the file is refused. */
  async ingest(upload: CompletedUpload): Promise<ClipEntity> {
    const found = await this.access.camera(upload.projectSlug, upload.cameraSlug);
    const { absolutePath } = await this.store.resolve(upload.storePath);
    let info: VideoInfo;
    try {
      if (!found) throw new CameramonitError('UNKNOWN_CAMERA', `There is no camera ${upload.projectSlug}/${upload.cameraSlug}`, 404);
      info = await this.ffmpeg.probe(absolutePath);
    } catch (error) {
      await this.store.delete(upload.storePath).catch(() => undefined);
      const known = error instanceof CameramonitError ? error : new CameramonitError('NOT_VIDEO', `The file could not be read as a video: ${(error as Error).message}`, 415);
      // people see the name they uploaded, never the server's paths
      const refused = new CameramonitError(known.code, known.message.split(absolutePath).join(`"${upload.fileName}"`), known.httpStatus);
      this.logger.warn(`Refused ${upload.storePath} from ${upload.user.email}: ${refused.code} ${refused.message}`);
      const payload: UploadRejectedPayload = {
        cameraId: found?.camera.id ?? null,
        projectSlug: upload.projectSlug,
        cameraSlug: upload.cameraSlug,
        originalName: upload.fileName,
        code: refused.code,
        message: refused.message,
        uploadedBy: upload.user.id,
      };
      await this.bus.publish(Topics.uploadRejected, payload).catch(() => undefined);
      throw refused;
    }
    const { project, camera } = found;
    const clipId = randomUUID();
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    const extension = VIDEO_EXTENSIONS.has(extname(upload.fileName).toLowerCase()) ? extname(upload.fileName).toLowerCase() : '.video';
    const clipPath = `/${project.slug}/${camera.slug}/clips/${day}/${clipId}${extension}`;
    const target = await this.store.resolve(clipPath);
    await mkdir(dirname(target.absolutePath), { recursive: true });
    await rename(absolutePath, target.absolutePath);
    const clip = await this.db.transaction(async (manager) => {
      const saved = await manager.getRepository(ClipEntity).save({
        id: clipId,
        cameraId: camera.id,
        path: clipPath.slice(1),
        source: 'upload',
        originalName: upload.fileName,
        sizeBytes: String(info.sizeBytes),
        durationSec: info.durationSec,
        width: info.width,
        height: info.height,
        // an upload "just happened": its last frame is now
        startedAt: new Date(now.getTime() - info.durationSec * 1000),
        uploadedBy: upload.user.id,
      });
      const payload: ClipStoredPayload = {
        clipId,
        cameraId: camera.id,
        projectSlug: project.slug,
        cameraSlug: camera.slug,
        path: saved.path,
        source: 'upload',
        originalName: upload.fileName,
        uploadedBy: upload.user.id,
      };
      await this.outbox.add(manager, Topics.clipStored, payload);
      return saved;
    });
    void this.outbox.flush();
    this.logger.log(`Stored ${upload.fileName} (${info.codec} ${info.width}x${info.height}, ${info.durationSec.toFixed(1)} s) as clip ${clipId}`);
    return clip;
  }
}
