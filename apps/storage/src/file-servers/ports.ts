/**
 * What the file servers need from the rest of the platform. The storage module wires real
 * implementations (credentials checked over MQTT, policy from the project/camera registry,
 * a sink that publishes clip.stored); tests pass small fakes.
 */

/** An authenticated person, as the credentials verifier returns them. */
export interface FileServerUser {
  id: string;
  email: string;
  role: string;
}

/** Checks an email and password. Resolves null for wrong credentials; rejects only when it cannot tell. */
export interface CredentialsVerifier {
  verify(email: string, password: string): Promise<FileServerUser | null>;
}

/** Who may upload where, and how much. */
export interface UploadPolicy {
  /** Largest accepted upload, in bytes. */
  readonly maxUploadBytes: number;
  canUpload(user: FileServerUser, projectSlug: string, cameraSlug: string): Promise<boolean>;
}

/**
 * Who may read what (optional; without it every authenticated user may read the whole store).
 * cameraSlug is undefined when the question is "may this user see the project folder at all".
 */
export interface ReadPolicy {
  canRead(user: FileServerUser, projectSlug: string, cameraSlug?: string): Promise<boolean>;
}

/** A user upload that is complete and renamed into place in the store. */
export interface CompletedUpload {
  user: FileServerUser;
  projectSlug: string;
  cameraSlug: string;
  fileName: string;
  /** Store path, e.g. /demo/gate/upload/visit.mp4 */
  storePath: string;
  sizeBytes: number;
}

/** Told once per complete upload; never for rejected or partial ones. Errors are logged, never thrown at clients. */
export interface UploadSink {
  onUploadComplete(upload: CompletedUpload): Promise<void>;
}

/** A recorded clip written by a platform service (the recorder) into /<project>/<camera>/recordings/<name>. */
export interface CompletedRecording {
  user: FileServerUser;
  projectSlug: string;
  cameraSlug: string;
  fileName: string;
  storePath: string;
  /** from the file name (20261204T190530.250Z.mp4, UTC) */
  startedAt: Date;
  sizeBytes: number;
}

/** What the storage made of a recorded clip (the same answer as PUT /recordings over HTTP). */
export interface RecordingResult {
  clipId: string;
  startedAt: string;
  durationSec: number;
  /** false: a clip of this camera with this start time was stored already (a retry) */
  created: boolean;
}

/**
 * Registers recorded clips written over WebDAV or FTP. Unlike the upload sink its refusals reach
 * the client (a corrupt clip, an unknown camera): the recorder must know whether to send it again.
 */
export interface RecordingSink {
  onRecordingComplete(recording: CompletedRecording): Promise<RecordingResult>;
}

/** Compatible with Nest's Logger (and console). */
export interface FileServerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/** A logger that drops everything (tests). */
export const silentFileServerLogger: FileServerLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
