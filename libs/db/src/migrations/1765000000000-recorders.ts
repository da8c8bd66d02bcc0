import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** Several recorders: each says who it is and what devices it has (recorders); a camera names its recorder (cameras.recorderId). */
export class Recorders1765000000000 implements MigrationInterface {
  name = 'Recorders1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'recorders',
        columns: [col.id(), col.createdAt(), col.varchar('recorderId', 40), col.varchar('url', 255), col.varchar('hostname', 255), col.text('devices'), col.datetime('startedAt'), col.datetime('lastSeenAt')],
      }),
    );
    await q.createIndex('recorders', new TableIndex({ columnNames: ['recorderId'], isUnique: true }));
    await q.addColumn('cameras', new TableColumn(col.varchar('recorderId', 40, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('cameras', 'recorderId');
    await q.dropTable('recorders');
  }
}
