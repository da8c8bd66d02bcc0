import { Column, Entity, Index } from 'typeorm';
import type { CameraSourceKind, ClipSource, DescriptionStatus, Direction, ModelCallOutcome, ModelCallPurpose, RecordMode, Role, RtspTransport, StoredEventKind, ThreatLevel } from '@cameramonit/contracts';
import { intakeEntities } from './intake.entities.js';
import { liveEntities } from './live.entities.js';
import { pluginEntities } from './plugin.entities.js';
import { BaseEntity, timestamp } from './columns.js';

/** Owned by the manager app: people who log in. */
@Entity('users')
export class UserEntity extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 120 })
  displayName: string;

  @Column({ type: 'varchar', length: 20 })
  role: Role;

  /** scrypt$N$r$p$salt$hash */
  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;
}

/** Owned by the manager app: which user may see which camera (admins see all). */
@Entity('camera_grants')
@Index(['userId', 'cameraId'], { unique: true })
export class CameraGrantEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 36 })
  cameraId: string;
}

/** Owned by the admin app. */
@Entity('projects')
export class ProjectEntity extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 63 })
  slug: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;
}

/** Owned by the admin app: a camera of a project and its recording settings. */
@Entity('cameras')
@Index(['projectId', 'slug'], { unique: true })
export class CameraEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  projectId: string;

  @Column({ type: 'varchar', length: 63 })
  slug: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  /** the installer registry entry it was built from, if any */
  @Column({ type: 'varchar', length: 36, nullable: true })
  registryCameraId: string | null;

  @Column({ type: 'integer', default: 5 })
  bufferSeconds: number;

  @Column({ type: 'integer', default: 60 })
  maxRecordMinutes: number;

  @Column({ type: 'integer', default: 4 })
  animationSeconds: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** CameraAnalysisSettings as JSON (read it with parseCameraAnalysisSettings); null = the defaults */
  @Column({ type: 'text', nullable: true })
  analysisSettings: string | null;

  // ---- where its video comes from (CameraSourceView; parseCameraSource checks changes)

  @Column({ type: 'varchar', length: 20, default: 'none' })
  sourceKind: CameraSourceKind;

  /** address without credentials */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  sourceUrl: string | null;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  subStreamUrl: string | null;

  @Column({ type: 'varchar', length: 5, default: 'tcp' })
  sourceTransport: RtspTransport;

  @Column({ type: 'varchar', length: 120, nullable: true })
  sourceUsername: string | null;

  /** the camera's password sealed with SecretBox (SECRETS_KEY); never returned by an API */
  @Column({ type: 'text', nullable: true })
  sourcePasswordSealed: string | null;

  @Column({ type: 'double', default: 2 })
  snapshotFps: number;

  /** webcams: the picture size asked of the device ("1280x720"); null: its current one */
  @Column({ type: 'varchar', length: 20, nullable: true })
  captureSize: string | null;

  /** webcams: frames per second asked of the device; null: its current rate */
  @Column({ type: 'double', nullable: true })
  captureFps: number | null;

  @Column({ type: 'varchar', length: 20, default: 'continuous' })
  recordMode: RecordMode;

  @Column({ type: 'integer', default: 5 })
  motionPaddingSec: number;

  @Column({ type: 'integer', default: 7 })
  eventRetentionDays: number;

  /** the recorder (RECORDER_ID) that records it; null: the main one */
  @Column({ type: 'varchar', length: 40, nullable: true })
  recorderId: string | null;
}

/** Owned by the storage app: a complete video in the clip store. */
@Entity('clips')
@Index(['cameraId', 'startedAt'])
export class ClipEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  /** path inside the clip store */
  @Column({ type: 'varchar', length: 1024 })
  path: string;

  @Column({ type: 'varchar', length: 20 })
  source: ClipSource;

  @Column({ type: 'varchar', length: 255, nullable: true })
  originalName: string | null;

  @Column({ type: 'bigint' })
  sizeBytes: string;

  @Column({ type: 'double' })
  durationSec: number;

  @Column({ type: 'integer' })
  width: number;

  @Column({ type: 'integer' })
  height: number;

  /** wall-clock time of the clip's first frame */
  @Column(timestamp)
  startedAt: Date;

  @Column({ type: 'varchar', length: 36, nullable: true })
  uploadedBy: string | null;

  /** when retention (or the disk guard) deleted its file; the row stays for the events that point at it */
  @Column({ ...timestamp, nullable: true })
  deletedAt: Date | null;

  /** retention: past the camera's ring of maxRecordMinutes; events: past eventRetentionDays; disk: the disk was nearly full; motion: no motion near it (motion-only recording) */
  @Column({ type: 'varchar', length: 20, nullable: true })
  deleteReason: ClipDeleteReason | null;
}

