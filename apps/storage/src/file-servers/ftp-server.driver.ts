import { randomUUID } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import type { Readable } from 'node:stream';
import { CameramonitError } from '@cameramonit/contracts';
import ftpSrv, { type FtpConnection } from 'ftp-srv';
import { ClipStore, normalizeStorePath, type AtomicFileWriter, type StoreEntry } from './clip-store.js';
import { FileAccess } from './file-access.js';
import {
  silentFileServerLogger,
  type CredentialsVerifier,
  type FileServerLogger,
  type FileServerUser,
  type ReadPolicy,
  type RecordingSink,
  type UploadPolicy,
  type UploadSink,
} from './ports.js';

// ftp-srv is CommonJS: module.exports is the server class with FtpSrv/FileSystem attached.
// Its typings also declare GeneralError & co. as exports, which do not exist at run time.
const { FtpSrv, FileSystem } = ftpSrv;
type FtpSrvInstance = InstanceType<typeof FtpSrv>;

export interface FtpServerDriverOptions {
  store: ClipStore;
  verifier: CredentialsVerifier;
  uploadPolicy: UploadPolicy;
  uploadSink: UploadSink;
  /** Registers recorded clips the recorder writes to /<project>/<camera>/recordings/ (without it they are refused). */
  recordingSink?: RecordingSink;
  /** Without it, every authenticated user may read the whole store. */
  readPolicy?: ReadPolicy;
  logger?: FileServerLogger;
  /** Address the control and passive data sockets listen on (default 127.0.0.1). */
  host?: string;
  /** Control port (default 21; 0 = any free port, see FtpServerDriver.port). */
  port?: number;
  /** Address announced in PASV replies (default: host). Local clients are told their own address. */
  passiveHost?: string;
  /** Passive data ports. Default: any free port chosen by the OS for each transfer. */
  passivePortRange?: { min: number; max: number };
  greeting?: string;
  /** Idle timeout of a control connection in ms (default 0: none). */
  idleTimeoutMs?: number;
}

interface FtpFileStat {
  name: string;
  size: number;
  mtime: Date;
  mode: number;
  isDirectory(): boolean;
}

/**
 * ftp-srv answers every failed STOR with 550, and only after it has reset the data connection, so
 * a client sees "connection reset" rather than the reason. For an upload over the limit we answer
 * 552 on the control connection first, then let the transfer fail, and drop ftp-srv's own 550.
 */
class StorFailureReplies {
  private suppressNextFailure = false;

  constructor(connection: FtpConnection) {
    const reply = connection.reply.bind(connection);
    this.send = (code, message) => reply(code, message);
    connection.reply = (options: number | object, ...letters: unknown[]) => {
      if (this.suppressNextFailure && typeof options === 'number' && options >= 400) {
        this.suppressNextFailure = false;
        return Promise.resolve();
      }
      return reply(options, ...letters);
    };
  }

  private readonly send: (code: number, message: string) => Promise<unknown>;

  /** Replies now; ftp-srv's own failure reply for this transfer is dropped. */
  async failEarly(code: number, message: string): Promise<void> {
    this.suppressNextFailure = true;
    await this.send(code, message);
  }
}

/** How long an over-limit upload is drained after the 552 reply before its data connection is reset. */
const OVER_LIMIT_GRACE_MS = 2000;

function refusal(message: string): CameramonitError {
  return new CameramonitError('FTP_NOT_ALLOWED', message, 403);
}

/**
 * One per FTP session: every path the client sends is resolved against the session's virtual
 * working folder, may not climb above "/", and then goes through ClipStore's safe resolution.
 */
class StoreFtpFileSystem extends FileSystem {
  private workingFolder = '/';

  constructor(
    connection: FtpConnection,
    private readonly store: ClipStore,
    private readonly access: FileAccess,
    private readonly user: FileServerUser,
    private readonly storReplies: StorFailureReplies,
  ) {
    super(connection, { root: store.root, cwd: '/' });
  }

  override currentDirectory(): string {
    return this.workingFolder;
  }

  override async get(fileName: string): Promise<FtpFileStat> {
    const storePath = this.toStorePath(fileName);
    await this.access.assertCanRead(this.user, storePath);
    return { ...toFtpStat(await this.store.stat(storePath)), name: fileName };
  }

