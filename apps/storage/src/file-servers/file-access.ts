import { CameramonitError } from '@cameramonit/contracts';
import type { StoreEntry } from './clip-store.js';
import { requireStartInName } from '../recording-name.js';
import type { CompletedUpload, FileServerLogger, FileServerUser, ReadPolicy, RecordingResult, RecordingSink, UploadPolicy, UploadSink } from './ports.js';
import { cameraScopeOf, parseRecordingPath, parseUploadFolder, parseUploadPath, RECORDINGS_FOLDER_NAME, UPLOAD_RULE, type UploadTarget } from './store-layout.js';

export interface FileAccessOptions {
  uploadPolicy: UploadPolicy;
  uploadSink: UploadSink;
  /** Without it, recorded clips are not taken over this server (only over the HTTP API). */
  recordingSink?: RecordingSink;
  readPolicy?: ReadPolicy;
  logger: FileServerLogger;
}

/** Where a write goes: a person's upload, or a recorded clip of the platform's recorder. */
export type WriteTarget = (UploadTarget & { kind: 'upload' }) | (UploadTarget & { kind: 'recording'; startedAt: Date });

/** The permission rules shared by the FTP and WebDAV servers. */
export class FileAccess {
  constructor(private readonly options: FileAccessOptions) {}

  get maxUploadBytes(): number {
    return this.options.uploadPolicy.maxUploadBytes;
  }

  /** Checks that the user may upload to this normalised store path; throws UPLOAD_FORBIDDEN (403) otherwise. */
  async authorizeUpload(user: FileServerUser, storePath: string): Promise<UploadTarget> {
    const target = parseUploadPath(storePath);
    if (!target) {
      throw new CameramonitError('UPLOAD_FORBIDDEN', `Cannot write ${storePath}: ${UPLOAD_RULE}`, 403);
    }
    await this.assertCanUpload(user, target.projectSlug, target.cameraSlug);
    return target;
  }

  /**
   * Checks a write (PUT, STOR): an upload into an upload folder by a person who may upload to that
   * camera, or a recorded clip into a camera's recordings folder by a platform service, named by
   * its start time. Throws 403 (or 400 for a recording without a time in its name) otherwise.
   */
  async authorizeWrite(user: FileServerUser, storePath: string): Promise<WriteTarget> {
    const recording = parseRecordingPath(storePath);
    if (!recording) return { ...(await this.authorizeUpload(user, storePath)), kind: 'upload' };
    if (user.role !== 'service') {
      throw new CameramonitError('UPLOAD_FORBIDDEN', `Cannot write ${storePath}: ${RECORDINGS_FOLDER_NAME} folders are written by the platform's recorder only; ${UPLOAD_RULE}`, 403);
    }
    if (!this.options.recordingSink) {
      throw new CameramonitError('UPLOAD_FORBIDDEN', `Cannot write ${storePath}: this server does not take recorded clips`, 403);
    }
    return { ...recording, kind: 'recording', startedAt: requireStartInName(recording.fileName) };
  }

  /**
   * After a write is complete in the store. An upload tells the upload sink (its failures are
   * logged: the file is stored either way) and gives null; a recording is registered as a clip and
   * its refusal (corrupt, unknown camera) is thrown, so the client hears it.
   */
  async afterWrite(user: FileServerUser, target: WriteTarget, sizeBytes: number): Promise<RecordingResult | null> {
    if (target.kind === 'upload') {
      await this.notifyUploadComplete(user, target, sizeBytes);
      return null;
    }
    const sink = this.options.recordingSink;
    if (!sink) throw new CameramonitError('UPLOAD_FORBIDDEN', 'This server does not take recorded clips', 403);
    const { kind: _kind, ...recording } = target;
    return sink.onRecordingComplete({ ...recording, user, sizeBytes });
  }

  /** Checks that the user may create this upload folder (/<project>/<camera>/upload). */
  async authorizeUploadFolder(user: FileServerUser, storePath: string): Promise<void> {
    const folder = parseUploadFolder(storePath);
    if (!folder) {
      throw new CameramonitError(
        'UPLOAD_FORBIDDEN',
        `Cannot create folder ${storePath}: only upload folders /<project>/<camera>/upload may be created (with their parents)`,
        403,
      );
    }
    await this.assertCanUpload(user, folder.projectSlug, folder.cameraSlug);
  }

  /** May the user read this store path? The root is always readable (its listing is filtered). */
  async canRead(user: FileServerUser, storePath: string): Promise<boolean> {
    const policy = this.options.readPolicy;
    if (!policy) return true;
    const { projectSlug, cameraSlug } = cameraScopeOf(storePath);
    if (projectSlug === undefined) return true;
    return policy.canRead(user, projectSlug, cameraSlug);
  }

  async assertCanRead(user: FileServerUser, storePath: string): Promise<void> {
    if (!(await this.canRead(user, storePath))) {
      throw new CameramonitError('READ_FORBIDDEN', `You have no access to ${storePath}`, 403);
    }
  }

  /** Leaves out the entries the user may not read. */
  async filterReadable(user: FileServerUser, entries: StoreEntry[]): Promise<StoreEntry[]> {
    const readable: StoreEntry[] = [];
    for (const entry of entries) if (await this.canRead(user, entry.storePath)) readable.push(entry);
    return readable;
  }

  /** Tells the sink; its failures are logged, never thrown (the file is stored either way). */
  async notifyUploadComplete(user: FileServerUser, target: UploadTarget, sizeBytes: number): Promise<void> {
    const upload: CompletedUpload = {
      user,
      projectSlug: target.projectSlug,
      cameraSlug: target.cameraSlug,
      fileName: target.fileName,
      storePath: target.storePath,
      sizeBytes,
    };
    try {
      await this.options.uploadSink.onUploadComplete(upload);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.error(`Upload ${target.storePath} by ${user.email} is stored, but the upload sink failed: ${reason}`);
    }
  }

  private async assertCanUpload(user: FileServerUser, projectSlug: string, cameraSlug: string): Promise<void> {
    if (!(await this.options.uploadPolicy.canUpload(user, projectSlug, cameraSlug))) {
      throw new CameramonitError(
        'UPLOAD_FORBIDDEN',
        `You may not upload to camera "${cameraSlug}" of project "${projectSlug}"`,
        403,
      );
    }
  }
}
