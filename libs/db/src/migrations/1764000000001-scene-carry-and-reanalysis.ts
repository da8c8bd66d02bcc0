import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/**
 * video-to-text: events keep their scene key (an event that goes on in the camera's next clip
 * updates its row), zones, dwell, speed, and whether they may be pushed; an analysis keeps the
 * scene at its clip's end and the settings it used; re-analyses of a camera's time range.
 */
export class SceneCarryAndReanalysis1764000000001 implements MigrationInterface {
  name = 'SceneCarryAndReanalysis1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('events', [
      new TableColumn(col.varchar('sceneKey', 160, true)),
      new TableColumn(col.text('zones', true)),
      new TableColumn(col.double('dwellSec', 0)),
      new TableColumn(col.double('speedPxPerSec', 0)),
      new TableColumn(col.bool('silent', false)),
    ]);
    await q.createIndex('events', new TableIndex({ columnNames: ['cameraId', 'sceneKey'] }));
    await q.addColumns('analyses', [new TableColumn(col.text('sceneState', true)), new TableColumn(col.text('settings', true))]);
    await q.createTable(
      new Table({
        name: 'reanalyses',
        columns: [
          col.id(), col.createdAt(), col.uuid('cameraId'), col.uuid('activeCameraId', true), col.datetime('fromAt'), col.datetime('toAt'),
          col.varchar('status', 20), col.double('progress', 0), col.int('clipCount', 0), col.int('clipsDone', 0), col.uuid('requestedBy', true),
          col.text('settings', true), col.text('report', true), col.varchar('errorCode', 40, true), col.text('error', true),
          col.varchar('workerId', 80, true), col.datetime('finishedAt', true), col.datetime('updatedAt'),
        ],
      }),
    );
    await q.createIndex('reanalyses', new TableIndex({ columnNames: ['cameraId', 'createdAt'] }));
    await q.createIndex('reanalyses', new TableIndex({ columnNames: ['activeCameraId'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('reanalyses');
    await q.dropColumn('analyses', 'settings');
    await q.dropColumn('analyses', 'sceneState');
    const events = await q.getTable('events');
    const index = events?.indices.find((i) => i.columnNames.length === 2 && i.columnNames.includes('sceneKey'));
    if (index) await q.dropIndex('events', index);
    for (const name of ['silent', 'speedPxPerSec', 'dwellSec', 'zones', 'sceneKey']) await q.dropColumn('events', name);
  }
}
