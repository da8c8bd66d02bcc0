import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** camera_recordings: which recorder last said how a camera's recording goes (a camera moved to another recorder starts there afresh). */
export class RecordingRecorder1765200000000 implements MigrationInterface {
  name = 'RecordingRecorder1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('camera_recordings', new TableColumn(col.varchar('recorderId', 64, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('camera_recordings', 'recorderId');
  }
}
