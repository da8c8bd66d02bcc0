import { isAbsolute, relative, resolve } from 'node:path';
/**
 * Where a camera's video comes from and how it is recorded. Set by an admin (admin app, stored on
 * `cameras`), read by the recorder, which records every enabled camera with a source and picks up
 * changes without a restart. The password is stored sealed (SecretBox) and never shown back.
 */
import { CameramonitError } from './errors.js';

/**
 * rtsp: an IP camera's RTSP stream; mjpeg: an HTTP MJPEG stream; snapshot: an HTTP URL answering
 * one JPEG, polled; webcam: a local video device (/dev/video0); file: a video file played in a loop
 * as if it were a camera (the demo camera); push: a device that POSTs JPEG frames; none: uploads only.
 */
export type CameraSourceKind = 'none' | 'rtsp' | 'mjpeg' | 'snapshot' | 'webcam' | 'file' | 'push';
export const cameraSourceKinds: readonly CameraSourceKind[] = ['none', 'rtsp', 'mjpeg', 'snapshot', 'webcam', 'file', 'push'];

/** Source kinds a recorder reads itself (push cameras send frames; none: uploads only). */
export const recordedSourceKinds: readonly CameraSourceKind[] = ['rtsp', 'mjpeg', 'snapshot', 'webcam', 'file'];

export type RtspTransport = 'tcp' | 'udp';

/** continuous: every clip is kept for maxRecordMinutes; motion: only clips around motion are kept */
export type RecordMode = 'continuous' | 'motion';

/** A camera's source as the API shows it (never the password). */
export interface CameraSourceView {
  kind: CameraSourceKind;
  /** address without credentials: rtsp://host:554/stream1, http://host/video.mjpg, /dev/video0, fixtures/vtest.avi */
  url: string | null;
  /** a smaller stream of the same camera used for analysis and live boxes (RTSP cameras' second profile) */
  subStreamUrl: string | null;
  transport: RtspTransport;
  username: string | null;
  hasPassword: boolean;
  /** snapshot cameras: pictures fetched per second */
  snapshotFps: number;
  /** webcams: the picture size asked of the device ("1280x720"); null: the device's current one */
  captureSize: string | null;
  /** webcams: frames per second asked of the device; null: the device's current rate */
  captureFps: number | null;
  recordMode: RecordMode;
  /** motion mode: seconds kept before the motion starts and after it ends */
  motionPaddingSec: number;
  /** days the clips that hold events are kept, beyond the continuous ring of maxRecordMinutes */
  eventRetentionDays: number;
  /**
   * the recorder (RECORDER_ID) that records it; null: the main one. A webcam is recorded by the
   * recorder on the machine it is plugged into (docs/live-cameras.md, "Webcams and several recorders").
   */
  recorder: string | null;
}

/** A change to a camera's source from an API body; `password` null clears it, undefined keeps it. */
export interface CameraSourceInput {
  kind?: CameraSourceKind;
  url?: string | null;
  subStreamUrl?: string | null;
  transport?: RtspTransport;
  username?: string | null;
  password?: string | null;
  snapshotFps?: number;
  captureSize?: string | null;
  captureFps?: number | null;
  recordMode?: RecordMode;
  motionPaddingSec?: number;
  eventRetentionDays?: number;
  recorder?: string | null;
}

export const defaultCameraSource: Readonly<CameraSourceView> = Object.freeze({
  kind: 'none',
  url: null,
  subStreamUrl: null,
  transport: 'tcp',
  username: null,
  hasPassword: false,
  snapshotFps: 2,
  captureSize: null,
  captureFps: null,
  recordMode: 'continuous',
  motionPaddingSec: 5,
  eventRetentionDays: 7,
  recorder: null,
});

/** The recorder that records cameras which name none (RECORDER_ID's default). */
export const mainRecorderId = 'main';
/** A recorder's id: lower-case letters, digits and dashes, 1-40. */
export const recorderIdPattern = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** The recorder that records a camera. */
export const recorderOf = (camera: { recorderId: string | null }): string => camera.recorderId ?? mainRecorderId;

const urlSchemes: Partial<Record<CameraSourceKind, readonly string[]>> = {
  rtsp: ['rtsp:', 'rtsps:'],
  mjpeg: ['http:', 'https:'],
  snapshot: ['http:', 'https:'],
};

/**
 * Checks a source change and merges it onto `current`. Credentials written into the URL
 * (rtsp://user:pass@host/...) are moved out into username / password. Throws CameramonitError
 * INVALID_CAMERA_SOURCE (400) listing every problem. Returns the new view and the password change
 * (undefined: keep the stored one; null: remove it; a string: seal and store it).
 */