export type ClipDeleteReason = 'retention' | 'events' | 'disk' | 'motion' | 'camera-deleted';

/** skipped: a main-stream clip of a camera analysed from its sub-stream (the sub-stream's clips hold its events) */
export type AnalysisStatus = 'queued' | 'analysing' | 'done' | 'failed' | 'skipped';

/** Owned by video-to-text: the analysis of one clip (one row per clip). */
@Entity('analyses')
export class AnalysisEntity extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36 })
  clipId: string;

  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 20 })
  status: AnalysisStatus;

  @Column({ type: 'double', default: 0 })
  progress: number;

  @Column({ type: 'varchar', length: 40, nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** browser-playable copy (H.264 MP4) when the original is not */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  playablePath: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** the worker (INSTANCE_ID) that holds it while analysing */
  @Column({ type: 'varchar', length: 80, nullable: true })
  workerId: string | null;

  @Column({ ...timestamp, nullable: true })
  finishedAt: Date | null;

  @Column(timestamp)
  updatedAt: Date;

  /** the camera's scene at the end of the clip (SceneState JSON): the carry-in of the camera's next recorded clip */
  @Column({ type: 'text', nullable: true })
  sceneState: string | null;

  /** the analysis settings the clip was analysed with (CameraAnalysisSettings JSON, fps and width resolved) */
  @Column({ type: 'text', nullable: true })
  settings: string | null;

  /** size of the analysis frames (the pixels of objects.box), null before it is known */
  @Column({ type: 'integer', nullable: true })
  frameWidth: number | null;

  @Column({ type: 'integer', nullable: true })
  frameHeight: number | null;

  /** first and last second of the clip with motion (null: none, or analysed before this was kept); motion-only recording keeps clips near motion */
  @Column({ type: 'double', nullable: true })
  motionFirstSec: number | null;

  @Column({ type: 'double', nullable: true })
  motionLastSec: number | null;

  /** the worker was behind (the clip waited longer than ANALYSIS_BEHIND_SECONDS) and looked at the clip on its key frames only */
  @Column({ type: 'boolean', default: false })
  keyFramesOnly: boolean;
}

/** Owned by video-to-text: something that happened, in words. */
@Entity('events')
@Index(['cameraId', 'startedAt'])
@Index(['cameraId', 'sceneKey'])
export class EventEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Index()
  @Column({ type: 'varchar', length: 36 })
  clipId: string;

  /** the engine's kinds, and 'plugin' for an event an analyser plugin returned (see plugin_events) */
  @Column({ type: 'varchar', length: 20 })
  kind: StoredEventKind;

  @Column({ type: 'varchar', length: 40 })
  label: string;

  @Column({ type: 'integer' })
  count: number;

  @Column(timestamp)
  startedAt: Date;

  @Column(timestamp)
  endedAt: Date;

  /** offset of the event in its clip */
  @Column({ type: 'double' })
  startSec: number;

  @Column({ type: 'double' })
  endSec: number;

  @Column({ type: 'double' })
  confidence: number;

  @Column({ type: 'varchar', length: 20 })
  direction: Direction;

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'text' })
  summaryPl: string;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  snapshotPath: string | null;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  animationPath: string | null;

  /** identity in the camera's scene (AnalysedEvent.key): the event of the next clip that goes on with it updates this row */
  @Column({ type: 'varchar', length: 160, nullable: true })
  sceneKey: string | null;

  /** JSON list of zone names, the main one first */
  @Column({ type: 'text', nullable: true })
  zones: string | null;

  /** longest time one of its objects was in view (loitering: in the zone), seconds */
  @Column({ type: 'double', default: 0 })
  dwellSec: number;

  /** median speed of its objects, analysis-frame pixels per second */
  @Column({ type: 'double', default: 0 })
  speedPxPerSec: number;

  /** made by a re-analysis: never pushed (email, messengers) */
  @Column({ type: 'boolean', default: false })
  silent: boolean;

  /** offset in the clip of the event's best view (its snapshot), null for events written before it was kept */
  @Column({ type: 'double', nullable: true })
  bestSec: number | null;

  // ---- the vision model's description (written by video-to-text's EventDescriptionService)

  /** none: no model (local text only); pending: being described; done; failed (descriptionError says why) */
  @Column({ type: 'varchar', length: 10, default: 'none' })
  descriptionStatus: DescriptionStatus;

  /** the model's short title */
  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  /** the model's summary in English */
  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** the model's summary in Polish, when it gave one */
  @Column({ type: 'text', nullable: true })
  descriptionPl: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  threatLevel: ThreatLevel | null;

  /** JSON array of {label, name, description}: the objects the model saw */
  @Column({ type: 'text', nullable: true })
  descriptionObjects: string | null;

  @Column({ type: 'text', nullable: true })
  descriptionError: string | null;

  /** calls made to the model for this event */
  @Column({ type: 'integer', default: 0 })
  descriptionAttempts: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  descriptionModel: string | null;

  @Column({ ...timestamp, nullable: true })
  describedAt: Date | null;

  /** the worker describing it now (INSTANCE_ID) and since when: a pending claim of a dead worker is taken over */
  @Column({ type: 'varchar', length: 80, nullable: true })
  descriptionWorker: string | null;

  @Column({ ...timestamp, nullable: true })
  descriptionClaimedAt: Date | null;
}

