import { CameramonitError } from '@cameramonit/contracts';
import type { RecordingStore, RecordingStored } from '@cameramonit/server';
import { backoffDelaySec, type BackoffPolicy } from './backoff.js';
import { spoolKey, type ClipSpool, type SpooledClip } from './clip-spool.js';


export interface UploaderHooks {
  stored(clip: SpooledClip, stored: RecordingStored, latencyMs: number): void;
  /** a clip was given up: refused by storage (bad clip, unknown camera) or dropped to keep the spool bounded */
  dropped(clip: SpooledClip, reason: string): void;
  log(level: 'log' | 'warn', message: string): void;
}

const storagePolicy: BackoffPolicy = { baseSec: 1, capSec: 30, jitter: 0.2 };

/**
 * Takes finished clips from the spool to the storage app, each camera's in the order they were
 * recorded (the analysis carries a camera's scene from one clip to the next). When storage cannot
 * be reached (down, restarting, on another host behind a broken link) the clips wait in the spool
 * and are sent later, in order; storage keeps the first of a clip sent twice (same start time),
 * so a retry after a lost answer is harmless. The spool is bounded: past `maxSpoolBytes` the
 * oldest waiting clips are dropped and said so.
 */
export class ClipUploader {
  private readonly queues = new Map<string, SpooledClip[]>();
  private readonly busy = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  /** the last storage failure and since when storage fails (null: it works) */
  storageFailingSince: number | null = null;
  lastError: string | null = null;
  stored = 0;
  droppedCount = 0;

  constructor(
    private readonly store: RecordingStore,
    private readonly spool: ClipSpool,
    private readonly maxSpoolBytes: number,
    private readonly hooks: UploaderHooks,
  ) {}

  /** Clips waiting, per camera (both its streams). */
  backlog(cameraId?: string): number {
    if (cameraId) return (this.queues.get(cameraId)?.length ?? 0) + (this.queues.get(spoolKey({ cameraId, source: 'substream' }))?.length ?? 0);
    return [...this.queues.values()].reduce((sum, queue) => sum + queue.length, 0);
  }

  backlogBytes(): number {
    return [...this.queues.values()].flat().reduce((sum, clip) => sum + clip.sizeBytes, 0);
  }

  add(clip: SpooledClip): void {
    // each stream of a camera in its own order (a sub-stream clip never waits behind a main one)
    const key = spoolKey(clip);
    const queue = this.queues.get(key) ?? [];
    queue.push(clip);
    queue.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    this.queues.set(key, queue);
    this.enforceBound();
    this.kick(key);
  }

  /** A camera was deleted: its waiting clips go (both streams). */
  async forget(cameraId: string): Promise<void> {
    for (const key of [cameraId, spoolKey({ cameraId, source: 'substream' })]) {
      this.queues.delete(key);
      const timer = this.timers.get(key);
      if (timer) clearTimeout(timer);
      this.timers.delete(key);
    }
    await this.spool.removeCamera(cameraId);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Try every waiting camera now (storage is back). */
  retryAll(): void {
    for (const key of this.queues.keys()) {
      const timer = this.timers.get(key);
      if (timer) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
      this.kick(key);
    }
  }

  private kick(key: string): void {
    if (this.stopped || this.busy.has(key) || this.timers.has(key)) return;
    this.busy.add(key);
    void this.drain(key).finally(() => {
      this.busy.delete(key);
      // clips added while the last round was ending are not left behind
      if ((this.queues.get(key)?.length ?? 0) > 0) this.kick(key);
    });
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(key);
      const clip = queue?.[0];
      if (!queue || !clip || this.stopped) return;
      try {
        const stored = await this.store.putRecording(clip.projectSlug, clip.cameraSlug, clip.file, { startedAt: clip.startedAt, source: clip.source });
        queue.shift();
        this.failures.delete(key);
        if (this.storageFailingSince !== null) {
          this.hooks.log('log', `Storage takes clips again (it failed for ${Math.round((Date.now() - this.storageFailingSince) / 1000)} s); sending the ${this.backlog()} waiting`);
          this.storageFailingSince = null;
          this.lastError = null;
          this.retryAll();
        }
        this.stored++;
        await this.spool.remove(clip.file);
        this.hooks.stored(clip, stored, Date.now() - clip.finishedAtMs);
      } catch (error) {
        if (this.isRefusal(error)) {
          queue.shift();
          await this.spool.remove(clip.file);
          const refusal = error as CameramonitError;
          if (refusal.code === 'UNKNOWN_CAMERA') {
            this.hooks.dropped(clip, `storage does not know camera ${clip.projectSlug}/${clip.cameraSlug} (deleted?)`);
            await this.forget(clip.cameraId).catch((error: unknown) => this.hooks.log('warn', `The spool of deleted camera ${clip.projectSlug}/${clip.cameraSlug} could not be removed: ${(error as Error).message}`));
            return;
          }
          this.droppedCount++;
          this.hooks.dropped(clip, `storage refused it: ${refusal.message}`);
          continue;
        }
        const failures = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, failures);
        const message = (error as Error).message;
        if (this.storageFailingSince === null) {
          this.storageFailingSince = Date.now();
          this.hooks.log('warn', `Storage cannot take clips (${message}); they wait in the recorder's spool and go in order when it is back`);
        }
        this.lastError = message;
        const delay = backoffDelaySec(failures, storagePolicy);
        this.timers.set(
          key,
          setTimeout(() => {
            this.timers.delete(key);
            this.kick(key);
          }, delay * 1000),
        );
        return;
      }
    }
  }

  /** Storage answered and said no (the clip or the camera is wrong): trying again will not help. */
  private isRefusal(error: unknown): boolean {
    if (!(error instanceof CameramonitError)) return false;
    const status = error.httpStatus;
    return status >= 400 && status < 500 && status !== 408 && status !== 429 && status !== 401 && status !== 403;
  }

  /** Past the bound, the oldest waiting clips (of any camera) are dropped. */
  private enforceBound(): void {
    let total = this.backlogBytes();
    if (total <= this.maxSpoolBytes) return;
    const waiting = [...this.queues.entries()]
      .flatMap(([key, queue]) => queue.map((clip, index) => ({ key, clip, index })))
      // never the one being sent now
      .filter(({ key, index }) => !(index === 0 && this.busy.has(key)))
      .sort((a, b) => a.clip.startedAt.getTime() - b.clip.startedAt.getTime());
    for (const { key, clip } of waiting) {
      if (total <= this.maxSpoolBytes) break;
      const queue = this.queues.get(key);
      if (!queue) continue;
      queue.splice(queue.indexOf(clip), 1);
      total -= clip.sizeBytes;
      this.droppedCount++;
      void this.spool.remove(clip.file);
      this.hooks.dropped(clip, `the recorder's spool is over ${Math.round(this.maxSpoolBytes / 1048576)} MB while storage cannot take clips`);
    }
  }
}
