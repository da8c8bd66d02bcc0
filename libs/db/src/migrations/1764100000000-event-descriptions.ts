import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/**
 * Descriptions by a vision model: admin's `project_integrations`, the `model_usage` token ledger,
 * chat's `object_names` (the supervisor's names), the description columns of `events`, and what
 * the describer needs to cut frames (events/objects `bestSec`, the analysis frame size).
 */
export class EventDescriptions1764100000000 implements MigrationInterface {
  name = 'EventDescriptions1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const created = col.createdAt();
    await q.createTable(
      new Table({
        name: 'project_integrations',
        columns: [
          col.id(), created, col.uuid('projectId'), col.varchar('kind', 40), col.varchar('baseUrl', 500), col.varchar('model', 200),
          col.text('apiKeySealed', true), col.bool('enabled', true), col.text('options', true), col.datetime('updatedAt'),
        ],
      }),
    );
    await q.createIndex('project_integrations', new TableIndex({ columnNames: ['projectId', 'kind'], isUnique: true }));
    await q.createTable(
      new Table({
        name: 'model_usage',
        columns: [
          col.id(), created, col.uuid('projectId'), col.uuid('cameraId', true), col.uuid('eventId', true), col.varchar('purpose', 20), col.varchar('model', 200),
          col.int('promptTokens', 0), col.int('completionTokens', 0), col.varchar('outcome', 20), col.text('error', true), col.int('durationMs', 0),
        ],
      }),
    );
    await q.createIndex('model_usage', new TableIndex({ columnNames: ['projectId', 'createdAt'] }));
    await q.createTable(
      new Table({
        name: 'object_names',
        columns: [
          col.id(), created, col.uuid('cameraId'), col.varchar('name', 80), col.varchar('label', 40), col.text('description'), col.uuid('createdBy', true),
          col.datetime('updatedAt'),
        ],
      }),
    );
    await q.createIndex('object_names', new TableIndex({ columnNames: ['cameraId'] }));
    await q.addColumns('events', [
      new TableColumn({ name: 'bestSec', type: 'double', isNullable: true }),
      new TableColumn({ name: 'descriptionStatus', type: 'varchar', length: '10', default: "'none'" }),
      new TableColumn(col.varchar('title', 200, true)),
      new TableColumn(col.text('description', true)),
      new TableColumn(col.text('descriptionPl', true)),
      new TableColumn(col.varchar('threatLevel', 10, true)),
      new TableColumn(col.text('descriptionObjects', true)),
      new TableColumn(col.text('descriptionError', true)),
      new TableColumn(col.int('descriptionAttempts', 0)),
      new TableColumn(col.varchar('descriptionModel', 200, true)),
      new TableColumn(col.datetime('describedAt', true)),
      new TableColumn(col.varchar('descriptionWorker', 80, true)),
      new TableColumn(col.datetime('descriptionClaimedAt', true)),
    ]);
    await q.addColumn('objects', new TableColumn({ name: 'bestSec', type: 'double', isNullable: true }));
    await q.addColumns('analyses', [
      new TableColumn({ name: 'frameWidth', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'frameHeight', type: 'integer', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('analyses', ['frameWidth', 'frameHeight']);
    await q.dropColumn('objects', 'bestSec');
    await q.dropColumns('events', [
      'bestSec', 'descriptionStatus', 'title', 'description', 'descriptionPl', 'threatLevel', 'descriptionObjects', 'descriptionError',
      'descriptionAttempts', 'descriptionModel', 'describedAt', 'descriptionWorker', 'descriptionClaimedAt',
    ]);
    await q.dropTable('object_names');
    await q.dropTable('model_usage');
    await q.dropTable('project_integrations');
  }
}
