import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@cameramonit/config';
import { CameramonitError, mainRecorderId, recorderOf } from '@cameramonit/contracts';
import { CameraEntity, RecorderEntity } from '@cameramonit/db';
import { APP_CONFIG } from './server.module.js';

const cacheMs = 5_000;

/**
 * Which recorder has a camera's live picture, and where it is: cameras name their recorder
 * (cameras.recorderId, null: the main one, reached at RECORDER_URL); the others say where they
 * are in the `recorders` table (RECORDER_PUBLIC_URL). Looked up at most every 5 s per camera.
 */
@Injectable()
export class RecorderDirectory {
  private readonly cache = new Map<string, { url: string; at: number }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The recorder's address of the camera's live picture (stream=sub: its sub-stream). 503 RECORDER_UNKNOWN when its recorder never started. */
  async liveUrl(cameraId: string, stream: 'main' | 'sub' = 'main'): Promise<string> {
    return `${await this.recorderUrl(cameraId)}/api/cameras/${encodeURIComponent(cameraId)}/live.mp4${stream === 'sub' ? '?stream=sub' : ''}`;
  }

  async recorderUrl(cameraId: string): Promise<string> {
    const cached = this.cache.get(cameraId);
    if (cached && Date.now() - cached.at < cacheMs) return cached.url;
    const camera = await this.db.getRepository(CameraEntity).findOne({ where: { id: cameraId }, select: { id: true, name: true, recorderId: true } });
    const id = camera ? recorderOf(camera) : mainRecorderId;
    let url = this.config.recorderUrl;
    if (id !== mainRecorderId) {
      const row = await this.db.getRepository(RecorderEntity).findOneBy({ recorderId: id });
      if (!row) throw new CameramonitError('RECORDER_UNKNOWN', `Camera ${camera?.name ?? cameraId} is recorded by the recorder "${id}", which has not started yet (a recorder app with RECORDER_ID=${id})`, 503);
      url = row.url;
    }
    this.cache.set(cameraId, { url, at: Date.now() });
    return url;
  }
}
