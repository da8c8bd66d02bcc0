import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, realpathSync, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, readdir, realpath, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CameramonitError } from '@cameramonit/contracts';
import { formatMegabytes } from './store-layout.js';

/** Temporary upload files start with this; they are hidden from listings and unreachable by user paths. */
export const TEMP_FILE_PREFIX = '.~part-';

const MAX_PATH_CHARS = 1024;
const MAX_SEGMENT_BYTES = 255;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface ClipStoreOptions {
  /** Folder on disk that holds the store; created if missing. */
  root: string;
}

export interface StoreEntry {
  name: string;
  /** Normalised store path, e.g. /demo/gate/clips/a.mp4 ("/" for the root). */
  storePath: string;
  kind: 'file' | 'directory';
  sizeBytes: number;
  modifiedAt: Date;
  createdAt: Date;
  /** Unix mode bits from the file system. */
  mode: number;
}

export interface ResolvedStorePath {
  storePath: string;
  absolutePath: string;
}

/** Inclusive byte range, like HTTP's. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface StoredFile {
  storePath: string;
  absolutePath: string;
  sizeBytes: number;
}

export interface AtomicWriteOptions {
  /** Abort with UPLOAD_TOO_LARGE (413) as soon as more bytes than this arrive. */
  maxBytes?: number;
  /** If known (Content-Length), a stream that ends early or runs long fails with UPLOAD_INCOMPLETE. */
  expectedBytes?: number;
  /** Replace an existing file on success (default true). false: fail with ALREADY_EXISTS (409). */
  overwrite?: boolean;
  /**
   * If set, crossing maxBytes does not fail the write at once: this runs (e.g. to answer the client
   * before its connection is dropped) while further data is read and discarded, and the writer is
   * destroyed with UPLOAD_TOO_LARGE when it settles or when the input ends, whichever comes first.
   * Nothing is ever committed once the limit was crossed.
   */
  onTooLarge?: (error: CameramonitError) => Promise<void>;
  /** Runs once the file is renamed into place, before the stream emits 'finish'. Should not throw. */
  afterCommit?: (file: StoredFile) => Promise<void>;
}

