import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Logger, type LoggerService } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisEntity, ClipEntity, CameraEntity, EventEntity, type AnalysisStatus } from '@cameramonit/db';
import { testDatabaseKinds } from '../../../test/support/test-database.js';
import { RetentionService, type RetentionOptions } from './retention.service.js';
import { cutRecordedPiece, folderBytes, openStorageTestbed, type StorageTestbed } from './storage.testing.js';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const secondsAfter = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

/** Keeps what the app logs, to check that a round says what it deleted and why. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`log ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`warn ${String(message)}`);
  }
  debug(message: unknown): void {
    this.lines.push(`debug ${String(message)}`);
  }
  verbose(): void {}
}

describe.each(testDatabaseKinds())('retention of the clip store (%s)', (kind) => {
  let bed: StorageTestbed;
  let piece: string;
  const logger = new CapturingLogger();
  const plentyOfSpace = async () => 1e12;
  const retention = (options: Partial<RetentionOptions> = {}, freeSpace = plentyOfSpace) =>
    new RetentionService(bed.db, bed.store, { sweepSeconds: 30, minFreeBytes: 1024 * 1024, settleSec: 60, ...options }, freeSpace);

  beforeAll(async () => {
    bed = await openStorageTestbed(kind);
    // real clips of 5 s, as the recorder stores them
    piece = cutRecordedPiece(join(bed.work, 'piece.mp4'), 10, 5);
    Logger.overrideLogger(logger);
  });
  afterAll(async () => {
    Logger.overrideLogger(true);
    await bed?.close();
  });
  afterEach(() => {
    logger.lines.length = 0;
  });

  const row = (id: string) => bed.db.getRepository(ClipEntity).findOneByOrFail({ id });
  const fileOf = (storePath: string) => join(bed.store.root, ...storePath.split('/'));
  const analysed = (clip: ClipEntity, status: AnalysisStatus, motion: [number, number] | null, playablePath: string | null = null) =>
    bed.db.getRepository(AnalysisEntity).save({
      clipId: clip.id, cameraId: clip.cameraId, status, progress: 1, errorCode: null, error: null, playablePath, attempts: 1, workerId: null, finishedAt: new Date(),
      motionFirstSec: motion?.[0] ?? null, motionLastSec: motion?.[1] ?? null,
    });
  const eventIn = async (clip: ClipEntity, media: boolean) => {
    const folder = `${clip.path.slice(0, clip.path.lastIndexOf('/'))}/${clip.id}`;
    const event = await bed.db.getRepository(EventEntity).save({
      cameraId: clip.cameraId, clipId: clip.id, kind: 'object', label: 'person', count: 1, startedAt: secondsAfter(clip.startedAt, 1), endedAt: secondsAfter(clip.startedAt, 3),
      startSec: 1, endSec: 3, confidence: 0.8, direction: 'left-to-right', summary: 'A person walked from left to right', summaryPl: 'Osoba przeszła z lewej do prawej',
      snapshotPath: media ? `${folder}/snapshot.jpg` : null, animationPath: media ? `${folder}/animation.gif` : null, bestSec: 2,
    });
    if (media) {
      await bed.store.writeAtomic(event.snapshotPath as string, Readable.from([Buffer.from('jpeg bytes')]));
      await bed.store.writeAtomic(event.animationPath as string, Readable.from([Buffer.from('gif bytes')]));
    }
    return event;
  };

  it("deletes recorded clips past the camera's ring with their playable copy, keeps event clips for their days, uploads, and what events show", async () => {
    const gate = await bed.camera('gate', { maxRecordMinutes: 10, eventRetentionDays: 7 });
    const plain = await bed.record(gate, piece, minutesAgo(30));
    const playable = `${plain.path.replace(/\.mp4$/, '')}.h264.mp4`;
    await bed.store.writeAtomic(playable, Readable.from([Buffer.from('an H.264 copy')]));
    await analysed(plain, 'done', [0, 4], playable);
    const pushed = await bed.record(gate, piece, minutesAgo(40), 'push');
    const eventRecent = await bed.record(gate, piece, minutesAgo(31));
    await eventIn(eventRecent, false);
    const eventAncient = await bed.record(gate, piece, new Date(Date.now() - 8 * 24 * 3600_000));
    const ancientEvent = await eventIn(eventAncient, true);
    const recent = await bed.record(gate, piece, minutesAgo(1));
    const upload = await bed.ingest.ingest({ user: { id: 'u1', email: 'u1@example.com', role: 'admin' }, projectSlug: bed.project.slug, cameraSlug: gate.slug, fileName: 'visit.mp4', storePath: await uploadCopy(gate.slug), sizeBytes: 1 });
    await bed.db.getRepository(ClipEntity).update({ id: upload.id }, { startedAt: minutesAgo(60 * 24 * 30) });
    // a clip whose file someone already removed by hand
    const vanished = await bed.record(gate, piece, minutesAgo(45));
    await bed.store.delete(vanished.path);

    const report = await retention().runRound();

    expect(report.error).toBeNull();
    expect(report.failures).toEqual([]);
    expect(Object.fromEntries(report.deleted.map((d) => [d.clipId, d.reason]))).toEqual({
      [plain.id]: 'retention',
      [pushed.id]: 'retention',
      [eventAncient.id]: 'events',
      [vanished.id]: 'retention',
    });
    for (const gone of [plain, pushed, eventAncient, vanished]) {
      const stored = await row(gone.id);
      expect(stored.deletedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(existsSync(fileOf(gone.path))).toBe(false);
      // the storage HTTP file API has nothing to serve for it any more
      expect((await fetch(`${bed.filesUrl}/${gone.path}`)).status).toBe(404);
    }
    expect((await row(eventAncient.id)).deleteReason).toBe('events');
    expect(existsSync(fileOf(playable))).toBe(false);
    expect(report.deleted.find((d) => d.clipId === vanished.id)?.freedBytes).toBe(0);
    // the chat still shows the event: its row points at the clip row, its snapshot and animation stay
    expect(await bed.db.getRepository(EventEntity).findOneByOrFail({ id: ancientEvent.id })).toMatchObject({ clipId: eventAncient.id });
    expect((await fetch(`${bed.filesUrl}/${ancientEvent.snapshotPath}`)).status).toBe(200);
    expect(existsSync(fileOf(ancientEvent.animationPath as string))).toBe(true);
    for (const kept of [eventRecent, recent, upload]) {
      expect((await row(kept.id)).deletedAt).toBeNull();
      expect((await fetch(`${bed.filesUrl}/${kept.path}`)).status).toBe(200);
    }
    const said = logger.lines.filter((line) => line.startsWith('log Deleted'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^log Deleted 4 clip\(s\), [\d.]+ MB: /);
    expect(said[0]).toMatch(/Camera gate: 3 clip\(s\) started \S+\.\.\S+, retention \(ended before the camera's ring of 10 min\)/);
    expect(said[0]).toMatch(/Camera gate: 1 clip\(s\) started \S+, events \(holds events and is older than the 7 day\(s\) events are kept\)/);

    // again: nothing more to do, and deleting is idempotent
    const again = await retention().runRound();
    expect(again.deleted).toEqual([]);
    const sameRow = await row(plain.id);
    await retention().deleteClip(sameRow, 'retention');
    expect((await row(plain.id)).deletedAt?.getTime()).toBe(sameRow.deletedAt?.getTime());
  });

  it('motion-only: deletes analysed clips without motion once the clips around them are analysed, keeps the padding around motion', async () => {
    const yard = await bed.camera('yard', { recordMode: 'motion', motionPaddingSec: 2, maxRecordMinutes: 60 });
    const start = minutesAgo(2);
    const [a, b, c, d, e] = await Promise.all([0, 1, 2, 3, 4].map((index) => bed.record(yard, piece, secondsAfter(start, index * 5)))) as [ClipEntity, ClipEntity, ClipEntity, ClipEntity, ClipEntity];
    const notAnalysed = await bed.record(yard, piece, secondsAfter(start, 60));
    await analysed(a, 'done', null);
    await analysed(b, 'done', null);
    await analysed(c, 'done', [1, 4]); // someone moves from 1 s to 4 s of c
    await analysed(d, 'done', null);
    await analysed(e, 'analysing', null);

    const first = await retention().runRound();
    expect(first.deleted.map((deleted) => [deleted.clipId, deleted.reason])).toEqual([[a.id, 'motion']]);
    expect(existsSync(fileOf(a.path))).toBe(false);
    expect((await row(a.id)).deleteReason).toBe('motion');
    expect(logger.lines.some((line) => /Camera yard: 1 clip\(s\) .*motion \(no motion within 2 s of it/.test(line))).toBe(true);

    // e is analysed now, without motion; the recording went on past its padding (the clip at 60 s, not analysed: it stays)
    await bed.db.getRepository(AnalysisEntity).update({ clipId: e.id }, { status: 'done' });
    const second = await retention().runRound();
    expect(second.deleted.map((deleted) => deleted.clipId)).toEqual([e.id]);
    for (const kept of [b, c, d, notAnalysed]) expect(existsSync(fileOf(kept.path))).toBe(true);
  });

  it("deletes the clips of a camera the admin deleted, whatever they are", async () => {
    const old = await bed.camera('old-porch');
    const clip = await bed.record(old, piece, minutesAgo(1));
    await eventIn(clip, false);
    await bed.db.getRepository(CameraEntity).delete({ id: old.id });
    const report = await retention().runRound();
    expect(report.deleted.map((deleted) => [deleted.clipId, deleted.reason])).toEqual([[clip.id, 'camera-deleted']]);
    expect(existsSync(fileOf(clip.path))).toBe(false);
    expect(logger.lines.some((line) => line.includes(`deleted camera ${old.id}: 1 clip(s)`))).toBe(true);
  });

  it("removes recorded clip files abandoned in a camera's recordings folder after an hour, not the ones being checked", async () => {
    const folder = join(bed.store.root, bed.project.slug, 'gate', 'recordings');
    await mkdir(folder, { recursive: true });
    const abandoned = join(folder, '20261204T080000.000Z.mp4');
    const fresh = join(folder, '20261204T100000.000Z.mp4');
    await copyFile(piece, abandoned);
    await copyFile(piece, fresh);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(abandoned, twoHoursAgo, twoHoursAgo);
    const report = await retention().runRound();
    expect(report.staleRecordings).toBe(1);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(logger.lines.some((line) => line.includes('Removed 1 recorded clip file(s) left unregistered'))).toBe(true);
    await rm(fresh);
  });

  it('runs every sweep on its own, one round at a time, and logs a failing round without stopping', async () => {
    const porch = await bed.camera('porch', { maxRecordMinutes: 1 });
    let reads = 0;
    const flakyDisk = async () => {
      reads += 1;
      if (reads === 1) throw new Error('statfs: the disk went away');
      return 1e12;
    };
    const service = retention({ sweepSeconds: 0.2 }, flakyDisk);
    const twice = [service.runRound(), service.runRound()];
    expect(twice[0]).toBe(twice[1]);
    const failed = await twice[0];
    expect(failed.error).toMatch(/the disk went away/);
    expect(logger.lines.some((line) => line.startsWith('error A retention round failed') && line.includes('the disk went away'))).toBe(true);

    const expired = await bed.record(porch, piece, minutesAgo(5));
    service.onApplicationBootstrap();
    try {
      const deadline = Date.now() + 20_000;
      while ((await row(expired.id)).deletedAt === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await row(expired.id)).deleteReason).toBe('retention');
      const readsBefore = reads;
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(reads).toBeGreaterThan(readsBefore); // the sweep goes on
    } finally {
      await service.onApplicationShutdown();
    }
    const readsAtStop = reads;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reads).toBe(readsAtStop);
  });

  /** A copy of the piece where an upload lands (/<project>/<camera>/upload/visit.mp4), for ClipIngestService.ingest. */
  async function uploadCopy(cameraSlug: string): Promise<string> {
    const storePath = `/${bed.project.slug}/${cameraSlug}/upload/visit.mp4`;
    await bed.store.writeAtomic(storePath, createReadStream(piece));
    return storePath;
  }
});