export function parseCameraSource(
  input: unknown,
  current: CameraSourceView = defaultCameraSource,
): { source: CameraSourceView; password: string | null | undefined } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CameramonitError('INVALID_CAMERA_SOURCE', 'the camera source must be a JSON object', 400);
  }
  const raw = input as Record<string, unknown>;
  const problems: string[] = [];
  const known = ['kind', 'url', 'subStreamUrl', 'transport', 'username', 'password', 'snapshotFps', 'captureSize', 'captureFps', 'recordMode', 'motionPaddingSec', 'eventRetentionDays', 'recorder'];
  for (const key of Object.keys(raw)) if (!known.includes(key)) problems.push(`${key} is not a camera source field (known: ${known.join(', ')})`);
  const source: CameraSourceView = { ...current };
  let password: string | null | undefined;

  if (raw.kind !== undefined) {
    if (!cameraSourceKinds.includes(raw.kind as CameraSourceKind)) problems.push(`kind must be one of ${cameraSourceKinds.join(', ')}`);
    else source.kind = raw.kind as CameraSourceKind;
  }
  if (raw.transport !== undefined) {
    if (raw.transport !== 'tcp' && raw.transport !== 'udp') problems.push('transport must be "tcp" or "udp"');
    else source.transport = raw.transport;
  }
  if (raw.username !== undefined) {
    if (raw.username !== null && (typeof raw.username !== 'string' || raw.username.length > 120 || /[\r\n\0]/.test(raw.username))) problems.push('username must be null or at most 120 characters on one line');
    else source.username = raw.username === '' ? null : (raw.username as string | null);
  }
  if (raw.password !== undefined) {
    if (raw.password !== null && (typeof raw.password !== 'string' || raw.password.length > 200 || /[\r\n\0]/.test(raw.password))) problems.push('password must be null or at most 200 characters on one line');
    else password = raw.password === '' ? null : (raw.password as string | null);
  }
  for (const field of ['url', 'subStreamUrl'] as const) {
    if (raw[field] === undefined) continue;
    const value = raw[field];
    if (value === null || value === '') {
      source[field] = null;
      continue;
    }
    if (typeof value !== 'string' || value.length > 1000 || /[\r\n\0]/.test(value)) {
      problems.push(`${field} must be an address of at most 1000 characters on one line`);
      continue;
    }
    const parsed = splitCredentials(value.trim());
    source[field] = parsed.url;
    if (parsed.username !== null && field === 'url') {
      source.username = parsed.username;
      if (parsed.password !== null) password = parsed.password;
    }
  }
  if (raw.snapshotFps !== undefined) {
    if (!isNumberIn(raw.snapshotFps, 0.1, 30)) problems.push('snapshotFps must be a number from 0.1 to 30');
    else source.snapshotFps = raw.snapshotFps;
  }
  if (raw.captureSize !== undefined) {
    if (raw.captureSize === null || raw.captureSize === '') source.captureSize = null;
    else if (typeof raw.captureSize !== 'string' || !/^\d{2,4}x\d{2,4}$/.test(raw.captureSize.trim())) problems.push('captureSize must be null (the webcam\'s own) or a picture size such as 1280x720');
    else source.captureSize = raw.captureSize.trim();
  }
  if (raw.captureFps !== undefined) {
    if (raw.captureFps === null) source.captureFps = null;
    else if (!isNumberIn(raw.captureFps, 1, 60)) problems.push('captureFps must be null (the webcam\'s own) or a number from 1 to 60');
    else source.captureFps = raw.captureFps;
  }
  if (raw.recordMode !== undefined) {
    if (raw.recordMode !== 'continuous' && raw.recordMode !== 'motion') problems.push('recordMode must be "continuous" or "motion"');
    else source.recordMode = raw.recordMode;
  }
  if (raw.motionPaddingSec !== undefined) {
    if (!Number.isInteger(raw.motionPaddingSec) || !isNumberIn(raw.motionPaddingSec, 0, 120)) problems.push('motionPaddingSec must be whole seconds from 0 to 120');
    else source.motionPaddingSec = raw.motionPaddingSec as number;
  }
  if (raw.eventRetentionDays !== undefined) {
    if (!Number.isInteger(raw.eventRetentionDays) || !isNumberIn(raw.eventRetentionDays, 0, 3650)) problems.push('eventRetentionDays must be whole days from 0 to 3650');
    else source.eventRetentionDays = raw.eventRetentionDays as number;
  }

  if (raw.recorder !== undefined) {
    if (raw.recorder === null || raw.recorder === '') source.recorder = null;
    else if (typeof raw.recorder !== 'string' || !recorderIdPattern.test(raw.recorder)) problems.push('recorder must be null (the main recorder) or a recorder id: lower-case letters, digits and dashes, 1-40 (RECORDER_ID of that recorder)');
    else source.recorder = raw.recorder === mainRecorderId ? null : raw.recorder;
  }
  // pushed frames and uploads arrive through the main recorder and storage: no recorder to pick
  if (source.kind === 'none' || source.kind === 'push') {
    if (typeof raw.recorder === 'string' && raw.recorder !== '' && raw.recorder !== mainRecorderId) problems.push(`recorder is for cameras a recorder reads (rtsp, mjpeg, snapshot, webcam, file), not for a ${source.kind} camera`);
    source.recorder = null;
  }
  // what is asked of a webcam's device means nothing to other cameras
  if (source.kind !== 'webcam') {
    for (const field of ['captureSize', 'captureFps'] as const) {
      if (raw[field] !== undefined && raw[field] !== null && raw[field] !== '') problems.push(`${field} is only for webcam cameras`);
      source[field] = null;
    }
  }
  // a webcam given as OpenCV numbers it ("0"): /dev/video0
  if (source.kind === 'webcam' && source.url && /^\d{1,2}$/.test(source.url)) source.url = `/dev/video${Number(source.url)}`;

  // the whole source must make sense, not only the fields that changed
  const needsUrl = source.kind !== 'none' && source.kind !== 'push';
  if (needsUrl && !source.url) problems.push(`url is needed for a ${source.kind} camera`);
  if (source.url && urlSchemes[source.kind] && !urlSchemes[source.kind]?.includes(schemeOf(source.url))) {
    problems.push(`url of a ${source.kind} camera must start with ${urlSchemes[source.kind]?.map((s) => `${s}//`).join(' or ')}`);
  }
  if (source.subStreamUrl && source.kind !== 'rtsp') problems.push('subStreamUrl is only for rtsp cameras');
  if (source.subStreamUrl && !['rtsp:', 'rtsps:'].includes(schemeOf(source.subStreamUrl))) problems.push('subStreamUrl must start with rtsp:// or rtsps://');
  if (source.kind === 'webcam' && source.url && !/^\/dev\/video\d+$/.test(source.url)) problems.push('url of a webcam must be a video device such as /dev/video0 (or its number, 0)');
  if (problems.length > 0) throw new CameramonitError('INVALID_CAMERA_SOURCE', `Invalid camera source: ${problems.join('; ')}`, 400);
  if (password !== undefined) source.hasPassword = password !== null;
  return { source, password };
}

