/**
 * Bus topics. MQTT topic names, also the Nest message patterns. Every payload is plain JSON
 * (see the payload types below), so Home Assistant / Node-RED can subscribe to them as they are.
 */
export const Topics = {
  /** storage -> *: a clip is complete in storage and registered (row in `clips`). */
  clipStored: 'cameramonit/clip/stored',
  /** storage -> chat: an upload was refused (not a video, corrupt, too large...). */
  uploadRejected: 'cameramonit/upload/rejected',
  /** video-to-text -> *: an event was written to the database. */
  eventCreated: 'cameramonit/event/created',
  /** video-to-text, plugin-host -> chat, notifier: an event changed in place (a description arrived, it went on in the next clip, it was re-analysed, a plugin added features or images). */
  eventUpdated: 'cameramonit/event/updated',
  /** video-to-text -> chat: analysing a clip failed. */
  analysisFailed: 'cameramonit/analysis/failed',
  /** video-to-text -> chat: a clip was analysed (with how many events). */
  analysisCompleted: 'cameramonit/analysis/completed',
  /** video-to-text -> chat: analysis progress of a clip (0..1). */
  analysisProgress: 'cameramonit/analysis/progress',
  /** video-to-text -> chat: a re-analysis of a camera's time range finished (its report in words, the events it removed and added). */
  reanalysisCompleted: 'cameramonit/reanalysis/completed',
  /**
   * Analyser plugins (apps/plugin-host <-> each plugin process): `cameramonit/plugins/<name>/ready`,
   * `.../request`, `.../result`; see `pluginTopics()` and the payloads in plugins.ts, docs/plugins.md.
   */
  pluginsFilter: 'cameramonit/plugins/+/+',
  /** admin -> recorder, storage: a camera was added, changed (source, buffer, retention, enabled) or deleted. */
  cameraChanged: 'cameramonit/camera/changed',
  /** recorder -> chat: a live camera's recording state changed (online, offline, wrong password...). */
  cameraStatus: 'cameramonit/camera/status',
  /** chat -> video-to-text: someone is watching a camera's live picture (sent every few seconds while they do). */
  liveWatched: 'cameramonit/live/watched',
  /** video-to-text -> chat: what the detector found in the newest key frame of a watched camera's live picture. */
  liveBoxes: 'cameramonit/live/boxes',
  /** request/reply, manager: check an email + password, answer the user or null. */
  authVerifyPassword: 'cameramonit/auth/verify-password',
  /** request/reply, manager: log in, answer an access token. */
  authLogin: 'cameramonit/auth/login',
  /** request/reply, installer: list registry cameras. */
  registryListCameras: 'cameramonit/registry/cameras/list',
  /** request/reply, installer: WS-Discovery of ONVIF cameras on its network (OnvifDiscoverRequest -> BusReply<DiscoveredOnvifDevice[]>). */
  onvifDiscover: 'cameramonit/registry/onvif/discover',
  /** request/reply, installer: one ONVIF camera's profiles and stream URIs (OnvifInspectRequest -> BusReply<OnvifDeviceDescription>). */
  onvifInspect: 'cameramonit/registry/onvif/inspect',
  /**
   * request/reply, storage: register a recorded clip the recorder put into the clip store's
   * /<project>/<camera>/recordings/ folder itself (RECORDER_STORE_URL=file://..., storage on the same disk):
   * RecordingIngestRequest -> BusReply<RecordingIngested>.
   */
  storageIngestRecording: 'cameramonit/storage/recordings/ingest',
} as const;
export type Topic = (typeof Topics)[keyof typeof Topics];

export interface RecordingIngestRequest {
  projectSlug: string;
  cameraSlug: string;
  /** the file's name in /<project>/<camera>/recordings/, its start time in UTC: 20261204T190530.250Z.mp4 (a sub-stream clip: 20261204T190530.250Z-sub.mp4) */
  fileName: string;
}

export interface RecordingIngested {
  clipId: string;
  startedAt: string;
  durationSec: number;
  /** false: a clip of this camera with this start time was stored already (a retry) */
  created: boolean;
}

export interface ClipStoredPayload {
  clipId: string;
  cameraId: string;
  projectSlug: string;
  cameraSlug: string;
  /** path inside the clip store, e.g. `demo/demo/clips/2026-11-22/<clipId>.avi` */
  path: string;
  source: ClipSource;
  originalName: string | null;
  uploadedBy: string | null;
}

export interface UploadRejectedPayload {
  cameraId: string | null;
  projectSlug: string;
  cameraSlug: string;
  originalName: string;
  code: string;
  message: string;
  uploadedBy: string | null;
}

export interface EventCreatedPayload {
  eventId: string;
  cameraId: string;
  clipId: string;
}

export interface EventUpdatedPayload {
  eventId: string;
  cameraId: string;
  /** what changed: a model's description arrived, the event went on in the next clip, a re-analysis changed it, or a plugin added features / images / objects */
  reason: 'described' | 'continued' | 'reanalysed' | 'enriched';
}

