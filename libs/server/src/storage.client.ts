import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CameramonitError, type PlaybackStream, type RecordedStream } from '@cameramonit/contracts';
import type { TokenService } from '@cameramonit/auth';

export interface RecordingStored {
  clipId: string;
  startedAt: string;
  durationSec: number;
  /** false: a clip of this camera with this start time was stored already (a retry) */
  created: boolean;
}

/** Encode each segment of a store path for a URL. */
export function storeUrlPath(storePath: string): string {
  return storePath.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

/**
 * The storage app's HTTP file API, as the other apps use it (storage may be on another host):
 * GET/PUT /files/<path> with a service token; uploads on behalf of a user.
 */
export class StorageClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenService,
    private readonly service: string,
    /** how long a recorded clip's upload may take (default: uploadTimeoutMs of its size) */
    private readonly options: { uploadTimeoutMs?: number } = {},
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.tokens.serviceToken(this.service, 600)}`, ...extra };
  }

  /** GET a stored file (optionally a byte range) as a fetch Response; callers stream its body. */
  async get(storePath: string, range?: string): Promise<Response> {
    return fetch(`${this.baseUrl}/files/${storeUrlPath(storePath)}`, { headers: this.headers(range ? { range } : {}) });
  }

  /**
   * A camera's recording from `from` to `to` (at most 6 h) as one MP4 (GET /exports/:cameraId), as
   * a fetch Response; callers stream its body and may pass a Range header on (206 with
   * Content-Range). Headers: x-export-started-at (its first frame), x-export-duration-sec,
   * x-export-gaps. Errors are JSON {statusCode, code, message}: 400 INVALID_RANGE, 404
   * NO_RECORDING or UNKNOWN_CAMERA.
   */
  /** The MP4 of a camera's time range (storage's GET /exports/:cameraId): of its sub-stream with stream 'sub', re-encoded for browsers when needed with 'playable'. */
  async getExport(cameraId: string, from: Date, to: Date, range?: string, stream: PlaybackStream = 'main'): Promise<Response> {
    const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
    if (stream !== 'main') query.set('stream', stream);
    return fetch(`${this.baseUrl}/exports/${encodeURIComponent(cameraId)}?${query.toString()}`, { headers: this.headers(range ? { range } : {}) });
  }

  async download(storePath: string, toFile: string): Promise<void> {
    const response = await this.get(storePath);
    if (!response.ok || !response.body) throw new CameramonitError('STORAGE_READ_FAILED', `Storage answered ${response.status} for ${storePath}`, 502);
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(toFile));
  }

  async getBuffer(storePath: string): Promise<Buffer> {
    const response = await this.get(storePath);
    if (!response.ok) throw new CameramonitError('STORAGE_READ_FAILED', `Storage answered ${response.status} for ${storePath}`, 502);
    return Buffer.from(await response.arrayBuffer());
  }

  /**
   * Store a recorded clip of a camera with the time of its first frame (the recorder's way in;
   * docs/recorded-clips.md). Storing the same camera and start time again keeps the first.
   */
  async putRecording(
    projectSlug: string,
    cameraSlug: string,
    fromFile: string,
    options: { startedAt: Date; name?: string; source?: RecordedStream | 'push'; uploadedBy?: string | null },
  ): Promise<RecordingStored> {
    const size = (await stat(fromFile)).size;
    const timeoutMs = this.options.uploadTimeoutMs ?? uploadTimeoutMs(size);
    const name = options.name ?? `${options.startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}${extname(fromFile) || '.mp4'}`;
    const query = new URLSearchParams({ startedAt: options.startedAt.toISOString() });
    if (options.source && options.source !== 'recording') query.set('source', options.source);
    if (options.uploadedBy) query.set('uploadedBy', options.uploadedBy);
    const url = `${this.baseUrl}/recordings/${storeUrlPath(`${projectSlug}/${cameraSlug}/${name}`)}?${query.toString()}`;
    const response = await fetch(url, {
      method: 'PUT',
      headers: this.headers({ 'content-type': 'application/octet-stream', 'content-length': String(size) }),
      body: Readable.toWeb(createReadStream(fromFile)) as ReadableStream<Uint8Array>,
      duplex: 'half',
      signal: AbortSignal.timeout(timeoutMs),
    } as RequestInit).catch((error: unknown) => {
      throw new Error(`Storage at ${this.baseUrl} did not take the recording of ${projectSlug}/${cameraSlug}: ${uploadFailure(error, timeoutMs)}`);
    });
    const body = (await response.json().catch(() => ({}))) as Partial<RecordingStored> & { code?: string; message?: string };
    if (!response.ok) throw new CameramonitError(body.code ?? 'STORAGE_WRITE_FAILED', body.message ?? `Storage answered ${response.status} storing a recording of ${projectSlug}/${cameraSlug}`, response.status);
    return body as RecordingStored;
  }

  /** Write bytes made in memory (an event's snapshot or animation) atomically into the store. */
  async putBuffer(storePath: string, bytes: Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    await this.put(storePath, new Blob([bytes as Uint8Array<ArrayBuffer>]), bytes.byteLength, contentType);
  }

  /** Write a file (artifact) atomically into the store. */
  async putFile(storePath: string, fromFile: string, contentType = 'application/octet-stream'): Promise<void> {
    const size = (await stat(fromFile)).size;
    await this.put(storePath, Readable.toWeb(createReadStream(fromFile)) as ReadableStream<Uint8Array>, size, contentType);
  }

  private async put(storePath: string, body: Blob | ReadableStream<Uint8Array>, size: number, contentType: string): Promise<void> {
    const response = await fetch(`${this.baseUrl}/files/${storeUrlPath(storePath)}`, {
      method: 'PUT',
      headers: this.headers({ 'content-type': contentType, 'content-length': String(size) }),
      body,
      duplex: 'half',
    } as RequestInit);
    if (!response.ok) throw new CameramonitError('STORAGE_WRITE_FAILED', `Storage answered ${response.status} writing ${storePath}: ${await response.text()}`, 502);
  }
}

/**
 * How long sending a recorded clip of `sizeBytes` may take before it counts as failed: 15 s, and
 * 250 kB/s. On a link that went dead (no answer, no refusal) the request would otherwise wait for
 * minutes, and the recorder would not know storage is gone meanwhile.
 */
export function uploadTimeoutMs(sizeBytes: number): number {
  return 15_000 + Math.ceil(sizeBytes / 250);
}

/** Why a clip's upload failed, in words: a timeout says how long it waited. */
export function uploadFailure(error: unknown, timeoutMs: number): string {
  const failure = error as Error & { cause?: Error };
  if (failure?.name === 'TimeoutError' || failure?.cause?.name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  return failure?.cause?.message ?? failure?.message ?? String(error);
}
