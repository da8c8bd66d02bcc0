import { mkdirSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import type { DatabaseTarget } from '@cameramonit/config';
import { IdentitySubscriber } from './entities/columns.js';
import { platformEntities } from './entities/platform.entities.js';
import { registryEntities } from './entities/registry.entities.js';
import { platformMigrations, registryMigrations } from './migrations/index.js';

type EntityList = MixedList<string | Function>;

/** TypeORM options for a target; `synchronize` is never on: the schema comes from migrations. */
export function dataSourceOptions(target: DatabaseTarget, entities: EntityList, migrations: EntityList, mariadb = true): DataSourceOptions {
  if (target.kind === 'sqlite') {
    mkdirSync(dirname(target.location), { recursive: true });
    return {
      type: 'better-sqlite3',
      database: target.location,
      enableWAL: true,
      // several apps (processes) share the file: wait for a writer instead of failing
      timeout: 15_000,
      entities,
      subscribers: [IdentitySubscriber],
      migrations,
      migrationsTableName: 'migrations',
      synchronize: false,
    };
  }
  return {
    // TypeORM reads MariaDB's catalogue differently from MySQL's (e.g. 'NULL' defaults)
    type: mariadb ? 'mariadb' : 'mysql',
    url: target.location,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    entities,
    subscribers: [IdentitySubscriber],
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    poolSize: 10,
  };
}

/** MariaDB/MySQL: create the database when it does not exist yet; tell which server it is. */
async function prepareMysqlServer(target: DatabaseTarget): Promise<{ mariadb: boolean }> {
  if (target.kind !== 'mysql' || !target.database) return { mariadb: true };
  const url = new URL(target.location);
  url.pathname = '/';
  const bootstrap = new DataSource({ type: 'mysql', url: url.toString(), timezone: 'Z' });
  await bootstrap.initialize();
  try {
    const name = target.database.replace(/`/g, '``');
    await bootstrap.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const [row] = (await bootstrap.query('SELECT VERSION() AS version')) as { version: string }[];
    return { mariadb: /mariadb/i.test(row?.version ?? '') };
  } finally {
    await bootstrap.destroy();
  }
}

/**
 * Run pending migrations while holding a lock, so that several apps starting at once
 * (each runs migrations at boot) never race: MariaDB GET_LOCK, SQLite a lock file.
 */
export async function runMigrationsLocked(dataSource: DataSource, target: DatabaseTarget): Promise<void> {
  if (target.kind === 'mysql') {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query("SELECT GET_LOCK('cameramonit_migrations', 120) AS got")) as { got: number | string }[];
      if (Number(row?.got) !== 1) throw new Error('Timed out waiting for another app to finish database migrations');
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await runner.query("SELECT RELEASE_LOCK('cameramonit_migrations')");
      }
    } finally {
      await runner.release();
    }
    return;
  }
  const lockPath = `${target.location}.migrate.lock`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the migration lock ${lockPath} (remove it if no app is starting)`);
      await sleep(100);
    }
  }
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function open_(target: DatabaseTarget, entities: EntityList, migrations: EntityList): Promise<DataSource> {
  const { mariadb } = await prepareMysqlServer(target);
  const dataSource = new DataSource(dataSourceOptions(target, entities, migrations, mariadb));
  await dataSource.initialize();
  if (target.kind === 'sqlite') beginTransactionsImmediately(dataSource);
  await runMigrationsLocked(dataSource, target);
  return dataSource;
}

/**
 * SQLite: a transaction takes the write lock when it begins (BEGIN IMMEDIATE), waiting up to the
 * busy timeout for another app's. TypeORM's BEGIN is deferred: it takes the lock at the first write,
 * and when another app (process) wrote after this transaction first read, SQLite cannot wait (the
 * transaction's snapshot is stale) and fails at once with "database is locked", whatever the timeout.
 * better-sqlite3 gives a data source one query runner, which every transaction uses.
 */
function beginTransactionsImmediately(dataSource: DataSource): void {
  const runner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) => query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest)) as typeof runner.query;
}

/** The platform database, migrated to the latest schema. */
export function openPlatformDatabase(target: DatabaseTarget): Promise<DataSource> {
  return open_(target, platformEntities, platformMigrations);
}

/** The installer's registry database, migrated to the latest schema. */
export function openRegistryDatabase(target: DatabaseTarget): Promise<DataSource> {
  return open_(target, registryEntities, registryMigrations);
}
