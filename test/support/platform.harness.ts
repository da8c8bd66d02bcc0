import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import type { DatabaseTarget } from '@cameramonit/config';
import { takePlatformLock, type ReleasePlatformLock } from './platform-lock.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const fixture = (name: string) => join(repoRoot, 'fixtures', name);

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives. */
export async function startSmtpCapture(): Promise<{ port: number; mails: CapturedMail[]; close(): Promise<void> }> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, mails, close: () => new Promise<void>((done) => server.close(() => done())) };
}

export interface PlatformOptions {
  /**
   * first port (plus E2E_PORT_OFFSET); the apps take base+0 .. base+11, FTP passive base+20 .. base+60.
   * Keep it below Linux's ephemeral ports (32768-60999): a connection made meanwhile (another
   * platform's, a camera's) may take any of those.
   */
  portBase: number;
  env?: Record<string, string>;
  /**
   * false: an embedded broker of its own even when TEST_MQTT_URL is set (a platform that runs
   * beside another one must not answer the other's requests on a shared broker)
   */
  externalBroker?: boolean;
  /**
   * true (the default): wait until no other end-to-end platform runs (test/support/platform-lock.ts).
   * false for a platform meant to run beside the others (the live test's soak, on its own broker).
   */
  exclusive?: boolean;
}

export interface RunningPlatform {
  urls: { chat: string; storage: string; webdav: string; ftpHost: string; ftpPort: number; manager: string; admin: string; installer: string; recorder: string; videoToText: string; notifier: string; pluginHost: string };
  ports: Record<string, number>;
  adminEmail: string;
  adminPassword: string;
  dataDir: string;
  databaseKind: 'sqlite' | 'mariadb';
  /** the platform database, to open it from a test (openPlatformDatabase) */
  database: DatabaseTarget;
  /** the environment the dev runner gave every app (without the secrets it adds from DATA_DIR/secrets.json) */
  env: Record<string, string>;
  output: string[];
  stop(): Promise<void>;
  /** stop one app's process (the supervisor restarts it) */
  killApp(name: string): Promise<void>;
}

