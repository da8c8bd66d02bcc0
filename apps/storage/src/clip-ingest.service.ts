import { randomUUID } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OutboxService, BusClient } from '@cameramonit/bus';
import { CameramonitError, recordedStreamOfName, Topics, type ClipSource, type RecordedStream, type ClipStoredPayload, type UploadRejectedPayload } from '@cameramonit/contracts';
import { ClipEntity, type CameraEntity, type ProjectEntity } from '@cameramonit/db';
import { FfmpegDriver, type VideoInfo } from '@cameramonit/media';
import { ClipStore, type CompletedRecording, type CompletedUpload, type RecordingResult, type RecordingSink, type UploadSink } from './file-servers/index.js';
import { CameraAccessPolicy } from './platform-access.js';

const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm', '.ts', '.mpg', '.mpeg', '.3gp', '.flv', '.wmv', '.h264', '.mjpeg']);

/** A finished upload (web, WebDAV, FTP) becomes a clip: checked with ffprobe, moved into clips/, registered, announced. */
@Injectable()
export class ClipIngestService implements UploadSink, RecordingSink {
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
    // an upload "just happened": its last frame is now
    const startedAt = new Date(Date.now() - info.durationSec * 1000);
    const clip = await this.register({ ...found, fileName: upload.fileName, absolutePath, info, source: 'upload', startedAt, uploadedBy: upload.user.id });
    this.logger.log(`Stored ${upload.fileName} (${info.codec} ${info.width}x${info.height}, ${info.durationSec.toFixed(1)} s) as clip ${clip.id}`);
    return clip;
  }

  /** A recorded clip the recorder wrote over WebDAV or FTP (its refusal goes back to the recorder). */
  async onRecordingComplete(recording: CompletedRecording): Promise<RecordingResult> {
    const { clip, created } = await this.ingestRecording({ ...recording, source: recordedStreamOfName(recording.fileName) });
    return { clipId: clip.id, startedAt: clip.startedAt.toISOString(), durationSec: clip.durationSec, created };
  }

  /**
   * A recorded clip (the recorder's, written with a service token) with its real start time.
   * Recorded clips of a camera follow each other: an object crossing from one into the next
   * stays one track and one event. The same camera and start time twice (a retried PUT) keeps the
   * first clip: `created` is false and the new file is dropped.
   */
  async ingestRecording(recording: {
    projectSlug: string;
    cameraSlug: string;
    fileName: string;
    storePath: string;
    startedAt: Date;
    /** recording (default): cut from the camera's stream; substream: from its sub-stream, for the analysis; push: assembled from pushed frames */
    source?: RecordedStream | 'push';
    uploadedBy?: string | null;
  }): Promise<{ clip: ClipEntity; created: boolean }> {
    const source = recording.source ?? 'recording';
    const found = await this.access.camera(recording.projectSlug, recording.cameraSlug);
    const { absolutePath } = await this.store.resolve(recording.storePath);
    try {
      if (!found) throw new CameramonitError('UNKNOWN_CAMERA', `There is no camera ${recording.projectSlug}/${recording.cameraSlug}`, 404);
      // deleted clips count too: a retry of a clip retention has already deleted (motion-only recording
      // deletes within seconds) is still that clip, not a new one to store and analyse again
      const existing = await this.db.getRepository(ClipEntity).findOneBy({ cameraId: found.camera.id, source, startedAt: recording.startedAt });
      if (existing) {
        await this.store.delete(recording.storePath).catch(() => undefined);
        return { clip: existing, created: false };
      }
      let info: VideoInfo;
      try {
        // the recorder's stream-copied segments skip decoding a first frame (one ffmpeg less per clip;
        // the analysis says CORRUPT_VIDEO when none decodes); pushed frames and uploads get the check
        info = await this.ffmpeg.probe(absolutePath, { decodeCheck: source === 'push', recorded: source !== 'push' });
      } catch (error) {
        const known = error instanceof CameramonitError ? error : new CameramonitError('NOT_VIDEO', `The file could not be read as a video: ${(error as Error).message}`, 415);
        throw new CameramonitError(known.code, known.message.split(absolutePath).join(`"${recording.fileName}"`), known.httpStatus);
      }
      const clip = await this.register({ ...found, fileName: recording.fileName, absolutePath, info, source, startedAt: recording.startedAt, uploadedBy: recording.uploadedBy ?? null });
      this.logger.log(`Stored recording ${recording.fileName} of ${recording.projectSlug}/${recording.cameraSlug} from ${recording.startedAt.toISOString()} (${info.durationSec.toFixed(1)} s) as clip ${clip.id}`);
      return { clip, created: true };
    } catch (error) {
      await this.store.delete(recording.storePath).catch(() => undefined);
      if (error instanceof CameramonitError) this.logger.warn(`Refused recording ${recording.storePath}: ${error.code} ${error.message}`);
      throw error;
    }
  }

  /** Moves the checked file into clips/<day>/<clip id>.<ext> and registers it with its clip/stored message. */
  private async register(input: {
    project: ProjectEntity;
    camera: CameraEntity;
    fileName: string;
    absolutePath: string;
    info: VideoInfo;
    source: ClipSource;
    startedAt: Date;
    uploadedBy: string | null;
  }): Promise<ClipEntity> {
    const { project, camera, fileName, info, source, startedAt, uploadedBy } = input;
    const clipId = randomUUID();
    const day = startedAt.toISOString().slice(0, 10);
    const extension = VIDEO_EXTENSIONS.has(extname(fileName).toLowerCase()) ? extname(fileName).toLowerCase() : '.video';
    const clipPath = `/${project.slug}/${camera.slug}/clips/${day}/${clipId}${extension}`;
    const target = await this.store.resolve(clipPath);
    await mkdir(dirname(target.absolutePath), { recursive: true });
    await rename(input.absolutePath, target.absolutePath);
    const clip = await this.db.transaction(async (manager) => {
      const saved = await manager.getRepository(ClipEntity).save({
        id: clipId,
        cameraId: camera.id,
        path: clipPath.slice(1),
        source,
        originalName: fileName,
        sizeBytes: String(info.sizeBytes),
        durationSec: info.durationSec,
        width: info.width,
        height: info.height,
        startedAt,
        uploadedBy,
      });
      const payload: ClipStoredPayload = {
        clipId,
        cameraId: camera.id,
        projectSlug: project.slug,
        cameraSlug: camera.slug,
        path: saved.path,
        source,
        originalName: fileName,
        uploadedBy,
      };
      await this.outbox.add(manager, Topics.clipStored, payload);
      return saved;
    });
    void this.outbox.flush();
    return clip;
  }
}
