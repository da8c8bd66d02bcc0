import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** plugin host: requests to analyser plugins and what they returned (features, images, objects, events). */
export class AnalyserPlugins1764200000000 implements MigrationInterface {
  name = 'AnalyserPlugins1764200000000';

  async up(q: QueryRunner): Promise<void> {
    const created = col.createdAt();
    const tables: { table: Table; indices: TableIndex[] }[] = [
      {
        table: new Table({
          name: 'plugin_requests',
          columns: [
            col.id(), created, col.varchar('plugin', 40), col.uuid('eventId'), col.uuid('cameraId'), col.varchar('status', 20), col.int('attempts', 0),
            col.varchar('errorCode', 40, true), col.text('error', true), { ...col.int('durationMs'), isNullable: true }, col.datetime('finishedAt', true), col.datetime('updatedAt'),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['plugin', 'eventId'], isUnique: true }), new TableIndex({ columnNames: ['status', 'updatedAt'] })],
      },
      {
        table: new Table({
          name: 'event_features',
          columns: [col.id(), created, col.uuid('eventId'), col.uuid('cameraId'), col.varchar('plugin', 40), col.varchar('key', 60), col.varchar('value', 200), col.varchar('valueType', 10)],
        }),
        indices: [new TableIndex({ columnNames: ['eventId', 'plugin', 'key'], isUnique: true })],
      },
      {
        table: new Table({
          name: 'event_images',
          columns: [
            col.id(), created, col.uuid('eventId'), col.uuid('cameraId'), col.varchar('plugin', 40), col.varchar('path', 1024), col.varchar('contentType', 40),
            col.int('width'), col.int('height'), col.int('sizeBytes'), col.varchar('caption', 200, true),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['eventId'] })],
      },
      {
        table: new Table({
          name: 'plugin_objects',
          columns: [
            col.id(), created, col.uuid('eventId'), col.uuid('cameraId'), col.varchar('plugin', 40), col.varchar('label', 40), col.double('confidence'),
            { ...col.double('sec'), isNullable: true }, col.text('box'),
          ],
        }),
        indices: [new TableIndex({ columnNames: ['eventId'] })],
      },
      {
        table: new Table({ name: 'plugin_events', columns: [col.id(), created, col.uuid('eventId'), col.uuid('sourceEventId'), col.varchar('plugin', 40)] }),
        indices: [new TableIndex({ columnNames: ['eventId'], isUnique: true }), new TableIndex({ columnNames: ['sourceEventId'] })],
      },
    ];
    for (const { table, indices } of tables) {
      await q.createTable(table);
      for (const index of indices) await q.createIndex(table.name, index);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['plugin_events', 'plugin_objects', 'event_images', 'event_features', 'plugin_requests']) await q.dropTable(name);
  }
}