/**
 * Boots the whole platform the way `npm start` does (the dev runner, every app its own process),
 * on its own ports and data folder. TEST_DATABASE_URL (mysql://root@127.0.0.1:3306) switches to
 * MariaDB with a fresh database; TEST_MQTT_URL to an external broker (Mosquitto).
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const release = options.exclusive === false ? () => undefined : await takePlatformLock();
  try {
    return await bootPlatform(options, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function bootPlatform(options: PlatformOptions, release: ReleasePlatformLock): Promise<RunningPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-e2e-'));
  // E2E_PORT_OFFSET and the free-port check let several checkouts run their end-to-end tests on one machine at once
  const b = await freePortBlock(options.portBase + Number(process.env.E2E_PORT_OFFSET ?? 0), 61);
  const ports = { chat: b, manager: b + 1, admin: b + 2, installer: b + 3, recorder: b + 4, videoToText: b + 5, storage: b + 6, notifier: b + 7, webdav: b + 8, ftp: b + 9, mqtt: b + 10, pluginHost: b + 11 };
  const adminPassword = `e2e-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    TZ: process.env.TZ ?? 'UTC',
    DATA_DIR: dataDir,
    CAMERAMONIT_ADMIN_EMAIL: 'admin@e2e.test',
    CAMERAMONIT_ADMIN_PASSWORD: adminPassword,
    PUBLIC_URL: `http://127.0.0.1:${ports.chat}`,
    STORAGE_URL: `http://127.0.0.1:${ports.storage}`,
    CHAT_PORT: String(ports.chat),
    MANAGER_PORT: String(ports.manager),
    ADMIN_PORT: String(ports.admin),
    INSTALLER_PORT: String(ports.installer),
    RECORDER_PORT: String(ports.recorder),
    VIDEO_TO_TEXT_PORT: String(ports.videoToText),
    STORAGE_PORT: String(ports.storage),
    NOTIFIER_PORT: String(ports.notifier),
    PLUGIN_HOST_PORT: String(ports.pluginHost),
    WEBDAV_PORT: String(ports.webdav),
    FTP_PORT: String(ports.ftp),
    FTP_PASSIVE_PORTS: `${b + 20}-${b + 60}`,
    MQTT_EMBEDDED_PORT: String(ports.mqtt),
    LOG_LEVEL: 'log',
    // tests never send WS-Discovery multicast onto this machine's network (ONVIF tests probe a fake camera's address)
    ONVIF_DISCOVERY_MULTICAST: 'false',
    // no live demo camera unless a test asks (its clips and events would land in every test's platform)
    DEMO_CAMERA_FILE: 'none',
    // the disk guard would delete a test's clips on a machine with little free space (it has its own test)
    STORAGE_MIN_FREE_MB: '0',
    // no analyser plugins unless a test asks for them (PLUGINS_DIR: join(repoRoot, 'plugins') runs the shipped one)
    PLUGINS_DIR: join(dataDir, 'plugins'),
    // node options for every app, e.g. a module that profiles one (E2E_NODE_OPTIONS="--import ./profile.mjs")
    ...(process.env.E2E_NODE_OPTIONS ? { NODE_OPTIONS: process.env.E2E_NODE_OPTIONS } : {}),
    ...(options.env ?? {}),
  };
  let databaseName: string | null = null;
  const mariadb = process.env.TEST_DATABASE_URL;
  if (mariadb) {
    databaseName = `cm_e2e_${randomUUID().slice(0, 8)}`;
    env.DATABASE_URL = `${mariadb.replace(/\/$/, '')}/${databaseName}`;
  }
  if (process.env.TEST_MQTT_URL && options.externalBroker !== false) {
    env.MQTT_URL = process.env.TEST_MQTT_URL;
    // several platforms on one broker: keep their persistent sessions apart
    env.INSTANCE_ID = `e2e-${randomUUID().slice(0, 8)}`;
  }

  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'apps/dev-runner/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const lines = (stream: NodeJS.ReadableStream) => createInterface({ input: stream }).on('line', (line) => {
    output.push(line.replace(/\x1b\[[0-9;]*m/g, ''));
    if (process.env.E2E_VERBOSE) process.stdout.write(`${line}\n`);
  });
  lines(child.stdout as NodeJS.ReadableStream);
  lines(child.stderr as NodeJS.ReadableStream);

  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`The platform did not start in 120 s:\n${output.slice(-40).join('\n')}`)), 120_000);
    const check = setInterval(() => {
      if (output.some((l) => l.includes('Cameramonit is running.'))) {
        clearTimeout(timer);
        clearInterval(check);
        resolveReady();
      }
    }, 100);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`The platform exited (${code}) while starting:\n${output.slice(-40).join('\n')}`));
    });
  });

  const http = (port: number) => `http://127.0.0.1:${port}`;
  return {
    urls: {
      chat: http(ports.chat),
      storage: http(ports.storage),
      webdav: http(ports.webdav),
      ftpHost: '127.0.0.1',
      ftpPort: ports.ftp,
      manager: http(ports.manager),
      admin: http(ports.admin),
      installer: http(ports.installer),
      recorder: http(ports.recorder),
      videoToText: http(ports.videoToText),
      notifier: http(ports.notifier),
      pluginHost: http(ports.pluginHost),
    },
    ports,
    adminEmail: 'admin@e2e.test',
    adminPassword,
    dataDir,
    databaseKind: mariadb ? 'mariadb' : 'sqlite',
    database: mariadb && databaseName ? { kind: 'mysql', location: env.DATABASE_URL as string, database: databaseName } : { kind: 'sqlite', location: join(dataDir, 'platform.sqlite') },
    env: { ...env },
    output,
    async killApp(name: string) {
      const { execFileSync } = await import('node:child_process');
      // this platform's app only (a child of its dev runner; another platform may run beside it);
      // no shell: pkill -f would match the shell's own command line
      execFileSync('pkill', ['-KILL', '-P', String(child.pid), '-f', join(repoRoot, 'apps', name, 'dist', 'main.js')]);
    },
    async stop() {
      try {
        if (child.exitCode === null) {
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((done) => setTimeout(done, 20_000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        rmSync(dataDir, { recursive: true, force: true });
        if (mariadb && databaseName) {
          const admin = new DataSource({ type: 'mysql', url: mariadb });
          await admin.initialize();
          await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
          await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}_registry\``);
          await admin.destroy();
        }
      } finally {
        release();
      }
    },
  };
}

/** Whether nothing listens on 127.0.0.1:port (binding it for a moment). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive free ports: `hint` if its block is free, else another block
 * (a platform of another checkout, or a port the system handed out, may hold some of them).
 */
async function freePortBlock(hint: number, count: number): Promise<number> {
  for (let attempt = 0; attempt < 40; attempt++) {
    // below the ephemeral ports (32768+), which outgoing connections take at random
    const base = attempt === 0 ? hint : 20_000 + Math.floor(Math.random() * 120) * 100;
    if (base + count > 65_000) continue;
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await portIsFree(port);
    if (free) return base;
  }
  throw new Error(`no block of ${count} free ports found for the platform (tried near ${hint})`);
}

/** Log in through the chat API. */
export async function login(chatUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${chatUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 180_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((done) => setTimeout(done, everyMs));
  }
  throw new Error(`Timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