/** Owned by video-to-text: one object followed through a clip (a track). */
@Entity('objects')
@Index(['clipId'])
export class DetectedObjectEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 36 })
  clipId: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  eventId: string | null;

  @Column({ type: 'integer' })
  trackNo: number;

  @Column({ type: 'varchar', length: 40 })
  label: string;

  @Column({ type: 'double' })
  confidence: number;

  @Column({ type: 'double' })
  firstSec: number;

  @Column({ type: 'double' })
  lastSec: number;

  @Column({ type: 'boolean' })
  stationary: boolean;

  /** best box as JSON {x,y,width,height} in analysis-frame pixels */
  @Column({ type: 'text' })
  box: string;

  /** offset in the clip of the best box, null for objects written before it was kept */
  @Column({ type: 'double', nullable: true })
  bestSec: number | null;
}

export type ReanalysisStatus = 'queued' | 'running' | 'done' | 'failed';

/** Owned by video-to-text: a re-run of a camera's analysis over a time range with its current settings. */
@Entity('reanalyses')
@Index(['cameraId', 'createdAt'])
export class ReanalysisEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  /** the camera while this one is queued or running (unique: one at a time per camera), null after */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36, nullable: true })
  activeCameraId: string | null;

  @Column(timestamp)
  fromAt: Date;

  @Column(timestamp)
  toAt: Date;

  @Column({ type: 'varchar', length: 20 })
  status: ReanalysisStatus;

  /** 0..1 */
  @Column({ type: 'double', default: 0 })
  progress: number;

  @Column({ type: 'integer', default: 0 })
  clipCount: number;

  @Column({ type: 'integer', default: 0 })
  clipsDone: number;

  @Column({ type: 'varchar', length: 36, nullable: true })
  requestedBy: string | null;

  /** the settings it ran with (CameraAnalysisSettings JSON) */
  @Column({ type: 'text', nullable: true })
  settings: string | null;

  /** what changed (ReanalysisReport JSON), when done */
  @Column({ type: 'text', nullable: true })
  report: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** the worker running it */
  @Column({ type: 'varchar', length: 80, nullable: true })
  workerId: string | null;

  @Column({ ...timestamp, nullable: true })
  finishedAt: Date | null;

  @Column(timestamp)
  updatedAt: Date;
}

export type MessageKind = 'question' | 'answer' | 'system' | 'error';

/** Owned by the chat app: what people and the system said in a camera's thread (events are read from `events`). */
@Entity('chat_messages')
@Index(['cameraId', 'createdAt'])
export class ChatMessageEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 20 })
  kind: MessageKind;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  authorId: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  authorName: string | null;

  /** JSON array of event ids an answer refers to */
  @Column({ type: 'text', nullable: true })
  eventIds: string | null;

  /** what the message is about (a clip id for analysis errors), to avoid duplicates */
  @Column({ type: 'varchar', length: 80, nullable: true })
  @Index({ unique: true })
  dedupeKey: string | null;
}

