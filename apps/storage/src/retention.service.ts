import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, IsNull, Not, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { CameramonitError, type ClipSource } from '@cameramonit/contracts';
import { AnalysisEntity, CameraEntity, ClipEntity, EventEntity, type ClipDeleteReason } from '@cameramonit/db';
import { ClipStore, formatMegabytes, RECORDINGS_FOLDER_NAME } from './file-servers/index.js';
import { FREE_SPACE_READER, type FreeSpaceReader } from './free-space.reader.js';
import { decideRetention, planDiskRelief, type RetentionDecision, type RetentionInput } from './retention-decision.js';

export interface RetentionOptions {
  /** a round starts this long after the previous one ended */
  sweepSeconds: number;
  /** the disk guard deletes the oldest clips while the clip store's file system has less free space than this */
  minFreeBytes: number;
  /** motion-only: a clip nothing was recorded after is deleted this long after its padding ended (default 600) */
  settleSec?: number;
}

/** Nest token of the options (from config.retention). */
export const RETENTION_OPTIONS = Symbol('RETENTION_OPTIONS');

export interface DeletedClip {
  clipId: string;
  cameraId: string;
  reason: ClipDeleteReason;
  why: string;
  startedAt: Date;
  /** bytes of files removed (the clip and its playable copy); 0 when they were gone already */
  freedBytes: number;
}

export interface RetentionReport {
  deleted: DeletedClip[];
  /** free space of the clip store's file system after the round, null when it could not be read */
  freeBytes: number | null;
  /** clips that could not be deleted this round, and why (tried again next round) */
  failures: { clipId: string; message: string }[];
  /** the round stopped early on this error (logged) */
  error: string | null;
  /** files left in a camera's recordings/ folder over an hour (a recorder that gave up, storage killed mid-check), removed */
  staleRecordings: number;
}

const RECORDED_SOURCES: ClipSource[] = ['recording', 'substream', 'push'];
/** clips looked at per camera and rule in one round; the next round goes on */
const BATCH = 500;
/** neighbours of motion candidates read at most; candidates past the last one read wait for the next round */
const NEIGHBOURHOOD_LIMIT = 20_000;
/** no clip is longer than this: a neighbour that started this long before a candidate cannot reach it */
const LONGEST_CLIP_MS = 3600_000;
const DAY_MS = 24 * 3600_000;
/** a recorded clip waits in recordings/ for seconds while it is checked; one there this long was abandoned */
const STALE_RECORDING_MS = 3600_000;
/** ids per IN (...) list: well below SQLite's limit of bound variables */
const IN_CHUNK = 500;