export interface AnalysisFailedPayload {
  clipId: string;
  cameraId: string;
  originalName: string | null;
  code: string;
  message: string;
}

export interface AnalysisCompletedPayload {
  clipId: string;
  cameraId: string;
  originalName: string | null;
  durationSec: number;
  eventCount: number;
  /** seconds of video analysed per second of work */
  speedVsRealtime: number;
  /** an upload (tell the uploader) or a recorded clip (one of many; nobody waits for it) */
  source?: ClipSource;
}

export interface ReanalysisCompletedPayload {
  reanalysisId: string;
  cameraId: string;
  status: 'done' | 'failed';
  /** ISO times of the range */
  from: string;
  to: string;
  /** the report in words, for the camera's thread */
  text: string;
  /** events that no longer exist: take them out of the thread */
  removedEventIds: string[];
  /** new events (also announced with event/created, but never pushed to subscribers) */
  addedEventIds: string[];
  /** events kept with new details (also announced with event/updated, reason reanalysed) */
  changedEventIds: string[];
}

export interface AnalysisProgressPayload {
  clipId: string;
  cameraId: string;
  /** 0..1 */
  progress: number;
  stage: 'queued' | 'analysing' | 'writing' | 'done';
}

export interface CameraChangedPayload {
  cameraId: string;
  change: 'created' | 'updated' | 'deleted';
}

/** starting: connecting; online: recording; offline: unreachable or dropped; auth-failed / not-found: a setting is wrong; stopped: disabled or no source */
export type CameraLiveState = 'starting' | 'online' | 'offline' | 'auth-failed' | 'not-found' | 'stopped';

export interface CameraStatusPayload {
  cameraId: string;
  cameraName: string;
  state: CameraLiveState;
  previousState: CameraLiveState;
  /** what is wrong, for people */
  message: string | null;
  /** ISO: since when it is in this state (offline: the last picture it sent) */
  since: string;
  /** back online: how long it was away, seconds */
  outageSec: number | null;
}

export interface VerifyPasswordRequest {
  email: string;
  password: string;
}
export interface VerifiedUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}
export interface LoginReply {
  accessToken: string;
  user: VerifiedUser;
}

/**
 * upload: a person's video; recording: a clip the recorder cut from a camera's (main) stream;
 * substream: a clip of the camera's smaller sub-stream, recorded for the analysis only (not on the
 * timeline, not exported; docs/live-cameras.md); push: a clip assembled from pushed JPEG frames (docs/pushed-frames.md)
 */
export type ClipSource = 'upload' | 'recording' | 'substream' | 'push';
/** Clips cut from a live camera's stream: what the recorder stores with PUT /recordings. */
export type RecordedStream = 'recording' | 'substream';

/**
 * A recorded clip's name in /<project>/<camera>/recordings/ (WebDAV, FTP, the store's folder): its
 * start time in UTC to the millisecond, and "-sub" for the camera's sub-stream:
 * 20261204T190530.250Z.mp4, 20261204T190530.250Z-sub.mp4.
 */
export function recordingFileName(startedAt: Date, extension = '.mp4', source: RecordedStream = 'recording'): string {
  return `${startedAt.toISOString().replace(/[-:]/g, '')}${source === 'substream' ? '-sub' : ''}${extension}`;
}

/** Which stream a recorded clip's name (recordingFileName) says it is from. */
export function recordedStreamOfName(fileName: string): RecordedStream {
  return /-sub\.[A-Za-z0-9]{1,8}$/.test(fileName) ? 'substream' : 'recording';
}
/** service: the platform's own apps; device: a camera that pushes frames with a push token (never a person's account) */
export type Role = 'admin' | 'installer' | 'manager' | 'supervisor' | 'customer' | 'service' | 'device';
export const Roles: readonly Role[] = ['admin', 'installer', 'manager', 'supervisor', 'customer', 'service', 'device'];
/** Roles a person's account may have. */
export const PersonRoles: readonly Role[] = Roles.filter((r) => r !== 'service' && r !== 'device');

export interface LiveWatchedPayload {
  cameraId: string;
}

/** One object in a live key frame: where, as fractions of the picture (0..1). */
export interface LiveBox {
  label: string;
  confidence: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LiveBoxesPayload {
  cameraId: string;
  /** when the key frame reached the detector (ISO 8601) */
  at: string;
  /**
   * when the key frame was taken, on the worker's clock (ms since the epoch), told from when the live
   * stream's fragments came (LiveStreamClock); null when not known. The browser ties it to the
   * picture it shows, so boxes follow the picture, not their arrival (apps/chat/public/live-motion.js).
   */
  takenAtMs: number | null;
  /** when this was published, on the same clock: a browser tells its clock from the worker's by it */
  sentAtMs: number;
  /** the objects of the camera's classes above its minimum confidence; empty: nothing there */
  boxes: LiveBox[];
}
