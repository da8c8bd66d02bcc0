import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, In, IsNull, type DataSource, type FindOptionsSelect } from 'typeorm';
import { CameramonitError, playbackSources, type PlaybackStream } from '@cameramonit/contracts';
import { CameraEntity, ClipEntity } from '@cameramonit/db';
import { FfmpegDriver, fitFrameSize, keyFrameAtOrBefore, type ConcatOutput, type ConcatPiece } from '@cameramonit/media';
import { ClipStore } from './file-servers/index.js';
import { planExport, type ExportPiece } from './export-plan.js';

export interface ClipExportOptions {
  /** where the per-process export folder is made (default: the system's temporary folder) */
  parentFolder?: string;
  /** an export is kept this long after it was last asked for, for the range requests of a player (default 10 min) */
  keepMs?: number;
}

/** Nest token of the options. */
export const CLIP_EXPORT_OPTIONS = Symbol('CLIP_EXPORT_OPTIONS');

/** A generated export, ready to be served from the export store. */
export interface PreparedExport {
  /** path in the export store (ClipExportService.store) */
  storePath: string;
  /** wall-clock time of its first frame */
  startedAt: Date;
  durationSec: number;
  /** pauses over a second between clips, left out */
  gaps: number;
  clipCount: number;
  /** true: the clips differed in codec or picture size and were encoded again */
  reencoded: boolean;
  cameraSlug: string;
  /** the camera's stream it was cut from */
  stream: PlaybackStream;
}

interface CachedExport {
  ready: Promise<PreparedExport>;
  folder: string;
  expiry: NodeJS.Timeout | undefined;
}

const FOLDER_PREFIX = 'cameramonit-exports-';
/** no clip is longer than this: one that started this long before the range cannot reach into it */
const LONGEST_CLIP_MS = 3600_000;

/**
 * Exports of a camera's time range as one MP4 (GET /exports/:cameraId): the recorded clips that
 * overlap it, joined by ffmpeg's concat demuxer by stream copy (re-encoded when their codec or size
 * differ), trimmed at key frames. Each export is made once into a folder of this process under the
 * temporary folder, served with ranges, and deleted `keepMs` after it was last asked for; the
 * whole folder goes at shutdown, and folders of processes that died are removed at start.
 */
