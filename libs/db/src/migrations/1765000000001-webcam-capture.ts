import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** Webcams: the picture size and frame rate asked of the device (null: its current ones). */
export class WebcamCapture1765000000001 implements MigrationInterface {
  name = 'WebcamCapture1765000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('cameras', new TableColumn(col.varchar('captureSize', 20, true)));
    await q.addColumn('cameras', new TableColumn({ name: 'captureFps', type: 'double', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('cameras', 'captureFps');
    await q.dropColumn('cameras', 'captureSize');
  }
}