export type Channel = 'email' | 'telegram' | 'whatsapp' | 'webhook';

/** Owned by the notifier: who gets pushes of a camera's events, and where. */
@Entity('subscriptions')
@Index(['cameraId'])
export class SubscriptionEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @Column({ type: 'varchar', length: 20 })
  channel: Channel;

  @Column({ type: 'varchar', length: 254 })
  address: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** Owned by the notifier: the delivery ledger; one row per event and subscription, so nothing is sent twice. */
@Entity('deliveries')
@Index(['eventId', 'subscriptionId'], { unique: true })
export class DeliveryEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 36 })
  subscriptionId: string;

  @Column({ type: 'varchar', length: 20 })
  channel: Channel;

  @Column({ type: 'varchar', length: 20 })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ ...timestamp, nullable: true })
  sentAt: Date | null;
}

/** Written by every producer in the same transaction as its data; the bus relay publishes it. */
@Entity('outbox')
@Index(['publishedAt', 'createdAt'])
export class OutboxEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 40 })
  producer: string;

  @Column({ type: 'varchar', length: 200 })
  topic: string;

  @Column({ type: 'text' })
  payload: string;

  @Column({ ...timestamp, nullable: true })
  publishedAt: Date | null;
}

export type IntegrationKind = 'vision-model';

/**
 * Owned by the admin app: a project's connection to an external system. `vision-model`: any
 * OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, LM Studio) that describes events.
 */
@Entity('project_integrations')
@Index(['projectId', 'kind'], { unique: true })
export class ProjectIntegrationEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  projectId: string;

  @Column({ type: 'varchar', length: 40 })
  kind: IntegrationKind;

  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 */
  @Column({ type: 'varchar', length: 500 })
  baseUrl: string;

  @Column({ type: 'varchar', length: 200 })
  model: string;

  /** AES-256-GCM sealed API key (see @cameramonit/auth SecretBox), null = none (local servers) */
  @Column({ type: 'text', nullable: true })
  apiKeySealed: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** JSON of VisionModelOptions (maxImages, timeoutSec, maxAttempts) */
  @Column({ type: 'text', nullable: true })
  options: string | null;

  @Column(timestamp)
  updatedAt: Date;
}

/**
 * The token ledger: one row per call to a project's model (video-to-text for event descriptions,
 * chat for period summaries), with what it cost and how it ended.
 */
@Entity('model_usage')
@Index(['projectId', 'createdAt'])
export class ModelUsageEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  projectId: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  cameraId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  eventId: string | null;

  @Column({ type: 'varchar', length: 20 })
  purpose: ModelCallPurpose;

  @Column({ type: 'varchar', length: 200 })
  model: string;

  @Column({ type: 'integer', default: 0 })
  promptTokens: number;

  @Column({ type: 'integer', default: 0 })
  completionTokens: number;

  @Column({ type: 'varchar', length: 20 })
  outcome: ModelCallOutcome;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'integer', default: 0 })
  durationMs: number;
}

/** Owned by the chat app: the supervisor's names for known objects of a camera ("the postman", "our van"). */
@Entity('object_names')
@Index(['cameraId'])
export class ObjectNameEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 80 })
  name: string;

  /** the COCO label it is (person, car, truck, dog...) */
  @Column({ type: 'varchar', length: 40 })
  label: string;

  /** how to recognise it: "red van with a white ladder on the roof" */
  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy: string | null;

  @Column(timestamp)
  updatedAt: Date;
}

export const platformEntities = [
  UserEntity,
  CameraGrantEntity,
  ProjectEntity,
  CameraEntity,
  ClipEntity,
  AnalysisEntity,
  EventEntity,
  DetectedObjectEntity,
  ReanalysisEntity,
  ChatMessageEntity,
  SubscriptionEntity,
  DeliveryEntity,
  OutboxEntity,
  ProjectIntegrationEntity,
  ModelUsageEntity,
  ObjectNameEntity,
  ...pluginEntities,
  ...intakeEntities,
  ...liveEntities,
];
