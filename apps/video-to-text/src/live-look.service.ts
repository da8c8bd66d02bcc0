import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import type { AppConfig } from '@cameramonit/config';
import { Topics, type LiveBox, type LiveBoxesPayload } from '@cameramonit/contracts';
import { CameraEntity } from '@cameramonit/db';
import { fitFrameSize, type LiveKeyFrame } from '@cameramonit/media';
import { APP_CONFIG, RecorderDirectory } from '@cameramonit/server';
import { SceneZones } from '@cameramonit/vision';
import { AnalysisEngine } from './analysis-engine.service.js';

/** A camera nobody said they watch for this long is no longer looked at. */
const WATCH_TIMEOUT_MS = 12_000;
/** Live key frames are looked at this wide (the analysis width): the detector works at its own size anyway. */
const LOOK_WIDTH = 640;

interface Look {
  abort: AbortController;
  lastWatchedMs: number;
}

/**
 * The detector's boxes over a live picture someone is watching: the chat says which cameras are
 * watched (Topics.liveWatched, every few seconds); for each (at most LIVE_BOXES_CAMERAS), this reads
 * the recorder's live picture (the sub-stream where there is one), decodes its key frames as they
 * come (and a picture between two where they are far apart: about one a second), runs the detector
 * on the newest (a frame that comes while the detector is busy waits; an older waiting one is
 * dropped) and publishes what it found with the camera's classes, minimum confidence and masks,
 * with when the picture was taken (Topics.liveBoxes: the browser draws the boxes for the picture
 * it shows). A camera no longer watched is let go after WATCH_TIMEOUT_MS.
 */
@Injectable()
export class LiveLookService implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveLookService.name);
  private readonly looks = new Map<string, Look>();
  private readonly sweep: NodeJS.Timeout;
  /** a camera nobody said they watch for this long is let go */
  watchTimeoutMs = WATCH_TIMEOUT_MS;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly engine: AnalysisEngine,
    private readonly bus: BusClient,
    @InjectDataSource() private readonly db: DataSource,
    private readonly recorders: RecorderDirectory,
  ) {
    this.sweep = setInterval(() => this.letGo(), 1000);
    this.sweep.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    for (const look of this.looks.values()) look.abort.abort();
    this.looks.clear();
  }

  /** Cameras looked at now. */
  get watching(): string[] {
    return [...this.looks.keys()];
  }

  /** Someone is watching the camera's live picture. */
  watched(cameraId: string): void {
    const look = this.looks.get(cameraId);
    if (look) {
      look.lastWatchedMs = Date.now();
      return;
    }
    if (this.looks.size >= this.config.analysis.liveBoxesCameras) return;
    const started: Look = { abort: new AbortController(), lastWatchedMs: Date.now() };
    this.looks.set(cameraId, started);
    void this.run(cameraId, started).finally(() => {
      if (this.looks.get(cameraId) === started) this.looks.delete(cameraId);
    });
  }

  private letGo(): void {
    for (const [cameraId, look] of this.looks) {
      if (Date.now() - look.lastWatchedMs > this.watchTimeoutMs) {
        look.abort.abort();
        this.looks.delete(cameraId);
      }
    }
  }

  private async run(cameraId: string, look: Look): Promise<void> {
    const { signal } = look.abort;
    try {
      const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId });
      if (!camera) return;
      await this.engine.ready();
      const response = await fetch(await this.recorders.liveUrl(cameraId, 'sub'), {
        headers: { authorization: `Bearer ${this.tokens.serviceToken('video-to-text', 600)}` },
        signal,
      });
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        return;
      }
      const [sourceWidth, sourceHeight] = (response.headers.get('x-video-size') ?? '').split('x').map(Number);
      if (!(sourceWidth > 0 && sourceHeight > 0)) return;
      const { width, height } = fitFrameSize(sourceWidth, sourceHeight, LOOK_WIDTH);
      this.logger.log(`Looking at the live picture of ${camera.name} (${sourceWidth}x${sourceHeight}, key frames at ${width}x${height})`);
      let waiting: LiveKeyFrame | null = null;
      let busy: Promise<void> | null = null;
      const lookAt = async (frame: LiveKeyFrame): Promise<void> => {
        let next: LiveKeyFrame | null = frame;
        while (next && !signal.aborted) {
          await this.publish(camera, next).catch((error: unknown) => this.logger.warn(`Live boxes of ${camera.name}: ${(error as Error).message}`));
          next = waiting;
          waiting = null;
        }
      };
      // the recorder says how far apart the key frames are (when it has seen two): pictures between them are looked at where they are far apart
      const keyFrameIntervalSec = Number(response.headers.get('x-key-frame-interval')) || null;
      for await (const frame of this.engine.ffmpeg.readLiveKeyFrames(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), { width, height, signal, keyFrameIntervalSec })) {
        if (busy) {
          waiting = frame;
          continue;
        }
        busy = lookAt(frame).finally(() => {
          busy = null;
        });
      }
      await busy;
    } catch (error) {
      if (!signal.aborted) this.logger.warn(`Live boxes of camera ${cameraId} stopped: ${(error as Error).message}`);
    }
  }

  /** The detector on one key frame, with the camera's settings read now; the boxes as fractions of the picture. */
  private async publish(camera: CameraEntity, frame: LiveKeyFrame): Promise<void> {
    const fresh = (await this.db.getRepository(CameraEntity).findOneBy({ id: camera.id })) ?? camera;
    const { settings } = this.engine.settingsFor(fresh);
    const masks = new SceneZones([], settings.masks, frame.width, frame.height);
    const found = await this.engine.detectWholeFrame(frame, { minConfidence: settings.minConfidence, classes: settings.classes });
    const boxes: LiveBox[] = found
      .filter((detection) => !masks.isMasked(detection.box))
      .map((detection) => ({
        label: detection.label,
        confidence: Math.round(detection.confidence * 100) / 100,
        x: detection.box.x / frame.width,
        y: detection.box.y / frame.height,
        width: detection.box.width / frame.width,
        height: detection.box.height / frame.height,
      }));
    const payload: LiveBoxesPayload = { cameraId: camera.id, at: new Date().toISOString(), takenAtMs: frame.takenAtMs, sentAtMs: Date.now(), boxes };
    await this.bus.publish(Topics.liveBoxes, payload);
  }
}
