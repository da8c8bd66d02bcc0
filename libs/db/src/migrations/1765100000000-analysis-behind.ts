import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** A recorded clip the worker analysed on its key frames only, because it was behind (ANALYSIS_BEHIND_SECONDS). */
export class AnalysisBehind1765100000000 implements MigrationInterface {
  name = 'AnalysisBehind1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('analyses', new TableColumn(col.bool('keyFramesOnly', false)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('analyses', 'keyFramesOnly');
  }
}
