import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RecordedStream } from '@cameramonit/contracts';
import { completeFragmentedLength } from '@cameramonit/media';

/** A clip the recorder finished writing, waiting in its spool to be stored. */
export interface SpooledClip {
  cameraId: string;
  projectSlug: string;
  cameraSlug: string;
  /** the camera's main stream, or its sub-stream recorded for the analysis */
  source: RecordedStream;
  file: string;
  startedAt: Date;
  sizeBytes: number;
  /** when the recorder finished it (for the clip latency: finished -> stored) */
  finishedAtMs: number;
}

interface SpoolCameraInfo {
  cameraId: string;
  projectSlug: string;
  cameraSlug: string;
  source?: RecordedStream;
}

/** What the spool keeps of a camera (never its address or password: the spool is plain files). */
function spoolInfo(camera: SpoolCameraInfo): Required<SpoolCameraInfo> {
  return { cameraId: camera.cameraId, projectSlug: camera.projectSlug, cameraSlug: camera.cameraSlug, source: camera.source ?? 'recording' };
}

/** A camera's folder in the spool: its id, and <id>~sub for its sub-stream. */
export function spoolKey(camera: { cameraId: string; source?: RecordedStream }): string {
  return camera.source === 'substream' ? `${camera.cameraId}~sub` : camera.cameraId;
}

const finishedName = /^(\d{13})\.mp4$/;
const partName = /^(\d{13})\.mp4\.part$/;

/**
 * The recorder's local folder of clips (DATA_DIR/recorder/spool/<cameraId>/<start ms>.mp4):
 * a clip is written there fragment by fragment (`.part`), renamed when complete, and deleted once
 * storage has it. A recorder killed mid-clip leaves a `.part` whose whole fragments are kept
 * (`recover`), so at most the fragment in flight (about a second) is lost.
 */
export class ClipSpool {
  constructor(readonly root: string) {}

  /** The folder of a camera's clips (of one of its streams: the key is spoolKey's). */
  dirOf(key: string): string {
    return join(this.root, key);
  }

  async prepare(camera: SpoolCameraInfo): Promise<void> {
    const info = spoolInfo(camera);
    await mkdir(this.dirOf(spoolKey(info)), { recursive: true });
    await writeFile(join(this.dirOf(spoolKey(info)), 'camera.json'), JSON.stringify(info));
  }

  /** Starts writing a clip: the init segment first, fragments appended as they come. */
  async create(camera: SpoolCameraInfo, startedAtMs: number, init: Buffer): Promise<ClipFileWriter> {
    const info = spoolInfo(camera);
    await this.prepare(info);
    const dir = this.dirOf(spoolKey(info));
    const part = join(dir, `${spoolName(startedAtMs)}.mp4.part`);
    const handle = await open(part, 'w');
    const writer = new ClipFileWriter(info, handle, part, startedAtMs);
    await writer.append(init);
    return writer;
  }

  /**
   * After a restart: every camera's finished clips, oldest first, and the `.part` files of clips
   * cut short, truncated to their whole fragments and finished (or deleted when nothing whole is left).
   */
  async recover(): Promise<SpooledClip[]> {
    const clips: SpooledClip[] = [];
    for (const key of await readdir(this.root).catch(() => [] as string[])) {
      const dir = join(this.root, key);
      const info = await readFile(join(dir, 'camera.json'), 'utf8').then((text) => spoolInfo(JSON.parse(text) as SpoolCameraInfo)).catch(() => null);
      if (!info) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      for (const name of (await readdir(dir)).sort()) {
        const part = partName.exec(name);
        if (part) {
          const file = join(dir, name);
          const bytes = await readFile(file);
          const whole = completeFragmentedLength(bytes);
          const initOnly = whole === 0 || !bytes.subarray(0, whole).includes(Buffer.from('moof'));
          if (initOnly) {
            await rm(file, { force: true });
            continue;
          }
          if (whole < bytes.length) await truncate(file, whole);
          await rename(file, join(dir, `${part[1]}.mp4`));
        }
      }
      for (const name of (await readdir(dir)).sort()) {
        const finished = finishedName.exec(name);
        if (!finished) continue;
        const file = join(dir, name);
        const { size } = await stat(file);
        clips.push({ ...info, file, startedAt: new Date(Number(finished[1])), sizeBytes: size, finishedAtMs: Date.now() });
      }
    }
    return clips.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  /** Bytes of every clip in the spool (finished and being written). */
  async totalBytes(): Promise<number> {
    let total = 0;
    for (const cameraId of await readdir(this.root).catch(() => [] as string[])) {
      for (const name of await readdir(join(this.root, cameraId)).catch(() => [] as string[])) {
        if (name.endsWith('.mp4') || name.endsWith('.part')) total += (await stat(join(this.root, cameraId, name)).catch(() => ({ size: 0 }))).size;
      }
    }
    return total;
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  /** A deleted camera: its spool goes too (both streams; a clip still being finished there is retried over). */
  async removeCamera(cameraId: string): Promise<void> {
    for (const key of [cameraId, spoolKey({ cameraId, source: 'substream' })]) {
      await rm(this.dirOf(key), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  }
}

/** One clip being written: appends go one after another; `finish` makes it a spooled clip. */
export class ClipFileWriter {
  private chain: Promise<void> = Promise.resolve();
  private failed: Error | null = null;
  private bytes = 0;
  private closed = false;
  private started: Date;

  constructor(
    private readonly camera: Required<SpoolCameraInfo>,
    private readonly handle: FileHandle,
    private readonly partFile: string,
    startedAtMs: number,
  ) {
    this.started = new Date(Math.round(startedAtMs));
  }

  /** when the clip began by the wall clock (its finished file is named after it) */
  get startedAt(): Date {
    return this.started;
  }

  /** The clip began at another time than thought when it was created (the recorder's anchor was late). */
  retime(startedAtMs: number): void {
    this.started = new Date(Math.round(startedAtMs));
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Queue bytes to write; a write error is kept and thrown by `finish`. */
  append(data: Buffer): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.failed || this.closed) return;
      try {
        await this.handle.write(data);
        this.bytes += data.length;
      } catch (error) {
        this.failed = error as Error;
      }
    });
    return this.chain;
  }

  async finish(): Promise<SpooledClip> {
    await this.chain;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
    if (this.failed) {
      await rm(this.partFile, { force: true });
      throw this.failed;
    }
    const finalFile = join(dirname(this.partFile), `${spoolName(this.started.getTime())}.mp4`);
    await rename(this.partFile, finalFile);
    return { ...this.camera, file: finalFile, startedAt: this.started, sizeBytes: this.bytes, finishedAtMs: Date.now() };
  }

  /** Drop the clip (nothing worth keeping in it). */
  async discard(): Promise<void> {
    await this.chain;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
    await rm(this.partFile, { force: true });
  }
}

/** A spooled clip's file name: its start, milliseconds since 1970 (recovery after a restart reads it back). */
function spoolName(startedAtMs: number): string {
  return String(Math.round(startedAtMs)).padStart(13, '0');
}
