import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { CameramonitError } from '@cameramonit/contracts';
import { v2 as webdav } from 'webdav-server';
import type { ClipStore, StoreEntry } from './clip-store.js';
import { FileAccess } from './file-access.js';
import { discardRequestBody, receiveRequestBody, sendHttpError, serveFile, storePathFromUrl } from './http-file.handler.js';
import {
  silentFileServerLogger,
  type CredentialsVerifier,
  type FileServerLogger,
  type FileServerUser,
  type ReadPolicy,
  type RecordingResult,
  type RecordingSink,
  type UploadPolicy,
  type UploadSink,
} from './ports.js';
import { formatMegabytes, UPLOAD_RULE } from './store-layout.js';

export interface WebDavServerDriverOptions {
  store: ClipStore;
  verifier: CredentialsVerifier;
  uploadPolicy: UploadPolicy;
  uploadSink: UploadSink;
  /** Registers recorded clips the recorder writes to /<project>/<camera>/recordings/ (without it they are refused). */
  recordingSink?: RecordingSink;
  /** Without it, every authenticated user may read the whole store. */
  readPolicy?: ReadPolicy;
  logger?: FileServerLogger;
  /** Listen address of the standalone server (default 127.0.0.1). */
  host?: string;
  /** Port of the standalone server (default 0: any free port, see WebDavServerDriver.port). */
  port?: number;
  /** Basic auth realm (default "Cameramonit storage"). */
  realm?: string;
  /** Largest XML body accepted for PROPFIND/LOCK/... (default 1 MiB). */
  maxRequestBodyBytes?: number;
}

/** Methods handed to webdav-server (all read-only against our file system). */
const DELEGATED_METHODS = new Set(['OPTIONS', 'PROPFIND', 'LOCK', 'UNLOCK']);

interface StoreDavUser extends webdav.IUser {
  account: FileServerUser;
}

function isStoreDavUser(user: webdav.IUser | undefined): user is StoreDavUser {
  return user !== undefined && 'account' in user;
}

/**
 * webdav-server's authentication is callback-based but its stock Basic implementation wants a
 * user manager that knows passwords. We authenticate (async, via the verifier) before handing the
 * request over, and this implementation just picks up the user found for that request.
 */
class PreAuthenticatedHttpAuthentication implements webdav.HTTPAuthentication {
  constructor(
    private readonly realm: string,
    private readonly users: WeakMap<IncomingMessage, FileServerUser>,
  ) {}

  askForAuthentication(): { [headerName: string]: string } {
    return { 'WWW-Authenticate': `Basic realm="${this.realm}", charset="UTF-8"` };
  }

  getUser(ctx: webdav.HTTPRequestContext, callback: (error: Error, user?: webdav.IUser) => void): void {
    const account = this.users.get(ctx.request);
    if (!account) {
      callback(webdav.Errors.BadAuthentication);
      return;
    }
    const user: StoreDavUser = { uid: account.id, username: account.email, isAdministrator: false, isDefaultUser: false, account };
    // webdav-server's callback type says Error, but it passes null on success itself.
    callback(null as unknown as Error, user);
  }
}

const notSerializable: webdav.FileSystemSerializer = {
  uid: () => 'CameramonitClipStore-1',
  serialize: (_fs, callback) => callback(new Error('The clip store file system is not serializable')),
  unserialize: (_data, callback) => callback(new Error('The clip store file system is not serializable')),
};

/**
 * Read-only webdav-server file system over the ClipStore: every path goes through the store's
 * safe resolution. Writes (PUT, MKCOL) are handled by WebDavServerDriver itself, never here.
 */
class ClipStoreDavFileSystem extends webdav.FileSystem {
  private readonly locks = new Map<string, webdav.LocalLockManager>();
  private readonly properties = new Map<string, webdav.LocalPropertyManager>();

  constructor(
    private readonly store: ClipStore,
    private readonly access: FileAccess,
  ) {
    super(notSerializable);
    this.doNotSerialize();
  }

  protected override _fastExistCheck(_ctx: webdav.RequestContext, path: webdav.Path, callback: (exists: boolean) => void): void {
    this.store.exists(path.toString()).then(callback, () => callback(false));
  }

  protected override _type(path: webdav.Path, _ctx: webdav.TypeInfo, callback: webdav.ReturnCallback<webdav.ResourceType>): void {
    this.withEntry(path, callback, (entry) => (entry.kind === 'directory' ? webdav.ResourceType.Directory : webdav.ResourceType.File));
  }

  protected override _size(path: webdav.Path, _ctx: webdav.SizeInfo, callback: webdav.ReturnCallback<number>): void {
    this.withEntry(path, callback, (entry) => entry.sizeBytes);
  }

  protected override _lastModifiedDate(path: webdav.Path, _ctx: webdav.LastModifiedDateInfo, callback: webdav.ReturnCallback<number>): void {
    this.withEntry(path, callback, (entry) => entry.modifiedAt.valueOf());
  }

