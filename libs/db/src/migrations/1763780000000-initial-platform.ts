import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** Stage 1 schema. Each table names the app that owns (writes) it. */
export class InitialPlatform1763780000000 implements MigrationInterface {
  name = 'InitialPlatform1763780000000';

  async up(q: QueryRunner): Promise<void> {
    const created = col.createdAt();
    const tables: { table: Table; indices: TableIndex[] }[] = [
      // manager
      {
        table: new Table({ name: 'users', columns: [col.id(), created, col.varchar('email', 254), col.varchar('displayName', 120), col.varchar('role', 20), col.varchar('passwordHash', 255)] }),
        indices: [new TableIndex({ columnNames: ['email'], isUnique: true })],
      },
      {
        table: new Table({ name: 'camera_grants', columns: [col.id(), created, col.uuid('userId'), col.uuid('cameraId')] }),
        indices: [new TableIndex({ columnNames: ['userId', 'cameraId'], isUnique: true })],
      },
      // admin
      {
        table: new Table({ name: 'projects', columns: [col.id(), created, col.varchar('slug', 63), col.varchar('name', 120)] }),
        indices: [new TableIndex({ columnNames: ['slug'], isUnique: true })],
      },
      {
        table: new Table({
          name: 'cameras',
          columns: [
            col.id(), created, col.uuid('projectId'), col.varchar('slug', 63), col.varchar('name', 120), col.uuid('registryCameraId', true),
            col.int('bufferSeconds', 5), col.int('maxRecordMinutes', 60), col.int('animationSeconds', 4), col.bool('enabled', true),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['projectId', 'slug'], isUnique: true })],
      },
      // storage
      {
        table: new Table({
          name: 'clips',
          columns: [
            col.id(), created, col.uuid('cameraId'), col.varchar('path', 1024), col.varchar('source', 20), col.varchar('originalName', 255, true),
            col.bigint('sizeBytes'), col.double('durationSec'), col.int('width'), col.int('height'), col.datetime('startedAt'), col.uuid('uploadedBy', true),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['cameraId', 'startedAt'] })],
      },
      // video-to-text
      {
        table: new Table({
          name: 'analyses',
          columns: [
            col.id(), created, col.uuid('clipId'), col.uuid('cameraId'), col.varchar('status', 20), col.double('progress', 0), col.varchar('errorCode', 40, true),
            col.text('error', true), col.varchar('playablePath', 1024, true), col.int('attempts', 0), col.datetime('finishedAt', true),
            col.datetime('updatedAt'),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['clipId'], isUnique: true })],
      },
      {
        table: new Table({
          name: 'events',
          columns: [
            col.id(), created, col.uuid('cameraId'), col.uuid('clipId'), col.varchar('kind', 20), col.varchar('label', 40), col.int('count'),
            col.datetime('startedAt'), col.datetime('endedAt'), col.double('startSec'), col.double('endSec'), col.double('confidence'),
            col.varchar('direction', 20), col.text('summary'), col.text('summaryPl'), col.varchar('snapshotPath', 1024, true), col.varchar('animationPath', 1024, true),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['cameraId', 'startedAt'] }), new TableIndex({ columnNames: ['clipId'] })],
      },
      {
        table: new Table({
          name: 'objects',
          columns: [
            col.id(), created, col.uuid('cameraId'), col.uuid('clipId'), col.uuid('eventId', true), col.int('trackNo'), col.varchar('label', 40),
            col.double('confidence'), col.double('firstSec'), col.double('lastSec'), col.bool('stationary'), col.text('box'),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['clipId'] })],
      },
      // chat
      {
        table: new Table({
          name: 'chat_messages',
          columns: [
            col.id(), created, col.uuid('cameraId'), col.varchar('kind', 20), col.text('text'), col.uuid('authorId', true), col.varchar('authorName', 120, true),
            col.text('eventIds', true), col.varchar('dedupeKey', 80, true),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['cameraId', 'createdAt'] }), new TableIndex({ columnNames: ['dedupeKey'], isUnique: true })],
      },
      // notifier
      {
        table: new Table({
          name: 'subscriptions',
          columns: [col.id(), created, col.uuid('cameraId'), col.uuid('userId', true), col.varchar('channel', 20), col.varchar('address', 254), col.bool('enabled', true)],
        }),
        indices: [new TableIndex({ columnNames: ['cameraId'] })],
      },
      {
        table: new Table({
          name: 'deliveries',
          columns: [
            col.id(), created, col.uuid('eventId'), col.uuid('subscriptionId'), col.varchar('channel', 20), col.varchar('status', 20), col.int('attempts', 0),
            col.text('error', true), col.datetime('sentAt', true),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['eventId', 'subscriptionId'], isUnique: true })],
      },
      // bus (every producer)
      {
        table: new Table({
          name: 'outbox',
          columns: [col.id(), created, col.varchar('producer', 40), col.varchar('topic', 200), col.text('payload'), col.datetime('publishedAt', true)],
        }),
        indices: [new TableIndex({ columnNames: ['publishedAt', 'createdAt'] })],
      },
    ];
    for (const { table, indices } of tables) {
      await q.createTable(table);
      for (const index of indices) await q.createIndex(table.name, index);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['outbox', 'deliveries', 'subscriptions', 'chat_messages', 'objects', 'events', 'analyses', 'clips', 'cameras', 'projects', 'camera_grants', 'users']) {
      await q.dropTable(name);
    }
  }
}
