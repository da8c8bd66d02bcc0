import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** admin: where each camera's video comes from (CameraSourceView) and how long its clips are kept. */
export class CameraSources1764300000000 implements MigrationInterface {
  name = 'CameraSources1764300000000';

  private readonly columns = [
    col.varchar('sourceKind', 20),
    col.varchar('sourceUrl', 1024, true),
    col.varchar('subStreamUrl', 1024, true),
    col.varchar('sourceTransport', 5),
    col.varchar('sourceUsername', 120, true),
    col.text('sourcePasswordSealed', true),
    col.double('snapshotFps', 2),
    col.varchar('recordMode', 20),
    col.int('motionPaddingSec', 5),
    col.int('eventRetentionDays', 7),
  ];

  async up(q: QueryRunner): Promise<void> {
    const defaults: Record<string, string> = { sourceKind: "'none'", sourceTransport: "'tcp'", recordMode: "'continuous'" };
    for (const column of this.columns) {
      const withDefault = defaults[column.name] ? { ...column, default: defaults[column.name] } : column;
      await q.addColumn('cameras', new TableColumn(withDefault));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of [...this.columns].reverse()) await q.dropColumn('cameras', column.name);
  }
}