describe.each(testDatabaseKinds())('the disk guard (%s)', (kind) => {
  let bed: StorageTestbed;

  beforeAll(async () => {
    bed = await openStorageTestbed(kind);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('deletes the oldest clips first, any camera, kind or event, until the disk has its free space again', async () => {
    const pieces = [0, 1, 2, 3, 4].map((index) => cutRecordedPiece(join(bed.work, `piece-${index}.mp4`), 5 * index, 5));
    const gate = await bed.camera('gate');
    const yard = await bed.camera('yard', { recordMode: 'motion' });
    const oldest = await bed.record(gate, pieces[0] as string, minutesAgo(50));
    await bed.db.getRepository(EventEntity).save({
      cameraId: gate.id, clipId: oldest.id, kind: 'object', label: 'person', count: 1, startedAt: oldest.startedAt, endedAt: oldest.startedAt, startSec: 0, endSec: 1,
      confidence: 0.9, direction: 'none', summary: 'A person', summaryPl: 'Osoba', snapshotPath: null, animationPath: null, bestSec: 0,
    });
    const second = await bed.record(yard, pieces[1] as string, minutesAgo(40), 'push');
    const third = await bed.record(gate, pieces[2] as string, minutesAgo(30));
    const newer = [await bed.record(yard, pieces[3] as string, minutesAgo(20)), await bed.record(gate, pieces[4] as string, minutesAgo(10))];

    // a disk that holds just the store and 1 MB more
    const capacity = (await folderBytes(bed.store.root)) + 1_000_000;
    const simulatedDisk = async () => capacity - (await folderBytes(bed.store.root));
    const sizeOf = async (clip: ClipEntity) => (await bed.store.stat(clip.path)).sizeBytes;
    // wanted free: what deleting the two oldest gives, and not the oldest alone
    const minFreeBytes = 1_000_000 + (await sizeOf(oldest)) + Math.floor((await sizeOf(second)) / 2);

    const report = await new RetentionService(bed.db, bed.store, { sweepSeconds: 30, minFreeBytes }, simulatedDisk).runRound();

    expect(report.deleted.map((deleted) => [deleted.clipId, deleted.reason])).toEqual([[oldest.id, 'disk'], [second.id, 'disk']]);
    expect(report.freeBytes).toBeGreaterThanOrEqual(minFreeBytes);
    expect(await simulatedDisk()).toBeGreaterThanOrEqual(minFreeBytes);
    for (const kept of [third, ...newer]) expect((await bed.db.getRepository(ClipEntity).findOneByOrFail({ id: kept.id })).deletedAt).toBeNull();

    // a disk filled by something else: every clip goes, and the guard stops when none is left
    const hopeless = await new RetentionService(bed.db, bed.store, { sweepSeconds: 30, minFreeBytes: capacity * 2 }, simulatedDisk).runRound();
    expect(hopeless.deleted.map((deleted) => deleted.clipId).sort()).toEqual([third.id, ...newer.map((clip) => clip.id)].sort());
    expect(hopeless.error).toBeNull();
    expect(await bed.db.getRepository(ClipEntity).countBy({ deleteReason: 'disk' })).toBe(5);
  });
});