  protected override _creationDate(path: webdav.Path, _ctx: webdav.CreationDateInfo, callback: webdav.ReturnCallback<number>): void {
    this.withEntry(path, callback, (entry) => entry.createdAt.valueOf());
  }

  protected override _readDir(path: webdav.Path, ctx: webdav.ReadDirInfo, callback: webdav.ReturnCallback<string[] | webdav.Path[]>): void {
    const user = ctx.context.user;
    const listing = async (): Promise<string[]> => {
      const entries = await this.store.list(path.toString());
      const readable = isStoreDavUser(user) ? await this.access.filterReadable(user.account, entries) : [];
      return readable.map((entry) => entry.name);
    };
    listing().then(
      (names) => callback(null as unknown as Error, names),
      () => callback(webdav.Errors.ResourceNotFound),
    );
  }

  protected override _openReadStream(path: webdav.Path, _ctx: webdav.OpenReadStreamInfo, callback: webdav.ReturnCallback<Readable>): void {
    this.store.createReadStream(path.toString()).then(
      ({ stream }) => callback(null as unknown as Error, stream),
      () => callback(webdav.Errors.ResourceNotFound),
    );
  }

  protected override _lockManager(path: webdav.Path, _ctx: webdav.LockManagerInfo, callback: webdav.ReturnCallback<webdav.ILockManager>): void {
    const key = path.toString();
    const manager = this.locks.get(key) ?? new webdav.LocalLockManager();
    this.locks.set(key, manager);
    callback(null as unknown as Error, manager);
  }

  protected override _propertyManager(
    path: webdav.Path,
    _ctx: webdav.PropertyManagerInfo,
    callback: webdav.ReturnCallback<webdav.IPropertyManager>,
  ): void {
    const key = path.toString();
    const manager = this.properties.get(key) ?? new webdav.LocalPropertyManager();
    this.properties.set(key, manager);
    callback(null as unknown as Error, manager);
  }

  private withEntry<T>(path: webdav.Path, callback: webdav.ReturnCallback<T>, pick: (entry: StoreEntry) => T): void {
    this.store.stat(path.toString()).then(
      (entry) => callback(null as unknown as Error, pick(entry)),
      () => callback(webdav.Errors.ResourceNotFound),
    );
  }
}

