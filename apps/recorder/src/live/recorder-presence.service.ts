import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LessThan, Not, type DataSource } from 'typeorm';
import { mainRecorderId, recorderHeartbeatMs, recorderOnlineWithinMs, type VideoDeviceView } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { RecorderEntity } from '@cameramonit/db';
import { FfmpegDriver, listVideoNodes } from '@cameramonit/media';
import { APP_CONFIG } from '@cameramonit/server';
import { RecordingSupervisor } from './recording.supervisor.js';

/**
 * Says in the `recorders` table, every few seconds, that this recorder (RECORDER_ID) is there,
 * where the other apps reach it (RECORDER_PUBLIC_URL) and which video devices its machine has, so
 * that the admin page can offer them for a webcam and the chat knows whom to ask for a camera's
 * live picture. The devices are asked for their formats again only when the set of nodes changes
 * (a webcam plugged in or out). The main recorder also looks after the others: the cameras of one
 * not heard of for RECORDER_LOST_SECONDS are set offline (RecordingSupervisor.reportLostRecorder).
 */
@Injectable()
export class RecorderPresenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecorderPresenceService.name);
  private readonly ffmpeg = new FfmpegDriver();
  private readonly startedAt = new Date();
  private readonly host = hostname();
  private timer: NodeJS.Timeout | null = null;
  private devices: VideoDeviceView[] = [];
  private nodesSeen = '';
  private beating: Promise<void> | null = null;
  private warnedTwin = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly supervisor: RecordingSupervisor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.logger.log(`Recorder ${this.config.recorder.id} on ${this.host}, reached at ${this.config.recorder.publicUrl}; video devices: ${this.devices.map((d) => `${d.path} (${d.name})`).join(', ') || 'none'}`);
    this.timer = setInterval(() => void this.beat(), recorderHeartbeatMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
  }

  private beat(): Promise<void> {
    this.beating ??= this.beatOnce()
      .catch((error: unknown) => this.logger.warn(`Saying this recorder is there failed: ${(error as Error).message}`))
      .finally(() => (this.beating = null));
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    const nodes = await listVideoNodes();
    const seen = nodes.map((node) => `${node.path}=${node.name}`).join(',');
    if (seen !== this.nodesSeen) {
      // only the nodes that capture video (a webcam's metadata node does not)
      const devices: VideoDeviceView[] = [];
      for (const node of nodes) if (await this.ffmpeg.videoDeviceFormats(node.path).catch(() => null)) devices.push(node);
      this.devices = devices;
      this.nodesSeen = seen;
    }
    const repository = this.db.getRepository(RecorderEntity);
    const row = await repository.findOneBy({ recorderId: this.config.recorder.id });
    const now = new Date();
    const fields = { url: this.config.recorder.publicUrl, hostname: this.host, devices: JSON.stringify(this.devices), startedAt: this.startedAt, lastSeenAt: now };
    if (this.config.recorder.id === mainRecorderId) {
      // the main recorder looks after the others: a machine that went away leaves its cameras offline, not "online"
      const lost = await repository.findBy({ recorderId: Not(mainRecorderId), lastSeenAt: LessThan(new Date(now.getTime() - this.config.recorder.lostSeconds * 1000)) });
      for (const other of lost) await this.supervisor.reportLostRecorder(other);
    }
    if (!row) {
      await repository.insert({ recorderId: this.config.recorder.id, ...fields });
      return;
    }
    if (!this.warnedTwin && row.hostname !== this.host && row.startedAt.getTime() !== this.startedAt.getTime() && now.getTime() - row.lastSeenAt.getTime() < recorderOnlineWithinMs) {
      this.warnedTwin = true;
      this.logger.warn(`Another recorder with the id ${this.config.recorder.id} runs on ${row.hostname}: give each recorder its own RECORDER_ID, or both record the same cameras`);
    }
    await repository.update({ id: row.id }, fields);
  }
}