  override async list(path = '.'): Promise<FtpFileStat[]> {
    const storePath = this.toStorePath(path);
    await this.access.assertCanRead(this.user, storePath);
    const entries = await this.access.filterReadable(this.user, await this.store.list(storePath));
    return entries.map(toFtpStat);
  }

  override async chdir(path = '.'): Promise<string> {
    const storePath = this.toStorePath(path);
    await this.access.assertCanRead(this.user, storePath);
    const entry = await this.store.stat(storePath);
    if (entry.kind !== 'directory') throw new CameramonitError('NOT_A_FOLDER', `Not a folder: ${storePath}`, 400);
    this.workingFolder = storePath;
    return storePath;
  }

  override async write(
    fileName: string,
    { append = false, start }: { append?: boolean; start?: number } = {},
  ): Promise<{ stream: AtomicFileWriter; clientPath: string }> {
    if (append || (start !== undefined && start > 0)) {
      throw refusal('Appending and resuming uploads (APPE, REST) are not supported: upload the whole file again');
    }
    const storePath = this.toStorePath(fileName);
    const target = await this.access.authorizeWrite(this.user, storePath);
    const stream = await this.store.createWriteStream(storePath, {
      maxBytes: this.access.maxUploadBytes,
      onTooLarge: async (error) => {
        await this.storReplies.failEarly(552, error.message);
        // Give the client time to stop sending and close the data connection itself.
        await new Promise<void>((resolve) => setTimeout(resolve, OVER_LIMIT_GRACE_MS).unref());
      },
      afterCommit: async (stored) => {
        try {
          await this.access.afterWrite(this.user, target, stored.sizeBytes);
        } catch (error) {
          // a recorded clip storage refuses fails its STOR with 550 "<reason> [CODE]" (the recorder
          // drops it); one storage cannot register now with 451 (the recorder sends it again)
          const refused = error instanceof CameramonitError && error.httpStatus >= 400 && error.httpStatus < 500;
          await this.storReplies.failEarly(
            refused ? 550 : 451,
            refused ? `${error.message} [${error.code}]` : `Storage cannot register the clip now, send it again later (${(error as Error).message})`,
          );
          throw error;
        }
      },
    });
    return { stream, clientPath: storePath };
  }

  override async read(fileName: string, { start }: { start?: number } = {}): Promise<{ stream: Readable; clientPath: string }> {
    const storePath = this.toStorePath(fileName);
    await this.access.assertCanRead(this.user, storePath);
    const { stream } = await this.store.createReadStream(storePath, start ? { start } : undefined);
    return { stream, clientPath: storePath };
  }

  override async mkdir(path: string): Promise<string> {
    const storePath = this.toStorePath(path);
    await this.access.authorizeUploadFolder(this.user, storePath);
    return this.store.mkdir(storePath);
  }

  override async delete(path: string): Promise<never> {
    throw refusal(`Cannot delete ${this.describe(path)}: the store is read-only over FTP except for uploads`);
  }

  override async rename(from: string): Promise<never> {
    throw refusal(`Cannot rename ${this.describe(from)}: the store is read-only over FTP except for uploads`);
  }

  override async chmod(path: string): Promise<never> {
    throw refusal(`Cannot change permissions of ${this.describe(path)}: not supported`);
  }

  override getUniqueName(): string {
    return `${randomUUID()}`;
  }

  /** Client path (absolute or relative to the working folder) -> normalised store path. */
  private toStorePath(clientPath: string | null | undefined): string {
    const input = clientPath ?? '.';
    if (input.includes('\0') || input.includes('\\')) return normalizeStorePath(input); // throws with the reason
    const segments = input.startsWith('/') ? [] : this.workingFolder.split('/').filter(Boolean);
    for (const segment of input.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (segments.length === 0) {
          throw new CameramonitError('BAD_PATH', `Invalid path "${input}": it leaves the FTP root`, 400);
        }
        segments.pop();
        continue;
      }
      segments.push(segment);
    }
    return normalizeStorePath(`/${segments.join('/')}`);
  }

  private describe(path: string): string {
    try {
      return this.toStorePath(path);
    } catch {
      return 'that path';
    }
  }
}

function toFtpStat(entry: StoreEntry): FtpFileStat {
  return {
    name: entry.name,
    size: entry.sizeBytes,
    mtime: entry.modifiedAt,
    mode: entry.mode,
    isDirectory: () => entry.kind === 'directory',
  };
}