/**
 * Retention of the clip store (rules: retention-decision.ts; docs/retention-and-export.md). A round
 * every RETENTION_SWEEP_SECONDS, the next one only after the previous ended: rows are read, the
 * rules decide, files are removed (the clip and its playable copy; event snapshots and animations
 * stay, the chat still shows them) and the row is kept with deletedAt and deleteReason, since
 * events point at it. Then the disk guard. A failing round is logged and the next one runs.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private running: Promise<RetentionReport> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: ClipStore,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
    @Inject(FREE_SPACE_READER) private readonly freeSpace: FreeSpaceReader,
  ) {}

  onApplicationBootstrap(): void {
    // the first round right away: a disk that filled up while the app was down is relieved first
    this.scheduleRound(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round now, or the round already under way (rounds never overlap). Never rejects. */
  runRound(now: Date = new Date()): Promise<RetentionReport> {
    this.running ??= this.round(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private scheduleRound(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runRound().then(() => this.scheduleRound(this.options.sweepSeconds * 1000));
    }, delayMs);
    this.timer.unref();
  }

  private async round(now: Date): Promise<RetentionReport> {
    const report: RetentionReport = { deleted: [], freeBytes: null, failures: [], error: null, staleRecordings: 0 };
    try {
      const { decisions, clips } = await this.decide(now);
      for (const decision of decisions) {
        const clip = clips.get(decision.clipId);
        if (clip) await this.deleteInto(report, clip, decision);
      }
      report.staleRecordings = await this.removeStaleRecordings(now);
      await this.guardDisk(report);
    } catch (error) {
      report.error = error instanceof Error ? error.message : String(error);
      this.logger.error(`A retention round failed (the next one runs in ${this.options.sweepSeconds} s): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    await this.logRound(report);
    return report;
  }

  /** Files abandoned in /<project>/<camera>/recordings/ (never registered as clips) go after an hour. */
  private async removeStaleRecordings(now: Date): Promise<number> {
    const names = async (folder: string) => readdir(folder).catch(() => [] as string[]);
    let removed = 0;
    for (const project of await names(this.store.root)) {
      for (const camera of await names(join(this.store.root, project))) {
        const folder = join(this.store.root, project, camera, RECORDINGS_FOLDER_NAME);
        for (const name of await names(folder)) {
          const file = join(folder, name);
          const info = await stat(file).catch(() => null);
          if (!info?.isFile() || now.getTime() - info.mtimeMs < STALE_RECORDING_MS) continue;
          await rm(file, { force: true });
          removed++;
        }
      }
    }
    if (removed > 0) this.logger.warn(`Removed ${removed} recorded clip file(s) left unregistered in recordings/ folders for over an hour`);
    return removed;
  }

  /** Reads the rows the rules need (candidates per camera and rule, the neighbours of motion candidates) and asks the rules. */
  private async decide(now: Date): Promise<{ decisions: RetentionDecision[]; clips: Map<string, ClipEntity> }> {
    const cameras = await this.db.getRepository(CameraEntity).find({ select: { id: true, maxRecordMinutes: true, eventRetentionDays: true, recordMode: true, motionPaddingSec: true } });
    const clips = new Map<string, ClipEntity>();
    const add = (rows: ClipEntity[]) => rows.forEach((row) => clips.set(row.id, row));
    const motionNeighbourhoods: string[] = [];

    add(await this.liveClips().andWhere(`NOT EXISTS ${this.cameraOf()}`).orderBy('c.startedAt', 'ASC').limit(BATCH).getMany());
    for (const camera of cameras) {
      const ringStart = new Date(now.getTime() - camera.maxRecordMinutes * 60_000);
      const eventsStart = new Date(now.getTime() - camera.eventRetentionDays * DAY_MS);
      add(
        await this.recordedClipsOf(camera.id)
          .andWhere('c.startedAt < :ringStart', { ringStart })
          // clips that events keep are not read again every round
          .andWhere(`(c.startedAt < :eventsStart OR NOT EXISTS ${this.eventOf()})`, { eventsStart })
          .orderBy('c.startedAt', 'ASC')
          .limit(BATCH)
          .getMany(),
      );
      if (camera.recordMode !== 'motion') continue;
      let candidates = await this.recordedClipsOf(camera.id)
        .innerJoin(AnalysisEntity, 'a', 'a.clipId = c.id')
        .andWhere("a.status = 'done'")
        .andWhere('a.motionFirstSec IS NULL')
        .andWhere(`NOT EXISTS ${this.eventOf()}`)
        .orderBy('c.startedAt', 'ASC')
        .limit(BATCH)
        .getMany();
      if (candidates.length === 0) continue;
      const paddingMs = Math.max(0, camera.motionPaddingSec) * 1000;
      const from = new Date((candidates[0] as ClipEntity).startedAt.getTime() - paddingMs - LONGEST_CLIP_MS);
      const neighbourhood = await this.recordedClipsOf(camera.id).andWhere('c.startedAt >= :from', { from }).orderBy('c.startedAt', 'ASC').limit(NEIGHBOURHOOD_LIMIT).getMany();
      if (neighbourhood.length === NEIGHBOURHOOD_LIMIT) {
        // the rules take a missing neighbour for one without motion: only decide where every neighbour was read
        const lastRead = (neighbourhood.at(-1) as ClipEntity).startedAt.getTime();
        candidates = candidates.filter((clip) => clip.startedAt.getTime() + clip.durationSec * 1000 + paddingMs < lastRead);
      }
      add(candidates);
      add(neighbourhood);
      motionNeighbourhoods.push(...neighbourhood.map((clip) => clip.id));
    }

    const ids = [...clips.keys()];
    const analyses = await this.inChunks(motionNeighbourhoods, (chunk) =>
      this.db.getRepository(AnalysisEntity).find({ select: { clipId: true, status: true, motionFirstSec: true, motionLastSec: true }, where: { clipId: In(chunk) } }),
    );
    const events = await this.inChunks(ids, (chunk) => this.db.getRepository(EventEntity).find({ select: { clipId: true, startedAt: true, endedAt: true }, where: { clipId: In(chunk) } }));
    const input: RetentionInput = { now, cameras, clips: [...clips.values()], analyses, events, settleSec: this.options.settleSec };
    return { decisions: decideRetention(input), clips };
  }

  /** While the clip store's disk has less free space than asked, the oldest clips go first, whatever they are. */
  private async guardDisk(report: RetentionReport): Promise<void> {
    const minFree = this.options.minFreeBytes;
    let free = await this.freeSpace(this.store.root);
    report.freeBytes = free;
    if (free >= minFree) return;
    this.logger.warn(`Only ${formatMegabytes(free)} free on the clip store's disk (${this.store.root}), less than the ${formatMegabytes(minFree)} kept free: deleting the oldest clips`);
    const failed = new Set<string>();
    while (free < minFree) {
      const oldest = await this.db.getRepository(ClipEntity).find({
        where: { deletedAt: IsNull(), ...(failed.size > 0 ? { id: Not(In([...failed])) } : {}) },
        order: { startedAt: 'ASC', id: 'ASC' },
        take: 100,
      });
      if (oldest.length === 0) {
        this.logger.error(`The clip store's disk still has only ${formatMegabytes(free)} free and no clip is left to delete: something else fills it`);
        return;
      }
      for (const clip of planDiskRelief(oldest, free, minFree)) {
        const before = report.failures.length;
        await this.deleteInto(report, clip, { clipId: clip.id, cameraId: clip.cameraId, reason: 'disk', why: `the disk had ${formatMegabytes(free)} free, less than ${formatMegabytes(minFree)}` });
        if (report.failures.length > before) failed.add(clip.id);
      }
      free = await this.freeSpace(this.store.root);
      report.freeBytes = free;
    }
  }

  /** Deletes one clip (see deleteClip) and notes it in the report; a failure is noted, not thrown. */
  private async deleteInto(report: RetentionReport, clip: ClipEntity, decision: RetentionDecision): Promise<void> {
    try {
      const freedBytes = await this.deleteClip(clip, decision.reason);
      report.deleted.push({ ...decision, startedAt: clip.startedAt, freedBytes });
      this.logger.debug(`Deleted clip ${clip.id} (${clip.path}, started ${clip.startedAt.toISOString()}): ${decision.reason}, ${decision.why}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.failures.push({ clipId: clip.id, message });
      this.logger.warn(`Could not delete clip ${clip.id} (${clip.path}), tried again next round: ${message}`);
    }
  }

  /**
   * Removes the clip's file and its playable copy, then marks the row. The files go first: a row
   * marked over a file that stayed would leak the file for good; a file gone under an unmarked row
   * is deleted again, harmlessly, next round. Returns the bytes removed.
   */
  async deleteClip(clip: ClipEntity, reason: ClipDeleteReason): Promise<number> {
    const analysis = await this.db.getRepository(AnalysisEntity).findOne({ select: { playablePath: true }, where: { clipId: clip.id } });
    let freed = 0;
    for (const path of new Set([clip.path, analysis?.playablePath].filter((path): path is string => !!path))) freed += await this.removeFile(path);
    await this.db.getRepository(ClipEntity).update({ id: clip.id, deletedAt: IsNull() }, { deletedAt: new Date(), deleteReason: reason });
    return freed;
  }

  /** Removes a stored file (a missing one is no error) and its folder when that is left empty; returns its size. */
  private async removeFile(storePath: string): Promise<number> {
    let size = 0;
    try {
      size = (await this.store.stat(storePath)).sizeBytes;
      await this.store.delete(storePath);
    } catch (error) {
      if (error instanceof CameramonitError && error.code === 'NOT_FOUND') return 0;
      throw error;
    }
    const { absolutePath } = await this.store.resolve(storePath);
    // the day's folder, once its last clip and artifact folder are gone; not empty: it stays
    await rmdir(dirname(absolutePath)).catch(() => undefined);
    return size;
  }

  /** One line per camera and reason: how many clips, from when to when, how many bytes. */
  private async logRound(report: RetentionReport): Promise<void> {
    if (report.deleted.length === 0) return;
    const names = new Map((await this.db.getRepository(CameraEntity).find({ select: { id: true, name: true } }).catch(() => [])).map((camera) => [camera.id, camera.name]));
    const groups = new Map<string, DeletedClip[]>();
    for (const deleted of report.deleted) {
      const key = `${deleted.cameraId}\n${deleted.reason}`;
      groups.set(key, [...(groups.get(key) ?? []), deleted]);
    }
    const freed = report.deleted.reduce((sum, deleted) => sum + deleted.freedBytes, 0);
    const lines = [...groups.values()].map((group) => {
      const first = group[0] as DeletedClip;
      const camera = names.get(first.cameraId) ?? `deleted camera ${first.cameraId}`;
      const times = group.map((deleted) => deleted.startedAt.getTime());
      const span = `${new Date(Math.min(...times)).toISOString()}..${new Date(Math.max(...times)).toISOString()}`;
      return `${camera}: ${group.length} clip(s) started ${span}, ${first.reason} (${first.why})`;
    });
    this.logger.log(`Deleted ${report.deleted.length} clip(s), ${formatMegabytes(freed)}: ${lines.join('; ')}`);
  }

  private liveClips(): SelectQueryBuilder<ClipEntity> {
    return this.db.getRepository(ClipEntity).createQueryBuilder('c').where('c.deletedAt IS NULL');
  }

  private recordedClipsOf(cameraId: string): SelectQueryBuilder<ClipEntity> {
    return this.liveClips().andWhere('c.cameraId = :cameraId', { cameraId }).andWhere('c.source IN (:...recordedSources)', { recordedSources: RECORDED_SOURCES });
  }

  /** (SELECT 1 FROM events WHERE clipId = c.id), for EXISTS */
  private eventOf(): string {
    return `(${this.db.createQueryBuilder().select('1').from(EventEntity, 'e').where('e.clipId = c.id').getQuery()})`;
  }

  /** (SELECT 1 FROM cameras WHERE id = c.cameraId), for EXISTS */
  private cameraOf(): string {
    return `(${this.db.createQueryBuilder().select('1').from(CameraEntity, 'k').where('k.id = c.cameraId').getQuery()})`;
  }

  private async inChunks<T>(ids: readonly string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
    const rows: T[] = [];
    for (let index = 0; index < ids.length; index += IN_CHUNK) rows.push(...(await read(ids.slice(index, index + IN_CHUNK))));
    return rows;
  }
}
