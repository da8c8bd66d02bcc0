import { Column, Entity, Index } from 'typeorm';
import type { CameraLiveState } from '@cameramonit/contracts';
import { BaseEntity, timestamp } from './columns.js';

/**
 * Owned by the recorder: how the recording of one camera goes (one row per camera it records or
 * recorded). Kept so that a recorder that restarts knows what it last told people (no second
 * "offline" message, and "back online after 3 min" counts from when it really went).
 */
@Entity('camera_recordings')
export class CameraRecordingEntity extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 20 })
  state: CameraLiveState;

  /** what is wrong, for people (never a password) */
  @Column({ type: 'text', nullable: true })
  message: string | null;

  /** since when the camera is in this state */
  @Column(timestamp)
  since: Date;

  @Column({ ...timestamp, nullable: true })
  lastClipAt: Date | null;

  /** the stream's codec as MediaSource names it (avc1.64001f), and its picture size */
  @Column({ type: 'varchar', length: 40, nullable: true })
  codec: string | null;

  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

  /** the recorder (RECORDER_ID) that wrote this state; null: written before recorders said so */
  @Column({ type: 'varchar', length: 64, nullable: true })
  recorderId: string | null;

  @Column(timestamp)
  updatedAt: Date;
}

/**
 * Owned by the chat app: a link that lets someone without an account watch a camera's recording
 * of a time range until it expires. Only a hash of the link's secret is kept.
 */
@Entity('clip_shares')
@Index(['cameraId', 'createdAt'])
export class ClipShareEntity extends BaseEntity {
  /** SHA-256 (hex) of the secret in the link */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column(timestamp)
  fromAt: Date;

  @Column(timestamp)
  toAt: Date;

  @Column(timestamp)
  expiresAt: Date;

  /** what the person who made it wrote ("the delivery at the gate") */
  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  @Column({ type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ ...timestamp, nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  views: number;
}

/**
 * Owned by the recorders: one row per recorder (RECORDER_ID), written by that recorder every few
 * seconds: where the other apps reach it and its video devices. The chat and the worker look up a
 * camera's recorder here for its live picture; the admin page offers its devices for webcams.
 */
@Entity('recorders')
export class RecorderEntity extends BaseEntity {
  /** RECORDER_ID ("main", "front-desk") */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 40 })
  recorderId: string;

  /** RECORDER_PUBLIC_URL */
  @Column({ type: 'varchar', length: 255 })
  url: string;

  @Column({ type: 'varchar', length: 255 })
  hostname: string;

  /** VideoDeviceView[] as JSON */
  @Column({ type: 'text' })
  devices: string;

  @Column(timestamp)
  startedAt: Date;

  @Column(timestamp)
  lastSeenAt: Date;
}

export const liveEntities = [CameraRecordingEntity, ClipShareEntity, RecorderEntity];
