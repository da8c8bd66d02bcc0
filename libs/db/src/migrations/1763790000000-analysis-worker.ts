import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** video-to-text: which worker holds an analysis, so a restarted worker takes its own back at once. */
export class AnalysisWorker1763790000000 implements MigrationInterface {
  name = 'AnalysisWorker1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('analyses', new TableColumn({ name: 'workerId', type: 'varchar', length: '80', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('analyses', 'workerId');
  }
}
