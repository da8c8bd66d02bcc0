import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { Client as FtpClient, FTPError } from 'basic-ftp';
import type { TokenService } from '@cameramonit/auth';
import { CameramonitError, recordingFileName, Topics, type BusReply, type RecordedStream, type RecordingIngested, type RecordingIngestRequest } from '@cameramonit/contracts';
import { storeUrlPath, uploadFailure, uploadTimeoutMs, type RecordingStored } from './storage.client.js';

/**
 * What takes the recorder's clips into the clip store. Three ways besides the storage app's HTTP
 * API (StorageClient): its WebDAV server, its FTP server, or the store's folder itself when the
 * recorder runs on the same disk (RECORDER_STORE; docs/recorded-clips.md). Each puts the clip at
 * /<project>/<camera>/recordings/<start time>.mp4 and storage registers it with the same checks.
 *
 * Errors: a CameramonitError with a 4xx status is storage's refusal of this clip (corrupt, unknown
 * camera: sending it again will not help); anything else means "not now" and the clip is sent again.
 */
export interface RecordingStore {
  putRecording(projectSlug: string, cameraSlug: string, fromFile: string, options: { startedAt: Date; source?: RecordedStream }): Promise<RecordingStored>;
  close?(): Promise<void>;
}

export type RecordingStoreKind = 'http' | 'webdav' | 'ftp' | 'local';

const slug = /^[a-z0-9][a-z0-9-]{0,62}$/;

function recordingPath(projectSlug: string, cameraSlug: string, fromFile: string, options: { startedAt: Date; source?: RecordedStream }): { folder: string; name: string } {
  if (!slug.test(projectSlug) || !slug.test(cameraSlug)) throw new CameramonitError('UNKNOWN_CAMERA', `There is no camera ${projectSlug}/${cameraSlug}`, 404);
  return { folder: `/${projectSlug}/${cameraSlug}/recordings`, name: recordingFileName(options.startedAt, extname(fromFile) || '.mp4', options.source) };
}

/** The login of a platform service on the storage's WebDAV and FTP servers: <service>@service, a service token as the password. */
function serviceLogin(tokens: TokenService, service: string): { user: string; password: string } {
  return { user: `${service}@service`, password: tokens.serviceToken(service, 600) };
}

/** PUT over WebDAV; the storage's answer to a recorded clip carries what it made of it (JSON). */
export class WebDavRecordingStore implements RecordingStore {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenService,
    private readonly service = 'recorder',
    /** how long a clip's upload may take (default: uploadTimeoutMs of its size) */
    private readonly options: { uploadTimeoutMs?: number } = {},
  ) {}

  async putRecording(projectSlug: string, cameraSlug: string, fromFile: string, options: { startedAt: Date; source?: RecordedStream }): Promise<RecordingStored> {
    const { folder, name } = recordingPath(projectSlug, cameraSlug, fromFile, options);
    const size = (await stat(fromFile)).size;
    const { user, password } = serviceLogin(this.tokens, this.service);
    const timeoutMs = this.options.uploadTimeoutMs ?? uploadTimeoutMs(size);
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/${storeUrlPath(`${folder}/${name}`)}`, {
        method: 'PUT',
        headers: {
          authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
          'content-type': 'video/mp4',
          'content-length': String(size),
        },
        body: Readable.toWeb(createReadStream(fromFile)) as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal,
      } as RequestInit);
    } catch (error) {
      throw new Error(`The storage's WebDAV server at ${this.baseUrl} cannot be reached: ${uploadFailure(error, timeoutMs)}`);
    }
    const text = await response.text().catch((error: unknown) => {
      throw new Error(`The storage's WebDAV server at ${this.baseUrl} did not finish answering for ${folder}/${name}: ${uploadFailure(error, timeoutMs)}`);
    });
    if (!response.ok) {
      const code = response.headers.get('x-error-code') ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'STORAGE_WRITE_FAILED');
      throw new CameramonitError(code, `WebDAV answered ${response.status} for ${folder}/${name}: ${text.trim()}`, response.status);
    }
    try {
      return JSON.parse(text) as RecordingStored;
    } catch {
      throw new Error(`The WebDAV server at ${this.baseUrl} stored ${folder}/${name} but did not say what became of it: is it a Cameramonit storage app?`);
    }
  }
}

/** A refused recording's FTP reply ends in its code: "550 There is no camera home/gate [UNKNOWN_CAMERA]". */
const refusalReply = /\[([A-Z][A-Z0-9_]*)\]\s*$/;

