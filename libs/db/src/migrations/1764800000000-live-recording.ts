import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/**
 * Live cameras: the recorder's state per camera (camera_recordings), the chat's share links
 * (clip_shares), clips deleted by retention (clips.deletedAt, deleteReason) and where a clip had
 * motion (analyses.motionFirstSec, motionLastSec) for motion-only recording.
 */
export class LiveRecording1764800000000 implements MigrationInterface {
  name = 'LiveRecording1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'camera_recordings',
        columns: [
          col.id(), col.createdAt(), col.uuid('cameraId'), col.varchar('state', 20), col.text('message', true), col.datetime('since'), col.datetime('lastClipAt', true),
          col.varchar('codec', 40, true), { ...col.int('width'), isNullable: true }, { ...col.int('height'), isNullable: true }, col.datetime('updatedAt'),
        ],
      }),
    );
    await q.createIndex('camera_recordings', new TableIndex({ columnNames: ['cameraId'], isUnique: true }));
    await q.createTable(
      new Table({
        name: 'clip_shares',
        columns: [
          col.id(), col.createdAt(), col.varchar('tokenHash', 64), col.uuid('cameraId'), col.datetime('fromAt'), col.datetime('toAt'), col.datetime('expiresAt'),
          col.varchar('title', 200, true), col.uuid('createdBy'), col.datetime('revokedAt', true), col.int('views', 0),
        ],
      }),
    );
    await q.createIndex('clip_shares', new TableIndex({ columnNames: ['tokenHash'], isUnique: true }));
    await q.createIndex('clip_shares', new TableIndex({ columnNames: ['cameraId', 'createdAt'] }));
    await q.addColumn('clips', new TableColumn(col.datetime('deletedAt', true)));
    await q.addColumn('clips', new TableColumn(col.varchar('deleteReason', 20, true)));
    await q.addColumn('analyses', new TableColumn({ ...col.double('motionFirstSec'), isNullable: true }));
    await q.addColumn('analyses', new TableColumn({ ...col.double('motionLastSec'), isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('analyses', 'motionLastSec');
    await q.dropColumn('analyses', 'motionFirstSec');
    await q.dropColumn('clips', 'deleteReason');
    await q.dropColumn('clips', 'deletedAt');
    await q.dropTable('clip_shares');
    await q.dropTable('camera_recordings');
  }
}