function printable(input: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = input.replace(/[\u0000-\u001f\u007f]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > 120 ? `${shown.slice(0, 117)}...` : shown;
}

function badPath(input: unknown, reason: string): CameramonitError {
  const shown = typeof input === 'string' ? `"${printable(input)}"` : String(input);
  return new CameramonitError('BAD_PATH', `Invalid path ${shown}: ${reason}`, 400);
}

function notFound(storePath: string): CameramonitError {
  return new CameramonitError('NOT_FOUND', `No such file or folder: ${storePath}`, 404);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Turns a user-given path into a normalised store path ("/" or "/a/b/c"), or throws BAD_PATH.
 * Paths are relative to the store root; one leading "/" means the store root, so "a/b" and "/a/b"
 * are the same. Rejected: "..", ".", NUL and other control characters, backslashes, drive letters
 * ("C:"), UNC/network forms ("//host"), home paths ("~"), reserved temporary names, over-long names.
 * Purely lexical: symlinks are checked by ClipStore.resolve.
 */
export function normalizeStorePath(input: string): string {
  if (typeof input !== 'string') throw badPath(input, 'a path must be a string');
  if (input.length > MAX_PATH_CHARS) throw badPath(input, `paths are limited to ${MAX_PATH_CHARS} characters`);
  if (CONTROL_CHARACTERS.test(input)) throw badPath(input, 'control characters (including NUL bytes) are not allowed');
  if (input.includes('\\')) throw badPath(input, 'backslashes are not allowed; use "/" between folders');
  if (/^[a-zA-Z]:/.test(input)) throw badPath(input, 'drive letters are not allowed; paths are relative to the store root');
  if (input.startsWith('//')) throw badPath(input, 'network (UNC-style) paths are not allowed; paths are relative to the store root');
  if (input.startsWith('~')) throw badPath(input, 'home-folder paths are not allowed; paths are relative to the store root');
  const segments = input.split('/').filter((segment) => segment !== '');
  for (const segment of segments) {
    if (segment === '..') throw badPath(input, '".." is not allowed: paths may not leave the store');
    if (segment === '.') throw badPath(input, '"." segments are not allowed');
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw badPath(input, `names are limited to ${MAX_SEGMENT_BYTES} bytes`);
    if (segment.startsWith(TEMP_FILE_PREFIX)) throw badPath(input, `names starting with "${TEMP_FILE_PREFIX}" are reserved for uploads in progress`);
  }
  return `/${segments.join('/')}`;
}

/** The folder of a normalised store path ("/a/b" -> "/a", "/a" -> "/"). */
export function parentStorePath(storePath: string): string {
  const index = storePath.lastIndexOf('/');
  return index <= 0 ? '/' : storePath.slice(0, index);
}

/** Joins a normalised folder path and a child name. */
export function childStorePath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

/**
 * The clip store: one folder on disk. Every method takes a user-given path and confines it to the
 * root (lexically and through symlinks); writes are atomic (temp file in the same folder, renamed
 * into place on success, removed on any failure).
 */
export class ClipStore {
  /** Real (symlink-free) absolute path of the root folder. */
  readonly root: string;

  constructor(options: ClipStoreOptions) {
    mkdirSync(options.root, { recursive: true });
    this.root = realpathSync(options.root);
  }

  /** Lexical normalisation only (see normalizeStorePath). */
  normalize(userPath: string): string {
    return normalizeStorePath(userPath);
  }

  /**
   * Normalises the path and checks that the deepest existing part of it, symlinks followed, is
   * inside the root. Throws BAD_PATH otherwise. The target itself need not exist.
   */
  async resolve(userPath: string): Promise<ResolvedStorePath> {
    const storePath = normalizeStorePath(userPath);
    const absolutePath = storePath === '/' ? this.root : join(this.root, ...storePath.slice(1).split('/'));
    let probe = absolutePath;
    for (;;) {
      try {
        const real = await realpath(probe);
        if (real !== this.root && !real.startsWith(this.root + sep)) {
          throw badPath(userPath, 'it points outside the store (symbolic link)');
        }
        break;
      } catch (error) {
        if (error instanceof CameramonitError) throw error;
        const code = errorCode(error);
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        if (probe === this.root) throw new CameramonitError('STORE_UNAVAILABLE', `The store root ${this.root} is missing`, 503);
        // A dangling symlink is ENOENT for realpath; refuse it rather than write through it.
        const isLink = await lstat(probe).then((found) => found.isSymbolicLink(), () => false);
        if (isLink) throw badPath(userPath, 'it goes through a symbolic link that points nowhere');
        probe = dirname(probe);
      }
    }
    return { storePath, absolutePath };
  }

  /** Stat of a file or folder; NOT_FOUND (404) if missing. */
  async stat(userPath: string): Promise<StoreEntry> {
    const { storePath, absolutePath } = await this.resolve(userPath);
    return this.entryFor(storePath, absolutePath);
  }

  /** True if the path names an existing file or folder. */
  async exists(userPath: string): Promise<boolean> {
    try {
      await this.stat(userPath);
      return true;
    } catch (error) {
      if (error instanceof CameramonitError && error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }

  /** Entries of a folder, sorted by name; temporary upload files and escaping symlinks are left out. */
  async list(userPath: string): Promise<StoreEntry[]> {
    const folder = await this.stat(userPath);
    if (folder.kind !== 'directory') throw new CameramonitError('NOT_A_FOLDER', `Not a folder: ${folder.storePath}`, 400);
    const { absolutePath } = await this.resolve(folder.storePath);
    const names = (await readdir(absolutePath)).filter((name) => !name.startsWith(TEMP_FILE_PREFIX)).sort();
    const entries: StoreEntry[] = [];
    for (const name of names) {
      try {
        const child = await this.resolve(childStorePath(folder.storePath, name));
        entries.push(await this.entryFor(child.storePath, child.absolutePath));
      } catch (error) {
        if (error instanceof CameramonitError) continue; // escaping symlink, invalid name, vanished
        throw error;
      }
    }
    return entries;
  }

  /** Creates a folder and its parents; returns its store path. */
  async mkdir(userPath: string): Promise<string> {
    const { storePath, absolutePath } = await this.resolve(userPath);
    try {
      await mkdir(absolutePath, { recursive: true });
    } catch (error) {
      if (errorCode(error) === 'EEXIST' || errorCode(error) === 'ENOTDIR') {
        throw new CameramonitError('NOT_A_FOLDER', `Cannot create folder ${storePath}: a file is in the way`, 409);
      }
      throw error;
    }
    return storePath;
  }

  /** A read stream of a file (optionally a byte range) and its stat. */
  async createReadStream(userPath: string, range?: ByteRange): Promise<{ stream: Readable; entry: StoreEntry }> {
    const { storePath, absolutePath } = await this.resolve(userPath);
    const entry = await this.entryFor(storePath, absolutePath);
    if (entry.kind !== 'file') throw new CameramonitError('NOT_A_FILE', `Not a file: ${storePath}`, 400);
    const handle = await open(absolutePath, 'r').catch((error: unknown) => {
      throw errorCode(error) === 'ENOENT' ? notFound(storePath) : error;
    });
    // Opened before streaming so that a missing file is a 404 here, not a stream error later.
    const stream = createReadStream(absolutePath, { fd: handle, start: range?.start, end: range?.end });
    return { stream, entry };
  }

  /**
   * An atomic write stream: bytes go to a temporary file next to the target; on 'finish' the file
   * is in place under its final name. On error or destroy the temporary file is removed and an
   * existing file of the same name is untouched. Missing parent folders are created.
   */
  async createWriteStream(userPath: string, options: AtomicWriteOptions = {}): Promise<AtomicFileWriter> {
    const target = await this.resolve(userPath);
    if (target.storePath === '/') throw badPath(userPath, 'the store root is not a file');
    const existing = await stat(target.absolutePath).catch(() => undefined);
    if (existing?.isDirectory()) throw new CameramonitError('IS_A_FOLDER', `Cannot write ${target.storePath}: it is a folder`, 409);
    if (existing && options.overwrite === false) throw alreadyExists(target.storePath);
    const folder = dirname(target.absolutePath);
    await this.mkdir(parentStorePath(target.storePath));
    // The folder may have been created just now: check again that it is really inside the root.
    await this.resolve(parentStorePath(target.storePath));
    const tempPath = join(folder, `${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await open(tempPath, 'wx', 0o644);
    return new AtomicFileWriter(handle, tempPath, target, options);
  }

  /** Writes a whole stream atomically (see createWriteStream). */
  async writeAtomic(userPath: string, source: Readable, options: AtomicWriteOptions = {}): Promise<StoredFile> {
    const writer = await this.createWriteStream(userPath, options);
    await pipeline(source, writer);
    const stored = writer.stored;
    if (!stored) throw new CameramonitError('UPLOAD_INCOMPLETE', `Writing ${writer.target.storePath} did not complete`, 500);
    return stored;
  }

  /** Deletes a file, or a folder (recursive: with its contents). The root cannot be deleted. */
  async delete(userPath: string, options: { recursive?: boolean } = {}): Promise<void> {
    const { storePath, absolutePath } = await this.resolve(userPath);
    if (storePath === '/') throw badPath(userPath, 'the store root cannot be deleted');
    const entry = await this.entryFor(storePath, absolutePath);
    if (entry.kind === 'directory') {
      await rm(absolutePath, { recursive: options.recursive === true }).catch((error: unknown) => {
        if (errorCode(error) === 'ENOTEMPTY' || errorCode(error) === 'ERR_FS_EISDIR') {
          throw new CameramonitError('FOLDER_NOT_EMPTY', `Folder ${storePath} is not empty`, 409);
        }
        throw error;
      });
    } else {
      await unlink(absolutePath);
    }
  }

  private async entryFor(storePath: string, absolutePath: string): Promise<StoreEntry> {
    let found: Stats;
    try {
      found = await stat(absolutePath);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(storePath);
      throw error;
    }
    return {
      name: storePath === '/' ? '' : storePath.slice(storePath.lastIndexOf('/') + 1),
      storePath,
      kind: found.isDirectory() ? 'directory' : 'file',
      sizeBytes: found.isDirectory() ? 0 : found.size,
      modifiedAt: found.mtime,
      createdAt: found.birthtime,
      mode: found.mode,
    };
  }
}

function alreadyExists(storePath: string): CameramonitError {
  return new CameramonitError('ALREADY_EXISTS', `${storePath} already exists`, 409);
}

/** Writable returned by ClipStore.createWriteStream. */
export class AtomicFileWriter extends Writable {
  /** Bytes accepted so far. */
  bytesReceived = 0;
  private handleClosed = false;
  private committed: StoredFile | undefined;
  private overLimit: CameramonitError | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly tempPath: string,
    readonly target: ResolvedStorePath,
    private readonly options: AtomicWriteOptions,
  ) {
    super();
  }

  /** Set once the file is in place under its final name. */
  get stored(): StoredFile | undefined {
    return this.committed;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.overLimit) {
      callback(); // discarding the rest of an upload that is already refused
      return;
    }
    const total = this.bytesReceived + chunk.length;
    const { maxBytes, expectedBytes } = this.options;
    if (maxBytes !== undefined && total > maxBytes) {
      const error = new CameramonitError('UPLOAD_TOO_LARGE', `The upload exceeds the limit of ${formatMegabytes(maxBytes)}`, 413);
      const { onTooLarge } = this.options;
      if (!onTooLarge) {
        callback(error);
        return;
      }
      this.overLimit = error;
      callback();
      const fail = (): void => {
        if (!this.destroyed) this.destroy(error);
      };
      onTooLarge(error).then(fail, fail);
      return;
    }
    if (expectedBytes !== undefined && total > expectedBytes) {
      callback(new CameramonitError('UPLOAD_INCOMPLETE', `The upload sent more than the announced ${expectedBytes} bytes`, 400));
      return;
    }
    this.bytesReceived = total;
    this.writeFully(chunk).then(() => callback(), (error: unknown) => callback(toError(error)));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.commit().then(() => callback(), (error: unknown) => callback(toError(error)));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.cleanUp().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async writeFully(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
  }

  private async commit(): Promise<void> {
    if (this.overLimit) throw this.overLimit;
    const { expectedBytes } = this.options;
    if (expectedBytes !== undefined && this.bytesReceived !== expectedBytes) {
      throw new CameramonitError(
        'UPLOAD_INCOMPLETE',
        `The upload ended after ${this.bytesReceived} of the announced ${expectedBytes} bytes`,
        400,
      );
    }
    await this.handle.sync();
    await this.closeHandle();
    if (this.options.overwrite === false) {
      try {
        await link(this.tempPath, this.target.absolutePath); // fails if the name is taken: never clobbers
      } catch (error) {
        if (errorCode(error) === 'EEXIST') throw alreadyExists(this.target.storePath);
        throw error;
      }
      await unlink(this.tempPath).catch(() => undefined);
    } else {
      await rename(this.tempPath, this.target.absolutePath);
    }
    this.committed = { storePath: this.target.storePath, absolutePath: this.target.absolutePath, sizeBytes: this.bytesReceived };
    if (this.options.afterCommit) await this.options.afterCommit(this.committed);
  }

  private async closeHandle(): Promise<void> {
    if (this.handleClosed) return;
    this.handleClosed = true;
    await this.handle.close();
  }

  private async cleanUp(): Promise<void> {
    await this.closeHandle().catch(() => undefined);
    if (!this.committed) await unlink(this.tempPath).catch(() => undefined);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
