import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import type { DatabaseTarget } from '@cameramonit/config';
import { EventEntity, UserEntity } from './entities/platform.entities.js';
import { openPlatformDatabase, openRegistryDatabase } from './data-source.js';

const MARIADB_URL = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306';
const tmp = mkdtempSync(join(tmpdir(), 'cm-db-'));
const created: string[] = [];

function targets(): [string, () => DatabaseTarget][] {
  return [
    ['sqlite', () => ({ kind: 'sqlite', location: join(tmp, `${randomUUID()}.sqlite`) })],
    [
      'mariadb',
      () => {
        const database = `cm_test_${randomUUID().slice(0, 8)}`;
        created.push(database);
        return { kind: 'mysql', location: `${MARIADB_URL}/${database}`, database };
      },
    ],
  ];
}

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  if (!created.length) return;
  const admin = new DataSource({ type: 'mysql', url: MARIADB_URL });
  await admin.initialize();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.destroy();
});

describe.each(targets())('platform database on %s', (_name, makeTarget) => {
  it('migrates from nothing to a schema that matches the entities exactly, and back down', async () => {
    const target = makeTarget();
    const ds = await openPlatformDatabase(target);
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      // opening again (another app booting) runs nothing and keeps data
      await ds.getRepository(UserEntity).save({ email: 'a@b.c', displayName: 'A', role: 'admin', passwordHash: 'x' });
      const again = await openPlatformDatabase(target);
      expect(await again.getRepository(UserEntity).count()).toBe(1);
      await again.destroy();
      // every migration is reversible
      for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration();
      expect(await ds.createQueryRunner().hasTable('users')).toBe(false);
    } finally {
      await ds.destroy();
    }
  });

  it('stores millisecond UTC timestamps', async () => {
    const ds = await openPlatformDatabase(makeTarget());
    try {
      const startedAt = new Date('2026-11-22T22:15:30.123Z');
      const saved = await ds.getRepository(EventEntity).save({
        cameraId: randomUUID(), clipId: randomUUID(), kind: 'object', label: 'person', count: 2, startedAt, endedAt: new Date(startedAt.getTime() + 4000),
        startSec: 1.5, endSec: 5.5, confidence: 0.71, direction: 'right-to-left', summary: '2 people walked from right to left', summaryPl: '2 osoby przeszły z prawej do lewej',
        snapshotPath: null, animationPath: null,
      });
      const read = await ds.getRepository(EventEntity).findOneByOrFail({ id: saved.id });
      expect(read.startedAt.toISOString()).toBe('2026-11-22T22:15:30.123Z');
      expect(read.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(read.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await ds.destroy();
    }
  });

  it('lets several apps boot at once without racing migrations', async () => {
    const target = makeTarget();
    const all = await Promise.all([openPlatformDatabase(target), openPlatformDatabase(target), openPlatformDatabase(target)]);
    const [{ count }] = (await all[0].query('SELECT COUNT(*) AS count FROM migrations')) as { count: number | string }[];
    expect(Number(count)).toBe(all[0].migrations.length);
    await Promise.all(all.map((ds) => ds.destroy()));
  });
});

describe('platform database on sqlite, shared by several apps (processes)', () => {
  it("lets a transaction that read first write after another app's write, instead of failing with 'database is locked'", async () => {
    const target: DatabaseTarget = { kind: 'sqlite', location: join(tmp, `${randomUUID()}.sqlite`) };
    const ds = await openPlatformDatabase(target);
    try {
      await ds.query('CREATE TABLE probe (writer TEXT NOT NULL)');
      // another app: its own process and connection, writing while this app's transaction is open
      const script = `import Database from 'better-sqlite3';
        const db = new Database(${JSON.stringify(target.location)}, { timeout: 15000 });
        console.log('writing');
        db.prepare("INSERT INTO probe (writer) VALUES ('other app')").run();
        db.close();`;
      let other: Promise<{ code: number | null; stderr: string }> = Promise.resolve({ code: null, stderr: 'not started' });
      await ds.transaction(async (manager) => {
        await manager.query('SELECT COUNT(*) AS n FROM probe');
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        other = once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
        await once(child.stdout, 'data');
        // its write lands now, or waits for this transaction (as it should): either way this app writes next
        await Promise.race([other, sleep(500)]);
        await manager.query("INSERT INTO probe (writer) VALUES ('this app')");
      });
      expect(await other).toEqual({ code: 0, stderr: '' });
      const rows = (await ds.query('SELECT writer FROM probe ORDER BY writer')) as { writer: string }[];
      expect(rows.map((row) => row.writer)).toEqual(['other app', 'this app']);
    } finally {
      await ds.destroy();
    }
  });
});

describe.each(targets())('registry database on %s', (_name, makeTarget) => {
  it('migrates to a schema matching its entities', async () => {
    const ds = await openRegistryDatabase(makeTarget());
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    await ds.destroy();
  });
});