function parseBasicAuthorization(header: string | undefined): { email: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { email: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The storage app's WebDAV server over the clip store (webdav-server v2 for PROPFIND/LOCK, own PUT/MKCOL/GET). */
export class WebDavServerDriver {
  private readonly logger: FileServerLogger;
  private readonly access: FileAccess;
  private readonly realm: string;
  private readonly users = new WeakMap<IncomingMessage, FileServerUser>();
  private readonly dav: webdav.WebDAVServer;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Requests with Expect: 100-continue that Node left to us (standalone server only). */
  private readonly awaitingContinue = new WeakSet<IncomingMessage>();
  private boundPort: number | undefined;

  constructor(private readonly options: WebDavServerDriverOptions) {
    this.logger = options.logger ?? silentFileServerLogger;
    this.realm = options.realm ?? 'Cameramonit storage';
    this.access = new FileAccess({
      uploadPolicy: options.uploadPolicy,
      uploadSink: options.uploadSink,
      recordingSink: options.recordingSink,
      readPolicy: options.readPolicy,
      logger: this.logger,
    });
    this.dav = new webdav.WebDAVServer({
      httpAuthentication: new PreAuthenticatedHttpAuthentication(this.realm, this.users),
      requireAuthentification: true,
      rootFileSystem: new ClipStoreDavFileSystem(options.store, this.access),
      serverName: 'Cameramonit',
      maxRequestDepth: 1,
    });
  }

  /** The port of the standalone server (known after start). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('The WebDAV server is not started');
    return this.boundPort;
  }

  /**
   * A (req, res) handler for mounting inside another HTTP server or Express, e.g.
   * app.use('/dav', driver.createRequestHandler('/dav')). mountPath is the public prefix
   * (used in PROPFIND hrefs); req.url must be relative to it, as Express's app.use makes it.
   */
  createRequestHandler(mountPath = '/'): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.handle(req, res, mountPath).catch((error: unknown) => {
        sendHttpError(res, error, this.logger);
        discardRequestBody(req);
      });
    };
  }

  /** Starts the standalone HTTP server. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new Error('The WebDAV server is already started');
    const host = this.options.host ?? '127.0.0.1';
    const handler = this.createRequestHandler('/');
    const server = createServer(handler);
    // Answer Expect: 100-continue ourselves, so an upload is refused before its body is sent.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      this.awaitingContinue.add(req);
      handler(req, res);
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error(`WebDAV server error: ${error.message}`));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.logger.log(`WebDAV server listening on http://${host}:${this.boundPort}/`);
    return { host, port: this.boundPort };
  }

  /** Stops listening and closes every open connection (uploads in flight are discarded). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, mountPath: string): Promise<void> {
    const user = await this.authenticate(req, res);
    if (!user) return;
    const storePath = storePathFromUrl(req.url, '/');
    const method = (req.method ?? '').toUpperCase();
    switch (method) {
      case 'PUT':
        await this.put(user, storePath, req, res);
        return;
      case 'MKCOL':
        await this.mkcol(user, storePath, req, res);
        return;
      case 'GET':
      case 'HEAD':
        await this.access.assertCanRead(user, storePath);
        this.continueIfExpected(req, res);
        await serveFile(this.options.store, storePath, req, res);
        return;
      default:
        break;
    }
    if (!DELEGATED_METHODS.has(method)) {
      throw new CameramonitError(
        'WEBDAV_NOT_ALLOWED',
        `${method} is not allowed: the store is read-only except for uploads (${UPLOAD_RULE})`,
        403,
      );
    }
    if (method !== 'OPTIONS') await this.access.assertCanRead(user, storePath);
    const limit = this.options.maxRequestBodyBytes ?? 1024 * 1024;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!Number.isFinite(declared) || declared > limit) {
      // webdav-server buffers these bodies whole (Buffer.alloc(Content-Length)), so bound them here.
      throw new CameramonitError('REQUEST_TOO_LARGE', `${method} bodies are limited to ${formatMegabytes(limit)}`, 413);
    }
    this.users.set(req, user);
    this.continueIfExpected(req, res);
    this.dav.executeRequest(req, res, mountPath === '/' ? undefined : mountPath);
  }

  /** 401 with a challenge when the credentials are missing or wrong; the user otherwise. */
  private async authenticate(req: IncomingMessage, res: ServerResponse): Promise<FileServerUser | null> {
    const credentials = parseBasicAuthorization(req.headers.authorization);
    let user: FileServerUser | null = null;
    if (credentials) {
      try {
        user = await this.options.verifier.verify(credentials.email, credentials.password);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(`WebDAV login of ${credentials.email} failed: the credentials could not be checked: ${reason}`);
        throw new CameramonitError('AUTH_UNAVAILABLE', 'Credentials cannot be checked right now, try again later', 503);
      }
    }
    if (user) return user;
    res.setHeader('WWW-Authenticate', `Basic realm="${this.realm}", charset="UTF-8"`);
    sendHttpError(
      res,
      new CameramonitError(
        'UNAUTHENTICATED',
        credentials ? 'Wrong email or password' : 'Authentication required: use your Cameramonit email and password (HTTP Basic)',
        401,
      ),
    );
    discardRequestBody(req);
    return null;
  }

  private async put(user: FileServerUser, storePath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = await this.access.authorizeWrite(user, storePath);
    const max = this.access.maxUploadBytes;
    const declared = req.headers['content-length'];
    const expectedBytes = declared === undefined ? undefined : Number(declared);
    if (expectedBytes !== undefined && (!Number.isSafeInteger(expectedBytes) || expectedBytes < 0)) {
      throw new CameramonitError('BAD_REQUEST', `Invalid Content-Length: ${declared}`, 400);
    }
    if (expectedBytes !== undefined && expectedBytes > max) {
      throw new CameramonitError(
        'UPLOAD_TOO_LARGE',
        `The upload of ${formatMegabytes(expectedBytes)} exceeds the limit of ${formatMegabytes(max)}`,
        413,
      );
    }
    const existed = await this.options.store.exists(storePath);
    // set when the write is complete (a closure: TypeScript would narrow a plain variable to null)
    const outcome: { recorded: RecordingResult | null } = { recorded: null };
    const writer = await this.options.store.createWriteStream(storePath, {
      maxBytes: max,
      expectedBytes,
      afterCommit: async (stored) => {
        outcome.recorded = await this.access.afterWrite(user, target, stored.sizeBytes);
      },
    });
    this.continueIfExpected(req, res);
    await receiveRequestBody(req, res, writer);
    const { recorded } = outcome;
    if (recorded) {
      // the recorder reads what became of its clip (a WebDAV client ignores the body)
      res.statusCode = recorded.created ? 201 : 200;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(recorded));
      return;
    }
    res.statusCode = existed ? 204 : 201;
    res.end();
  }

  private async mkcol(user: FileServerUser, storePath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.access.authorizeUploadFolder(user, storePath);
    if (await this.options.store.exists(storePath)) {
      res.setHeader('Allow', 'OPTIONS, GET, HEAD, PUT, PROPFIND');
      throw new CameramonitError('ALREADY_EXISTS', `${storePath} already exists`, 405);
    }
    await this.options.store.mkdir(storePath);
    req.resume();
    res.statusCode = 201;
    res.end();
  }

  private continueIfExpected(req: IncomingMessage, res: ServerResponse): void {
    if (this.awaitingContinue.delete(req)) res.writeContinue();
  }
}
