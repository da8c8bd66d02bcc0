import { randomUUID } from 'node:crypto';
import { Column, EventSubscriber, PrimaryColumn, type EntitySubscriberInterface, type InsertEvent, type UpdateEvent } from 'typeorm';

/** Millisecond timestamps in UTC on both SQLite and MariaDB. */
export const timestamp = { type: 'datetime', precision: 3 } as const;

/**
 * Base of every entity: a UUID primary key and a creation time, both set in code by
 * {@link IdentitySubscriber} (so they are the same on every database, to the millisecond).
 */
export abstract class BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column(timestamp)
  createdAt: Date;
}

/** Fills `id`, `createdAt` and `updatedAt` on insert (also for plain objects), `updatedAt` on update. */
@EventSubscriber()
export class IdentitySubscriber implements EntitySubscriberInterface {
  beforeInsert(event: InsertEvent<Record<string, unknown>>): void {
    const entity = event.entity;
    if (!entity) return;
    const columns = new Set(event.metadata.columns.map((c) => c.propertyName));
    if (columns.has('id') && !entity.id) entity.id = randomUUID();
    const now = new Date();
    if (columns.has('createdAt') && !entity.createdAt) entity.createdAt = now;
    if (columns.has('updatedAt') && !entity.updatedAt) entity.updatedAt = now;
  }

  beforeUpdate(event: UpdateEvent<Record<string, unknown>>): void {
    const entity = event.entity;
    if (entity && event.metadata.columns.some((c) => c.propertyName === 'updatedAt')) entity.updatedAt = new Date();
  }
}