@Injectable()
export class ClipExportService implements OnApplicationShutdown {
  private readonly logger = new Logger('Exports');
  private readonly ffmpeg = new FfmpegDriver();
  private readonly keepMs: number;
  private readonly cache = new Map<string, CachedExport>();
  private readonly abort = new AbortController();
  private opened: Promise<ClipStore> | null = null;
  /** one ffmpeg at a time: a re-encoding takes the machine's cores */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clips: ClipStore,
    @Inject(CLIP_EXPORT_OPTIONS) private readonly options: ClipExportOptions,
  ) {
    this.keepMs = options.keepMs ?? 10 * 60_000;
  }

  /** The store the exports are served from (made on first use). */
  store(): Promise<ClipStore> {
    this.opened ??= this.openStore();
    return this.opened;
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    for (const cached of this.cache.values()) clearTimeout(cached.expiry);
    await Promise.allSettled([...this.cache.values()].map((cached) => cached.ready));
    this.cache.clear();
    if (this.opened) await rm((await this.opened).root, { recursive: true, force: true });
  }

  /**
   * The export of [from, to] of the camera's main stream or sub-stream: made now, or the one made
   * earlier for the same camera, range and stream (its time to live starts again). UNKNOWN_CAMERA
   * and NO_RECORDING are 404s.
   */
  async prepare(cameraId: string, from: Date, to: Date, stream: PlaybackStream = 'main'): Promise<PreparedExport> {
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId });
    if (!camera) throw new CameramonitError('UNKNOWN_CAMERA', `There is no camera ${cameraId}`, 404);
    // the clips it is made of are part of what it is: once retention deletes one, the export made before is not served again
    const clipIds = (await this.rowsOf(camera, from, to, stream, { id: true, startedAt: true, durationSec: true }))
      .filter((row) => row.startedAt.getTime() + row.durationSec * 1000 > from.getTime())
      .map((row) => row.id);
    const key = createHash('sha256').update(`${cameraId}\n${from.toISOString()}\n${to.toISOString()}\n${stream}\n${clipIds.join(',')}`).digest('hex').slice(0, 32);
    let cached = this.cache.get(key);
    if (!cached) {
      const folder = join((await this.store()).root, key);
      const ready = this.exclusive(() => this.generate(camera, from, to, stream, key, folder)).catch(async (error: unknown) => {
        // nothing half-made stays behind, and the next request tries again
        this.cache.delete(key);
        await rm(folder, { recursive: true, force: true });
        throw error;
      });
      cached = { folder, ready, expiry: undefined };
      this.cache.set(key, cached);
    }
    const prepared = await cached.ready;
    this.keepFor(key, cached);
    return prepared;
  }

  private keepFor(key: string, cached: CachedExport): void {
    clearTimeout(cached.expiry);
    cached.expiry = setTimeout(() => {
      if (this.cache.get(key) !== cached) return;
      this.cache.delete(key);
      void rm(cached.folder, { recursive: true, force: true }).catch((error: unknown) => this.logger.warn(`Could not remove the expired export ${cached.folder}: ${(error as Error).message}`));
    }, this.keepMs);
    cached.expiry.unref();
  }

  private async generate(camera: CameraEntity, from: Date, to: Date, stream: PlaybackStream, key: string, folder: string): Promise<PreparedExport> {
    await mkdir(folder, { recursive: true });
    const started = Date.now();
    // a clip deleted by retention while ffmpeg ran: read the clips again, once
    for (let attempt = 1; ; attempt++) {
      try {
        const prepared = await this.join(camera, from, to, stream, key, folder);
        this.logger.log(
          `Exported ${camera.slug}${stream === 'sub' ? "'s sub-stream" : ''} from ${from.toISOString()} to ${to.toISOString()}: ${prepared.clipCount} clip(s), ${prepared.durationSec.toFixed(1)} s` +
            `${prepared.gaps ? `, ${prepared.gaps} gap(s) left out` : ''}${prepared.reencoded ? (stream === 'playable' ? ', re-encoded to H.264 for browsers' : ', re-encoded (the clips differ in codec or size)') : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        return prepared;
      } catch (error) {
        const vanished = error instanceof CameramonitError && error.code === 'FFMPEG_FAILED' && /cannot be opened/.test(error.message);
        if (!vanished || attempt >= 2) throw error;
        this.logger.warn(`Export of ${camera.slug}: ${error.message}; reading the clips again`);
      }
    }
  }

  /** The camera's live (not deleted) clips of the stream that may reach into [from, to], oldest first. */
  private rowsOf(camera: CameraEntity, from: Date, to: Date, stream: PlaybackStream, select?: FindOptionsSelect<ClipEntity>): Promise<ClipEntity[]> {
    return this.db.getRepository(ClipEntity).find({
      select,
      where: { cameraId: camera.id, source: In([...playbackSources[stream]]), deletedAt: IsNull(), startedAt: Between(new Date(from.getTime() - LONGEST_CLIP_MS), to) },
      order: { startedAt: 'ASC' },
    });
  }

  private async join(camera: CameraEntity, from: Date, to: Date, stream: PlaybackStream, key: string, folder: string): Promise<PreparedExport> {
    const rows = await this.rowsOf(camera, from, to, stream);
    const plan = planExport(await this.withFiles(camera, rows), from, to);
    if (plan.pieces.length === 0) {
      const what = stream === 'sub' ? `Camera ${camera.name}'s sub-stream` : `Camera ${camera.name}`;
      throw new CameramonitError('NO_RECORDING', `${what} recorded nothing between ${from.toISOString()} and ${to.toISOString()}`, 404);
    }
    const pieces: { piece: ConcatPiece; track: string; width: number; height: number; startedAt: Date }[] = [];
    for (const planned of plan.pieces) {
      const file = (await this.clips.resolve(planned.clip.path)).absolutePath;
      pieces.push({ ...(await this.cut(file, planned)), ...(await this.trackOf(file)) });
    }
    const runs: ConcatPiece[][] = [];
    let lastTrack: string | null = null;
    for (const { piece, track } of pieces) {
      if (track !== lastTrack) runs.push([]);
      (runs.at(-1) as ConcatPiece[]).push(piece);
      lastTrack = track;
    }
    // clips of another codec or size cannot be copied into one stream: all of it is encoded again, at the largest size;
    // 'playable' clips in a codec browsers cannot play (H.265) too, to H.264 at most playableMaxWidth wide, quickly
    const largest = pieces.reduce((best, next) => (next.width * next.height > best.width * best.height ? next : best));
    const toBrowser = stream === 'playable' && pieces.some(({ track }) => !browserPlayableTrack(track));
    const output: ConcatOutput = toBrowser
      ? { mode: 'encode', ...fitFrameSize(largest.width, largest.height, playableMaxWidth), preset: 'veryfast', crf: 26 }
      : runs.length === 1
        ? { mode: 'copy' }
        : { mode: 'encode', width: even(largest.width), height: even(largest.height) };
    const fileName = `${camera.slug}-${from.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}${stream === 'main' ? '' : `-${stream}`}.mp4`;
    const outputFile = join(folder, fileName);
    const timeoutMs = output.mode === 'copy' ? 10 * 60_000 : Math.max(10 * 60_000, plan.recordedSec * 1000);
    await this.ffmpeg.concatToMp4(runs, outputFile, output, { signal: this.abort.signal, timeoutMs });
    const info = await this.ffmpeg.probe(outputFile);
    return {
      storePath: `/${key}/${fileName}`,
      startedAt: (pieces[0] as (typeof pieces)[number]).startedAt,
      durationSec: info.durationSec,
      gaps: plan.gaps,
      clipCount: pieces.length,
      reencoded: output.mode === 'encode',
      cameraSlug: camera.slug,
      stream,
    };
  }

  /**
   * Where reading a clip starts and stops. A clip entered partway starts at the key frame at or
   * before that point (stream copy cannot start elsewhere), so the export may begin a little
   * earlier than asked; `startedAt` is the wall-clock time of the frame it really begins with.
   */
  private async cut(file: string, planned: ExportPiece<ClipEntity>): Promise<{ piece: ConcatPiece; startedAt: Date }> {
    const piece: ConcatPiece = { file };
    let startedAt = planned.clip.startedAt;
    if (planned.fromSec === undefined && planned.toSec === undefined) return { piece, startedAt };
    const times = await this.ffmpeg.keyFrameTimes(file, { signal: this.abort.signal });
    if (planned.fromSec !== undefined) {
      piece.inpointSec = keyFrameAtOrBefore(times, planned.fromSec);
      startedAt = new Date(planned.clip.startedAt.getTime() + Math.round((piece.inpointSec - times.startSec) * 1000));
    }
    if (planned.toSec !== undefined) piece.outpointSec = times.startSec + planned.toSec;
    return { piece, startedAt };
  }

  /**
   * The clips whose files are there. A live row without its file (deleted by hand, or by retention
   * a moment ago) is left out like time the camera was offline, and logged.
   */
  private async withFiles(camera: CameraEntity, rows: ClipEntity[]): Promise<ClipEntity[]> {
    const present: ClipEntity[] = [];
    for (const row of rows) {
      if (await this.clips.exists(row.path)) present.push(row);
      else this.logger.warn(`Export of ${camera.slug}: clip ${row.id} (${row.startedAt.toISOString()}) has no file ${row.path}; left out`);
    }
    return present;
  }

  /** "<codec> <width>x<height>": clips of one track can be joined by stream copy */
  private async trackOf(file: string): Promise<{ track: string; width: number; height: number }> {
    const track = await this.ffmpeg.videoTrack(file);
    return { track: `${track.codec} ${track.width}x${track.height}`, width: track.width, height: track.height };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** This process's folder; folders left by processes that are gone are removed first. */
  private async openStore(): Promise<ClipStore> {
    const parent = this.options.parentFolder ?? tmpdir();
    await mkdir(parent, { recursive: true });
    for (const name of await readdir(parent).catch(() => [] as string[])) {
      const pid = Number(/^cameramonit-exports-(\d+)-/.exec(name)?.[1]);
      if (pid && pid !== process.pid && !isAlive(pid)) await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
    }
    const root = await mkdtemp(join(parent, `${FOLDER_PREFIX}${process.pid}-`));
    return new ClipStore({ root });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function even(pixels: number): number {
  return Math.max(16, Math.floor(pixels / 2) * 2);
}

/** 'playable' exports are re-encoded at most this wide (as the live view's re-encoding) */
const playableMaxWidth = 1280;

/** A track (trackOf) browsers play: H.264. */
function browserPlayableTrack(track: string): boolean {
  return /^(avc1|avc3|h264)\b/.test(track);
}
