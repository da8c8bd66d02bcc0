import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** The installer's registry database. */
export class InitialRegistry1763780000001 implements MigrationInterface {
  name = 'InitialRegistry1763780000001';

  async up(q: QueryRunner): Promise<void> {
    const created = col.createdAt();
    await q.createTable(
      new Table({
        name: 'registry_cameras',
        columns: [
          col.id(), created, col.varchar('name', 120), col.varchar('address', 1024), col.varchar('username', 120, true), col.text('passwordSealed', true),
          col.varchar('channel', 40), col.uuid('createdBy', true), col.text('notes', true),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('registry_cameras');
  }
}
