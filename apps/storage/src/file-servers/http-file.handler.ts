import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { CameramonitError } from '@cameramonit/contracts';
import { normalizeStorePath, type AtomicFileWriter, type ClipStore, type StoreEntry, type StoredFile } from './clip-store.js';
import { silentFileServerLogger, type FileServerLogger } from './ports.js';
import { formatMegabytes } from './store-layout.js';

const CONTENT_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  avi: 'video/x-msvideo',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  mov: 'video/quicktime',
  ts: 'video/mp2t',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
};

/** Content-Type for a file name by its extension (application/octet-stream when unknown). */
export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'range'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * Parses a Range header for a file of the given size. Single ranges only ("bytes=0-99",
 * "bytes=100-", "bytes=-100"); a missing, malformed or multi-range header means the whole file
 * (RFC 9110 lets a server ignore Range).
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: 'none' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return { kind: 'none' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'none' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'none' }; // syntactically invalid: ignore
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}

/**
 * Store path of a request URL: the path part, percent-decoded per segment, with the mount prefix
 * removed. Encoded slashes or backslashes, "..", "." and NUL are refused (BAD_PATH), so that what
 * is checked here is exactly what is served.
 */
export function storePathFromUrl(url: string | undefined, mountPath = '/'): string {
  const raw = (url ?? '/').split('?')[0]?.split('#')[0] ?? '/';
  const prefix = mountPath.replace(/\/+$/, '');
  let rest = raw;
  if (prefix !== '') {
    if (raw !== prefix && !raw.startsWith(`${prefix}/`)) {
      throw new CameramonitError('NOT_FOUND', `${raw} is outside ${prefix}`, 404);
    }
    rest = raw.slice(prefix.length) || '/';
  }
  const segments = rest.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new CameramonitError('BAD_PATH', `Invalid path "${raw}": malformed percent-encoding`, 400);
    }
    if (decoded.includes('/')) throw new CameramonitError('BAD_PATH', `Invalid path "${raw}": encoded "/" is not allowed`, 400);
    return decoded;
  });
  return normalizeStorePath(segments.join('/'));
}

/** Writes an error as a short plain-text response (no-op if headers are already sent). */
export function sendHttpError(res: ServerResponse, error: unknown, logger: FileServerLogger = silentFileServerLogger): void {
  const known = error instanceof CameramonitError;
  const status = known ? error.httpStatus : 500;
  const message = known ? error.message : 'Internal error of the storage service';
  if (!known) logger.error(`HTTP file request failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  // the reason in words for people, its code for programs (the recorder tells a refused clip from "try later")
  if (known) res.setHeader('X-Error-Code', error.code);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(message) + 1);
  res.end(`${message}\n`);
}

export interface HttpFileHandlerOptions {
  store: ClipStore;
  /** URL prefix to strip, when the handler is mounted under a path without Express stripping it (default "/"). */
  mountPath?: string;
  /** Accept PUT (service writes of artifacts, atomic). Default true. */
  allowPut?: boolean;
  /** Largest accepted PUT body in bytes (default: unlimited). */
  maxPutBytes?: number;
  /** Called after a PUT is in place (errors are logged). */
  onStored?: (file: StoredFile) => Promise<void>;
  logger?: FileServerLogger;
}

/** A Node/Express request handler; it never rejects (errors become responses). */
export type HttpFileHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * GET/HEAD of store files with Range support, and PUT for service writes. It does no
 * authentication: mount it behind whatever authorises the request.
 */
export function createHttpFileHandler(options: HttpFileHandlerOptions): HttpFileHandler {
  const logger = options.logger ?? silentFileServerLogger;
  const allowPut = options.allowPut ?? true;
  const allowed = allowPut ? 'GET, HEAD, PUT' : 'GET, HEAD';
  return async (req, res) => {
    try {
      const storePath = storePathFromUrl(req.url, options.mountPath);
      switch (req.method) {
        case 'GET':
        case 'HEAD':
          await serveFile(options.store, storePath, req, res);
          return;
        case 'PUT':
          if (allowPut) {
            await storeFile(options, storePath, req, res, logger);
            return;
          }
          break;
        default:
          break;
      }
      res.setHeader('Allow', allowed);
      throw new CameramonitError('METHOD_NOT_ALLOWED', `${req.method ?? 'This method'} is not supported here; use ${allowed}`, 405);
    } catch (error) {
      sendHttpError(res, error, logger);
      discardRequestBody(req);
    }
  };
}

/** How long the rest of a refused request body is read and thrown away before the connection is cut. */
export const REFUSED_BODY_DRAIN_MS = 5000;

/**
 * After an error answer to a request whose body is still arriving: read and discard the rest, so
 * the client can read the answer instead of getting a connection reset, but cut the connection if
 * the body has not ended after REFUSED_BODY_DRAIN_MS.
 */
export function discardRequestBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  const timer = setTimeout(() => req.socket.destroy(), REFUSED_BODY_DRAIN_MS).unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

/** Serves one file (GET or HEAD) with Range support. Exported for the WebDAV server's GET/HEAD. */
export async function serveFile(store: ClipStore, storePath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const entry = await store.stat(storePath);
  if (entry.kind !== 'file') throw new CameramonitError('NOT_A_FILE', `${storePath} is a folder, not a file`, 404);
  const etag = etagOf(entry);
  let range = parseRangeHeader(req.headers.range, entry.sizeBytes);
  const ifRange = req.headers['if-range'];
  if (range.kind !== 'none' && ifRange !== undefined && ifRange !== etag && ifRange !== entry.modifiedAt.toUTCString()) {
    range = { kind: 'none' }; // the client's copy is stale: send the whole file
  }
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', contentTypeFor(entry.name));
  res.setHeader('Last-Modified', entry.modifiedAt.toUTCString());
  res.setHeader('ETag', etag);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (range.kind === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${entry.sizeBytes}`);
    const message = `Range ${req.headers.range ?? ''} is outside the ${entry.sizeBytes} bytes of ${storePath}\n`;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(message));
    res.end(req.method === 'HEAD' ? undefined : message);
    return;
  }
  const start = range.kind === 'range' ? range.start : 0;
  const end = range.kind === 'range' ? range.end : entry.sizeBytes - 1;
  res.statusCode = range.kind === 'range' ? 206 : 200;
  if (range.kind === 'range') res.setHeader('Content-Range', `bytes ${start}-${end}/${entry.sizeBytes}`);
  res.setHeader('Content-Length', Math.max(0, end - start + 1));
  if (req.method === 'HEAD' || entry.sizeBytes === 0) {
    res.end();
    return;
  }
  const { stream } = await store.createReadStream(storePath, { start, end });
  try {
    await pipeline(stream, res);
  } catch {
    // The client went away mid-transfer; nothing to answer.
    stream.destroy();
  }
}