/** ftp-srv wants a bunyan logger; this forwards to ours (ftp-srv logs every refused command as an error). */
interface BunyanLikeLogger {
  child(fields: object): BunyanLikeLogger;
  trace(...parts: unknown[]): void;
  debug(...parts: unknown[]): void;
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
  fatal(...parts: unknown[]): void;
}

function bunyanAdapter(logger: FileServerLogger): BunyanLikeLogger {
  const text = (parts: unknown[]): string =>
    parts
      .map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : safeJson(part)))
      .join(' ');
  const debug = (...parts: unknown[]): void => logger.debug?.(`ftp: ${text(parts)}`);
  const adapter: BunyanLikeLogger = {
    child: () => adapter,
    trace: () => undefined,
    debug,
    info: debug,
    warn: (...parts) => logger.warn(`ftp: ${text(parts)}`),
    error: debug, // refused commands (wrong password, forbidden path) are expected, not server faults
    fatal: (...parts) => logger.error(`ftp: ${text(parts)}`),
  };
  return adapter;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/** The storage app's FTP server over the clip store (ftp-srv). */
export class FtpServerDriver {
  private readonly logger: FileServerLogger;
  private readonly access: FileAccess;
  private server: FtpSrvInstance | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: FtpServerDriverOptions) {
    this.logger = options.logger ?? silentFileServerLogger;
    this.access = new FileAccess({
      uploadPolicy: options.uploadPolicy,
      uploadSink: options.uploadSink,
      recordingSink: options.recordingSink,
      readPolicy: options.readPolicy,
      logger: this.logger,
    });
  }

  /** The control port (known after start). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('The FTP server is not started');
    return this.boundPort;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** Listens; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new Error('The FTP server is already started');
    const host = this.host;
    const range = this.options.passivePortRange;
    const signalListeners = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
    const server = new FtpSrv({
      url: `ftp://${host}:${this.options.port ?? 21}`,
      pasv_url: this.options.passiveHost ?? host,
      pasv_min: range?.min ?? 1024,
      pasv_max: range?.max ?? 65535,
      anonymous: false,
      greeting: this.options.greeting ?? 'Cameramonit storage: upload videos to /<project>/<camera>/upload/',
      timeout: this.options.idleTimeoutMs ?? 0,
      log: bunyanAdapter(this.logger),
    });
    // ftp-srv's constructor hooks SIGTERM/SIGINT/SIGQUIT to close and process.exit(0): take those away,
    // the application owns its shutdown.
    for (const signal of SIGNALS) {
      const before = signalListeners.get(signal) ?? [];
      for (const listener of process.listeners(signal)) {
        if (!before.includes(listener)) process.removeListener(signal, listener);
      }
    }
    if (!range) {
      // Without a range, ask the OS for a free port per passive transfer (ftp-srv probes ports one by one).
      (server as unknown as { getNextPasvPort: () => Promise<number> }).getNextPasvPort = () => Promise.resolve(0);
    }
    server.on('login', ({ connection, username, password }, resolve, reject) => {
      this.login(connection, username, password).then(
        (fs) => resolve({ fs }),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
    server.on('client-error', ({ context, error }) => this.logger.debug?.(`ftp: client error (${context}): ${error.message}`));
    await server.listen();
    const address = (server as unknown as { server: Server }).server.address() as AddressInfo;
    this.server = server;
    this.boundPort = address.port;
    this.logger.log(`FTP server listening on ${host}:${address.port}`);
    return { host, port: address.port };
  }

  /** Disconnects every client (uploads in flight are discarded) and stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    await server.close();
  }

  private async login(connection: FtpConnection, email: string, password: string): Promise<StoreFtpFileSystem> {
    let user: FileServerUser | null;
    try {
      user = await this.options.verifier.verify(email, password);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(`FTP login of ${email} failed: the credentials could not be checked: ${reason}`);
      throw new Error('Login failed: credentials cannot be checked right now, try again later');
    }
    if (!user) throw new Error('Login incorrect: unknown email or wrong password');
    this.logger.debug?.(`FTP login of ${user.email}`);
    return new StoreFtpFileSystem(connection, this.options.store, this.access, user, new StorFailureReplies(connection));
  }
}
