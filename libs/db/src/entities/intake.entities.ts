import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, timestamp } from './columns.js';

/**
 * Owned by the admin app: a long-lived token a device uses to push JPEG frames to one camera
 * (docs/pushed-frames.md). The token itself is a signed JWT (role `device`, subject
 * `push-token:<id>`) shown once when it is made; only its id is kept, so nothing here opens it.
 * Revoked tokens stop working at once (the recorder checks this row on every push).
 */
@Entity('camera_push_tokens')
@Index(['cameraId'])
export class CameraPushTokenEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  /** what the admin called it: "Gate ESP32", "Inteli unit 3" */
  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy: string | null;

  @Column({ ...timestamp, nullable: true })
  lastUsedAt: Date | null;

  @Column({ ...timestamp, nullable: true })
  revokedAt: Date | null;
}

export type PushStatus = 'recording' | 'assembling' | 'stored' | 'failed' | 'expired';

/**
 * Owned by the recorder: one recording made of pushed JPEG frames (a device, or a browser's
 * webcam). Its frames wait on the recorder's disk until it is finished (assembled into an MP4
 * and stored as a clip) or expires (frames deleted).
 */
@Entity('camera_pushes')
@Index(['cameraId', 'createdAt'])
@Index(['status', 'lastActivityAt'])
export class CameraPushEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  /** the camera's id while the push is open (recording or assembling), else null: one open push per camera */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36, nullable: true })
  openCameraId: string | null;

  @Column({ type: 'varchar', length: 20 })
  status: PushStatus;

  @Column({ type: 'double' })
  fps: number;

  /** size of the video; null until the first frame when the push did not say */
  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

  @Column({ type: 'integer', default: 0 })
  frameCount: number;

  @Column({ type: 'bigint', default: 0 })
  totalBytes: string;

  /** frames of another size than the video's, fitted in */
  @Column({ type: 'integer', default: 0 })
  resizedFrames: number;

  /** capture time of the first frame (the device's, when it sent one), the clip's start */
  @Column({ ...timestamp, nullable: true })
  firstFrameAt: Date | null;

  @Column(timestamp)
  lastActivityAt: Date;

  /** user id, or push-token:<id> for a device */
  @Column({ type: 'varchar', length: 80 })
  createdBy: string;

  /** the person's name or the device token's name, for the clip's name */
  @Column({ type: 'varchar', length: 120 })
  createdByName: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  clipId: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ ...timestamp, nullable: true })
  finishedAt: Date | null;

  @Column(timestamp)
  updatedAt: Date;
}

export const intakeEntities = [CameraPushTokenEntity, CameraPushEntity];