/** rtsp://user:pa%40ss@host/x -> {url: rtsp://host/x, username: user, password: pa@ss}; other addresses unchanged. */
export function splitCredentials(address: string): { url: string; username: string | null; password: string | null } {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return { url: address, username: null, password: null };
  try {
    const url = new URL(address);
    if (!url.username && !url.password) return { url: address, username: null, password: null };
    const username = decodeURIComponent(url.username) || null;
    const password = url.password ? decodeURIComponent(url.password) : null;
    url.username = '';
    url.password = '';
    return { url: url.toString(), username, password };
  } catch {
    return { url: address, username: null, password: null };
  }
}

function schemeOf(address: string): string {
  const match = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(address);
  return match ? match[1].toLowerCase() : '';
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/**
 * The absolute path of a 'file' camera's video, or why it may not be looped: the path is taken
 * relative to the working directory (`npm start` runs from the repository, so "fixtures/vtest.avi"
 * works) and must lie inside `filesDir` (CAMERA_FILES_DIR), so that a camera cannot be pointed at
 * the platform's own files (its secrets, its database) or anywhere else on the machine.
 */
export function resolveCameraFile(url: string, filesDir: string, cwd = process.cwd()): { file: string; problem: null } | { file: null; problem: string } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[a-z]:[\\/]/i.test(url)) {
    return { file: null, problem: `url of a file camera is a path to a video inside ${filesDir} (CAMERA_FILES_DIR), not an address (${url.split(':')[0]}:)` };
  }
  const root = resolve(cwd, filesDir);
  const file = resolve(cwd, url);
  const inside = relative(root, file);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) {
    return { file: null, problem: `url of a file camera must be a video inside ${root} (CAMERA_FILES_DIR); ${url} is not` };
  }
  return { file, problem: null };
}
