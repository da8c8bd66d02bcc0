import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseTarget } from '@cameramonit/config';
import { openPlatformDatabase } from '@cameramonit/db';

/**
 * Fresh, migrated platform databases for integration tests: SQLite, or MariaDB when
 * TEST_DATABASE_URL is set (CI's second pass; the first pass ran them on SQLite already).
 */
export function testDatabaseKinds(): ('sqlite' | 'mariadb')[] {
  return process.env.TEST_DATABASE_URL ? ['mariadb'] : ['sqlite'];
}

export async function openTestDatabase(kind: 'sqlite' | 'mariadb'): Promise<{ db: DataSource; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'cm-it-db-'));
    const target: DatabaseTarget = { kind: 'sqlite', location: join(folder, 'platform.sqlite') };
    const db = await openPlatformDatabase(target);
    return {
      db,
      async drop() {
        await db.destroy();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const server = (process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
  const database = `cm_it_${randomUUID().slice(0, 8)}`;
  const db = await openPlatformDatabase({ kind: 'mysql', location: `${server}/${database}`, database });
  return {
    db,
    async drop() {
      await db.destroy();
      const admin = new DataSource({ type: 'mysql', url: server });
      await admin.initialize();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.destroy();
    },
  };
}