/**
 * STOR over FTP (passive mode), one control connection kept open and used by one clip at a time.
 * The storage replies 550 "<reason> [CODE]" when it refuses a clip and 451 when it cannot take it now.
 * FTP's answer says no more than "stored", so the clip's id is not known here.
 */
export class FtpRecordingStore implements RecordingStore {
  private client: FtpClient | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly url: URL;

  constructor(
    url: string,
    private readonly tokens: TokenService,
    private readonly service = 'recorder',
    private readonly timeoutMs = 30_000,
  ) {
    this.url = new URL(url);
  }

  putRecording(projectSlug: string, cameraSlug: string, fromFile: string, options: { startedAt: Date; source?: RecordedStream }): Promise<RecordingStored> {
    const run = this.queue.then(() => this.upload(projectSlug, cameraSlug, fromFile, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.client?.close();
    this.client = null;
  }

  private async upload(projectSlug: string, cameraSlug: string, fromFile: string, options: { startedAt: Date; source?: RecordedStream }): Promise<RecordingStored> {
    const { folder, name } = recordingPath(projectSlug, cameraSlug, fromFile, options);
    const client = await this.connected();
    try {
      await client.uploadFrom(fromFile, `${folder}/${name}`);
    } catch (error) {
      const reply = error instanceof FTPError ? error : null;
      const refused = reply && reply.code >= 500 && reply.code !== 530 ? refusalReply.exec(reply.message) : null;
      if (reply && refused) {
        const code = refused[1] as string;
        const message = reply.message.replace(/^\d{3}\s*/, '').replace(refusalReply, '').trim();
        throw new CameramonitError(code, message, code === 'UNKNOWN_CAMERA' ? 404 : 422);
      }
      // anything else (451, a dropped connection, a timeout): a fresh connection next time
      await this.close();
      throw new Error(`The storage's FTP server at ${this.url.host} did not take ${folder}/${name}: ${(error as Error).message}`);
    }
    return { clipId: '', startedAt: options.startedAt.toISOString(), durationSec: Number.NaN, created: true };
  }

  private async connected(): Promise<FtpClient> {
    if (this.client && !this.client.closed) return this.client;
    const client = new FtpClient(this.timeoutMs);
    const { user, password } = serviceLogin(this.tokens, this.service);
    try {
      await client.access({ host: this.url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(this.url.port || 21), user, password, secure: false });
    } catch (error) {
      client.close();
      const reply = error instanceof FTPError ? error.message : (error as Error).message;
      throw new Error(`Cannot log in to the storage's FTP server at ${this.url.host}: ${reply}`);
    }
    this.client = client;
    return client;
  }
}

/** The part of BusClient a local store needs. */
export interface BusRequester {
  request<TReply, TRequest extends object = object>(topic: typeof Topics.storageIngestRecording, payload: TRequest, timeoutMs?: number): Promise<TReply>;
}

/**
 * The recorder on the same disk as the clip store: the clip is linked (or copied, across file
 * systems) into <store>/<project>/<camera>/recordings/ and storage is asked over the bus to register it.
 */
export class LocalRecordingStore implements RecordingStore {
  constructor(
    private readonly storeRoot: string,
    private readonly bus: BusRequester,
    private readonly timeoutMs = 60_000,
  ) {}

  async putRecording(projectSlug: string, cameraSlug: string, fromFile: string, options: { startedAt: Date; source?: RecordedStream }): Promise<RecordingStored> {
    const { folder, name } = recordingPath(projectSlug, cameraSlug, fromFile, options);
    const directory = join(this.storeRoot, ...folder.split('/').filter(Boolean));
    await mkdir(directory, { recursive: true });
    const target = join(directory, name);
    // a retry replaces what an earlier attempt left (storage keeps the first clip of a start time anyway)
    await rm(target, { force: true });
    try {
      await link(fromFile, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      const partial = join(directory, `.${name}.${randomUUID()}.part`);
      try {
        await copyFile(fromFile, partial);
        await rename(partial, target);
      } catch (copyError) {
        await rm(partial, { force: true });
        throw copyError;
      }
    }
    const reply = await this.bus.request<BusReply<RecordingIngested>, RecordingIngestRequest>(Topics.storageIngestRecording, { projectSlug, cameraSlug, fileName: name }, this.timeoutMs);
    if (!reply.ok) throw new CameramonitError(reply.code, reply.message, reply.httpStatus);
    return reply.value;
  }
}
