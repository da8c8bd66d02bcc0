import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, posix } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import type { AppConfig } from '@cameramonit/config';
import { CameramonitError } from '@cameramonit/contracts';
import { CameraEntity, ClipEntity, EventEntity } from '@cameramonit/db';
import { FfmpegDriver } from '@cameramonit/media';
import { APP_CONFIG, StorageClient } from '@cameramonit/server';

const PREVIEW_WIDTH = 1280;

/** Where the preview of a clip is kept, next to its artifacts. */
export function previewPath(clip: Pick<ClipEntity, 'id' | 'path'>): string {
  return posix.join(posix.dirname(clip.path), clip.id, 'preview.jpg');
}

/**
 * The picture an admin draws zones and masks on: the last frame of the camera's newest clip
 * (made once with ffmpeg and kept in storage next to the clip), else its newest event snapshot.
 */
@Injectable()
export class CameraPreviewService {
  private readonly logger = new Logger(CameraPreviewService.name);
  private readonly storage: StorageClient;
  private readonly ffmpeg = new FfmpegDriver();
  /** the last preview per camera, while its newest clip stays the same */
  private readonly cache = new Map<string, { clipId: string; jpeg: Buffer }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    tokens: TokenService,
  ) {
    this.storage = new StorageClient(config.storageUrl, tokens, 'admin');
  }

  async preview(cameraId: string): Promise<Buffer> {
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId });
    if (!camera) throw new CameramonitError('UNKNOWN_CAMERA', `No camera ${cameraId}`, 404);
    const clip = await this.db.getRepository(ClipEntity).findOne({ where: { cameraId }, order: { startedAt: 'DESC' } });
    if (clip) {
      const cached = this.cache.get(cameraId);
      if (cached?.clipId === clip.id) return cached.jpeg;
      try {
        const jpeg = await this.clipPreview(clip);
        this.cache.set(cameraId, { clipId: clip.id, jpeg });
        return jpeg;
      } catch (error) {
        this.logger.warn(`No preview from clip ${clip.id} of camera ${cameraId}: ${(error as Error).message}`);
      }
    }
    const event = await this.db.getRepository(EventEntity).findOne({ where: { cameraId }, order: { startedAt: 'DESC' } });
    if (event?.snapshotPath) {
      const snapshot = await this.storage.getBuffer(event.snapshotPath).catch(() => null);
      if (snapshot) return snapshot;
    }
    throw new CameramonitError('NO_PREVIEW', `Camera "${camera.name}" has no video yet: record or upload a clip, then draw its zones on it`, 404);
  }

  private async clipPreview(clip: ClipEntity): Promise<Buffer> {
    const stored = await this.storage.getBuffer(previewPath(clip)).catch(() => null);
    if (stored) return stored;
    const work = await mkdtemp(join(tmpdir(), 'cm-preview-'));
    try {
      const video = join(work, `clip${extname(clip.path) || '.video'}`);
      await this.storage.download(clip.path, video);
      const jpeg = join(work, 'preview.jpg');
      await this.ffmpeg.writeSnapshot(video, jpeg, { atSec: Math.max(0, clip.durationSec - 0.5), width: Math.min(PREVIEW_WIDTH, clip.width), quality: 4 });
      await this.storage.putFile(previewPath(clip), jpeg, 'image/jpeg').catch((error: unknown) => this.logger.warn(`Could not keep the preview of clip ${clip.id}: ${(error as Error).message}`));
      return await readFile(jpeg);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
