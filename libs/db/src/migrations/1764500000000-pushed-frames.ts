import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { col } from './columns.js';

/** admin: device push tokens of cameras; recorder: recordings made of pushed JPEG frames (docs/pushed-frames.md). */
export class PushedFrames1764500000000 implements MigrationInterface {
  name = 'PushedFrames1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'camera_push_tokens',
        columns: [col.id(), col.createdAt(), col.uuid('cameraId'), col.varchar('name', 120), col.uuid('createdBy', true), col.datetime('lastUsedAt', true), col.datetime('revokedAt', true)],
      }),
    );
    await q.createIndex('camera_push_tokens', new TableIndex({ columnNames: ['cameraId'] }));
    await q.createTable(
      new Table({
        name: 'camera_pushes',
        columns: [
          col.id(), col.createdAt(), col.uuid('cameraId'), col.uuid('openCameraId', true), col.varchar('status', 20), col.double('fps'),
          { ...col.int('width'), isNullable: true }, { ...col.int('height'), isNullable: true }, col.int('frameCount', 0), { ...col.bigint('totalBytes'), default: 0 },
          col.int('resizedFrames', 0), col.datetime('firstFrameAt', true), col.datetime('lastActivityAt'), col.varchar('createdBy', 80), col.varchar('createdByName', 120),
          col.uuid('clipId', true), col.varchar('errorCode', 40, true), col.text('error', true), col.datetime('finishedAt', true), col.datetime('updatedAt'),
        ],
      }),
    );
    await q.createIndex('camera_pushes', new TableIndex({ columnNames: ['openCameraId'], isUnique: true }));
    await q.createIndex('camera_pushes', new TableIndex({ columnNames: ['cameraId', 'createdAt'] }));
    await q.createIndex('camera_pushes', new TableIndex({ columnNames: ['status', 'lastActivityAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('camera_pushes');
    await q.dropTable('camera_push_tokens');
  }
}
