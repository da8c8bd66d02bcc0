/**
 * A storage app's parts for integration tests, all real: a migrated database, a clip store on
 * disk, clips stored through ClipIngestService (probed by ffmpeg, moved, registered, announced on
 * an embedded broker), and the HTTP file API over the store.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DataSource } from 'typeorm';
import { BusClient, OutboxService, startEmbeddedBroker, type EmbeddedBroker } from '@cameramonit/bus';
import type { RecordMode } from '@cameramonit/contracts';
import { CameraEntity, ClipEntity, ProjectEntity } from '@cameramonit/db';
import { fixture } from '../../../test/support/platform.harness.js';
import { openTestDatabase } from '../../../test/support/test-database.js';
import { ClipIngestService } from './clip-ingest.service.js';
import { ClipStore, createHttpFileHandler } from './file-servers/index.js';
import { CameraAccessPolicy } from './platform-access.js';

/**
 * `seconds` of vtest.avi from `fromSec` as the recorder stores clips: H.264 fragmented MP4, a key
 * frame every 2 s (10 fps); `width` scales it (aspect kept).
 */
export function cutRecordedPiece(file: string, fromSec: number, seconds: number, width?: number, codec: 'h264' | 'h265' = 'h264'): string {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-ss', String(fromSec), '-i', fixture('vtest.avi'), '-t', String(seconds), '-an',
    ...(width ? ['-vf', `scale=${width}:-2`] : []),
    ...(codec === 'h265' ? ['-c:v', 'libx265', '-x265-params', 'log-level=error:bframes=0', '-tag:v', 'hvc1'] : ['-c:v', 'libx264']),
    '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '20',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file,
  ]);
  return file;
}

/** Bytes of all files under a folder. */
export async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export interface StorageTestbed {
  db: DataSource;
  store: ClipStore;
  ingest: ClipIngestService;
  /** the HTTP file API (GET/HEAD with ranges, PUT) over the store, at /files/<path>, no authentication */
  filesUrl: string;
  /** a scratch folder removed at close */
  work: string;
  /** the embedded broker's URL (clip.stored goes there) */
  brokerUrl: string;
  project: ProjectEntity;
  camera(slug: string, settings?: Partial<Pick<CameraEntity, 'maxRecordMinutes' | 'eventRetentionDays' | 'motionPaddingSec' | 'bufferSeconds'>> & { recordMode?: RecordMode }): Promise<CameraEntity>;
  /** stores a copy of `piece` as the recorder would (PUT /recordings): a clip row and a file under clips/<day>/ */
  record(camera: CameraEntity, piece: string, startedAt: Date, source?: 'recording' | 'substream' | 'push'): Promise<ClipEntity>;
  close(): Promise<void>;
}

export async function openStorageTestbed(kind: 'sqlite' | 'mariadb'): Promise<StorageTestbed> {
  const work = await mkdtemp(join(tmpdir(), 'cm-storage-it-'));
  const database = await openTestDatabase(kind);
  const db = database.db;
  const store = new ClipStore({ root: join(work, 'store') });
  let broker: EmbeddedBroker | undefined;
  let bus: BusClient | undefined;
  let outbox: OutboxService | undefined;
  let server: Server | undefined;
  try {
    broker = await startEmbeddedBroker(0);
    const busOptions = { url: `mqtt://127.0.0.1:${broker.port}`, service: 'storage', clientIdPrefix: `it${randomUUID().slice(0, 8)}` };
    bus = new BusClient(busOptions);
    outbox = new OutboxService(db, bus, busOptions);
    const ingest = new ClipIngestService(store, new CameraAccessPolicy(db), outbox, bus, db);
    const files = createHttpFileHandler({ store, mountPath: '/files' });
    const httpServer = createServer((request, response) => void files(request, response));
    server = httpServer;
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const filesUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/files`;
    const project = await db.getRepository(ProjectEntity).save({ slug: `home-${kind}`, name: 'Home' });
    const opened = { broker, bus, outbox, server: httpServer };
    return {
      db,
      store,
      ingest,
      filesUrl,
      work,
      brokerUrl: busOptions.url,
      project,
      camera: (slug, settings = {}) =>
        db.getRepository(CameraEntity).save({
          projectId: project.id, slug, name: `Camera ${slug}`, registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true, analysisSettings: null,
          recordMode: 'continuous', motionPaddingSec: 5, eventRetentionDays: 7, ...settings,
        }),
      async record(camera, piece, startedAt, source = 'recording') {
        const staging = `/${project.slug}/${camera.slug}/recordings/${randomUUID()}.mp4`;
        const target = join(store.root, ...staging.slice(1).split('/'));
        await mkdir(dirname(target), { recursive: true });
        await copyFile(piece, target);
        const { clip } = await ingest.ingestRecording({ projectSlug: project.slug, cameraSlug: camera.slug, fileName: 'piece.mp4', storePath: staging, startedAt, source });
        return clip;
      },
      async close() {
        await opened.outbox.onApplicationShutdown();
        await opened.bus.onApplicationShutdown();
        await opened.broker.close();
        await new Promise<void>((resolve) => opened.server.close(() => resolve()));
        await database.drop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await outbox?.onApplicationShutdown();
    await bus?.onApplicationShutdown();
    await broker?.close();
    server?.close();
    await database.drop();
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}