async function storeFile(
  options: HttpFileHandlerOptions,
  storePath: string,
  req: IncomingMessage,
  res: ServerResponse,
  logger: FileServerLogger,
): Promise<void> {
  const declared = req.headers['content-length'];
  const expectedBytes = declared === undefined ? undefined : Number(declared);
  if (expectedBytes !== undefined && (!Number.isSafeInteger(expectedBytes) || expectedBytes < 0)) {
    throw new CameramonitError('BAD_REQUEST', `Invalid Content-Length: ${declared}`, 400);
  }
  if (options.maxPutBytes !== undefined && expectedBytes !== undefined && expectedBytes > options.maxPutBytes) {
    throw new CameramonitError('UPLOAD_TOO_LARGE', `The upload exceeds the limit of ${formatMegabytes(options.maxPutBytes)}`, 413);
  }
  const existed = await options.store.exists(storePath);
  const writer = await options.store.createWriteStream(storePath, { maxBytes: options.maxPutBytes, expectedBytes });
  await receiveRequestBody(req, res, writer);
  const stored = writer.stored;
  if (!stored) throw new CameramonitError('UPLOAD_INCOMPLETE', `Writing ${storePath} did not complete`, 500);
  if (options.onStored) {
    await options.onStored(stored).catch((error: unknown) => {
      logger.error(`Stored ${stored.storePath}, but onStored failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  res.statusCode = existed ? 204 : 201;
  if (!existed) res.setHeader('Location', stored.storePath);
  res.end();
}

/**
 * Streams a request body into a writer; resolves when the writer has finished (file in place).
 * Not stream.pipeline: on failure that would destroy the request and with it the socket, so the
 * client would never see the 413/400. Here the writer is dropped and the caller answers, then
 * discards the rest of the body (see discardRequestBody).
 */
export function receiveRequestBody(req: IncomingMessage, res: ServerResponse, writer: AtomicFileWriter): Promise<void> {
  return new Promise((resolve, reject) => {
    writer.once('finish', () => resolve());
    writer.once('error', (error: Error) => {
      req.unpipe(writer);
      reject(error);
    });
    req.once('error', (error: Error) => writer.destroy(error));
    req.once('close', () => {
      if (!req.complete) {
        writer.destroy(new CameramonitError('UPLOAD_INCOMPLETE', 'The client closed the connection before the upload ended', 400));
      }
    });
    req.pipe(writer);
  });
}

function etagOf(entry: StoreEntry): string {
  return `"${entry.sizeBytes.toString(16)}-${entry.modifiedAt.getTime().toString(16)}"`;
}
