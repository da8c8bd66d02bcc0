import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** admin: each camera's analysis settings (CameraAnalysisSettings as JSON; null = the defaults). */
export class CameraAnalysisSettings1763800000000 implements MigrationInterface {
  name = 'CameraAnalysisSettings1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('cameras', new TableColumn(col.text('analysisSettings', true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('cameras', 'analysisSettings');
  }
}
