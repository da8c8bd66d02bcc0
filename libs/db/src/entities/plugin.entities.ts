import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, timestamp } from './columns.js';

export type PluginRequestStatus = 'pending' | 'sent' | 'done' | 'failed';

/** Owned by the plugin host: one event sent to one analyser plugin (unique, so it is sent once). */
@Entity('plugin_requests')
@Index(['plugin', 'eventId'], { unique: true })
@Index(['status', 'updatedAt'])
export class PluginRequestEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 40 })
  plugin: string;

  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 20 })
  status: PluginRequestStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** PLUGIN_TIMEOUT, PLUGIN_CRASHED, PLUGIN_ERROR, INVALID_RESULT, ... */
  @Column({ type: 'varchar', length: 40, nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** from sending to the answer */
  @Column({ type: 'integer', nullable: true })
  durationMs: number | null;

  @Column({ ...timestamp, nullable: true })
  finishedAt: Date | null;

  @Column(timestamp)
  updatedAt: Date;
}

/** Owned by the plugin host: a feature of an event a plugin found, e.g. clothingColour = red. */
@Entity('event_features')
@Index(['eventId', 'plugin', 'key'], { unique: true })
export class EventFeatureEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 40 })
  plugin: string;

  @Column({ type: 'varchar', length: 60 })
  key: string;

  /** the value as text; `valueType` says how to read it */
  @Column({ type: 'varchar', length: 200 })
  value: string;

  @Column({ type: 'varchar', length: 10 })
  valueType: 'string' | 'number' | 'boolean';
}

/** Owned by the plugin host: an annotated image a plugin made for an event, stored next to the clip. */
@Entity('event_images')
@Index(['eventId'])
export class EventImageEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 40 })
  plugin: string;

  /** path in the clip store */
  @Column({ type: 'varchar', length: 1024 })
  path: string;

  @Column({ type: 'varchar', length: 40 })
  contentType: string;

  @Column({ type: 'integer' })
  width: number;

  @Column({ type: 'integer' })
  height: number;

  @Column({ type: 'integer' })
  sizeBytes: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  caption: string | null;
}

/** Owned by the plugin host: an object a plugin found in an event (box normalised to the frame). */
@Entity('plugin_objects')
@Index(['eventId'])
export class PluginObjectEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 36 })
  cameraId: string;

  @Column({ type: 'varchar', length: 40 })
  plugin: string;

  @Column({ type: 'varchar', length: 40 })
  label: string;

  @Column({ type: 'double' })
  confidence: number;

  /** seconds from the clip's start, when the plugin said */
  @Column({ type: 'double', nullable: true })
  sec: number | null;

  /** {x,y,width,height} normalised 0..1, as JSON */
  @Column({ type: 'text' })
  box: string;
}

/** Owned by the plugin host: an event a plugin returned (a row of `events` with kind 'plugin') and the event it came from. */
@Entity('plugin_events')
@Index(['sourceEventId'])
export class PluginEventEntity extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 36 })
  sourceEventId: string;

  @Column({ type: 'varchar', length: 40 })
  plugin: string;
}

export const pluginEntities = [PluginRequestEntity, EventFeatureEntity, EventImageEntity, PluginObjectEntity, PluginEventEntity];
