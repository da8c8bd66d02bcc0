import { type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, MoreThan } from 'typeorm';
import { ClipEntity, openPlatformDatabase } from '@cameramonit/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeAddress, composeServices, interpolate } from '../support/compose.js';
import { hostNetworkMissing, startHostNetwork, type HostNetwork } from '../support/host-network.js';
import { takePlatformLock, type ReleasePlatformLock } from '../support/platform-lock.js';
import { login, repoRoot, waitFor } from '../support/platform.harness.js';
import { longCameraVideo, startRtspServer, type RunningRtspServer } from '../support/rtsp-server.js';

/**
 * The platform laid out as docker-compose.yml lays it out: every app on a host of its own (a network
 * namespace with the compose file's address, test/support/host-network.ts), started with the compose
 * file's settings; Mosquitto on its own host; the camera (a real RTSP server) on another. The
 * machine's MariaDB is reached through the gateway. What crosses the network is what a deployment
 * depends on: the recorder reads the camera and writes clips over WebDAV to the storage host, the
 * worker fetches them from there, the chat asks the recorder's host for the live picture, every
 * app talks over the broker's host.
 */
const missing = hostNetworkMissing();
const mariadbUrl = (process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
const appPorts: Record<string, number> = { chat: 3000, manager: 3001, admin: 3002, installer: 3003, recorder: 3004, 'video-to-text': 3005, storage: 3006, notifier: 3007, 'plugin-host': 3008 };
const cameraOctet = 40;

interface EventView {
  id: string;
  label: string;
  snapshotUrl: string | null;
  clipUrl: string | null;
}

/** the MP4 files under a folder (paths relative to it); none when it does not exist */
function mp4Files(folder: string): string[] {
  try {
    return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.mp4'));
  } catch {
    return [];
  }
}

describe.skipIf(missing !== null)('the platform on one host per service, as docker-compose.yml lays it out (network namespaces, MariaDB, Mosquitto, a real RTSP camera)', () => {
  const compose = composeServices();
  const apps = Object.keys(appPorts);
  const base = mkdtempSync(join(tmpdir(), 'cm-hosts-'));
  const databaseName = `cm_hosts_${randomUUID().slice(0, 8)}`;
  const output: string[] = [];
  const children: ChildProcess[] = [];
  const exited: string[] = [];
  let network: HostNetwork;
  let release: ReleasePlatformLock = () => undefined;
  let databaseForward: Server | null = null;
  let camera: RunningRtspServer | null = null;
  let token = '';
  let cameraId = '';
  const adminPassword = `hosts-${randomUUID().slice(0, 8)}`;
  const url = (app: string, path = '') => `http://${network.hosts[app].address}:${appPorts[app]}${path}`;
  const bearer = () => ({ authorization: `Bearer ${token}` });
  const dataDirOf = (host: string) => join(base, host);

  beforeAll(async () => {
    release = await takePlatformLock();
    const octets = Object.fromEntries(
      Object.entries(compose)
        .filter(([name, service]) => name !== 'mariadb' && !service.profiles)
        .map(([name, service]) => [name, Number(composeAddress(service)?.split('.')[3])]),
    );
    network = startHostNetwork({ ...octets, camera: cameraOctet });

    // the machine's MariaDB, on the bridge's address (the apps' hosts cannot reach its 127.0.0.1)
    const mariadb = new URL(mariadbUrl);
    const target = { port: Number(mariadb.port || 3306), host: mariadb.hostname };
    databaseForward = createServer((socket) => {
      const upstream = createConnection(target.port, target.host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((done) => databaseForward?.listen(0, network.gateway, done));
    const forwardPort = (databaseForward.address() as { port: number }).port;
    mariadb.hostname = network.gateway;
    mariadb.port = String(forwardPort);
    const databaseUrl = `${mariadb.toString().replace(/\/$/, '')}/${databaseName}`;

    const log = (host: string) => (line: string) => {
      output.push(`${host}: ${line.replace(/\x1b\[[0-9;]*m/g, '')}`);
      if (process.env.E2E_VERBOSE) process.stdout.write(`${host}: ${line}\n`);
    };
    // Mosquitto on its own host, listening on its address
    const mosquittoConf = join(base, 'mosquitto.conf');
    writeFileSync(mosquittoConf, 'listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\nlog_dest stdout\n');
    children.push(network.run('mosquitto', 'mosquitto', ['-c', mosquittoConf], { env: { PATH: process.env.PATH ?? '' }, onLine: log('mosquitto') }));

    // every app with the compose file's settings (its addresses moved to the test hosts' subnet)
    const variables = {
      MARIADB_PASSWORD: 'not-used',
      JWT_SECRET: `jwt-${randomUUID()}`,
      SECRETS_KEY: `key-${randomUUID()}`,
      CAMERAMONIT_ADMIN_EMAIL: 'admin@hosts.test',
      CAMERAMONIT_ADMIN_PASSWORD: adminPassword,
      PUBLIC_URL: `http://${network.hosts.chat.address}:3000`,
    };
    for (const app of apps) {
      const fromCompose = Object.fromEntries(
        Object.entries(compose[app]?.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), variables).replaceAll('10.77.0.', `${network.prefix}.`)]),
      );
      mkdirSync(join(dataDirOf(app), 'plugins'), { recursive: true });
      const env: Record<string, string> = {
        ...fromCompose,
        DATABASE_URL: databaseUrl,
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        TZ: 'UTC',
        DATA_DIR: dataDirOf(app),
        PLUGINS_DIR: join(dataDirOf(app), 'plugins'),
        LOG_LEVEL: 'log',
        DEMO_CAMERA_FILE: 'none',
        ONVIF_DISCOVERY_MULTICAST: 'false',
        STORAGE_MIN_FREE_MB: '0',
      };
      const child = network.run(app, process.execPath, ['--enable-source-maps', join(repoRoot, 'apps', fromCompose.APP ?? app, 'dist', 'main.js')], { env, onLine: log(app) });
      child.once('exit', (code, signal) => exited.push(`${app} exited (${code ?? signal})`));
      children.push(child);
    }
    // every app answers on its own address (an app that exits while starting fails at once)
    const deadline = Date.now() + 150_000;
    for (const app of apps) {
      while (!(await fetch(url(app, '/health')).catch(() => null))?.ok) {
        if (exited.length > 0 || Date.now() > deadline) {
          throw new Error(`${exited.length > 0 ? `${exited.join(', ')} while starting` : `${app} did not answer on ${url(app)} in 150 s`}:\n${output.slice(-60).join('\n')}`);
        }
        await new Promise((done) => setTimeout(done, 1000));
      }
    }

    camera = await startRtspServer({ file: await longCameraVideo({ minutes: 30, width: 640, height: 360, fps: 10 }), port: 8554, mount: '/gate', host: network.hosts.camera });
    token = await login(url('chat'), 'admin@hosts.test', adminPassword);
  }, 300_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? Promise.race([new Promise((done) => child.once('exit', done)), new Promise((done) => setTimeout(done, 15_000))]) : null)));
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await camera?.stop();
    databaseForward?.close();
    network?.close();
    const admin = new DataSource({ type: 'mysql', url: mariadbUrl });
    await admin.initialize();
    await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
    await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}_registry\``);
    await admin.destroy();
    rmSync(base, { recursive: true, force: true });
    release();
  }, 60_000);

  it('records a camera on another host, stores its clips on the storage host, and shows its live picture through the chat', async () => {
    const adminCall = async <T>(method: string, path: string, body?: object): Promise<T> => {
      const response = await fetch(url('admin', path), { method, headers: { ...bearer(), 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const project = await adminCall<{ id: string }>('POST', '/api/projects', { slug: 'yard', name: 'Yard' });
    cameraId = (await adminCall<{ id: string }>('POST', `/api/projects/${project.id}/cameras`, { slug: 'gate', name: 'Gate', bufferSeconds: 5, source: { kind: 'rtsp', url: camera?.url, transport: 'tcp' } })).id;
    await adminCall('PATCH', `/api/cameras/${cameraId}/analysis-settings`, { fps: 2, width: 320 });
    expect(camera?.url).toBe(`rtsp://${network.hosts.camera.address}:8554/gate`);

    await waitFor('the recorder to record the camera', async () => {
      const response = await fetch(url('recorder', `/api/cameras/${cameraId}/recording`), { headers: bearer() });
      return response.ok && ((await response.json()) as { state: string }).state === 'online';
    }, 90_000);

    // the live picture: the chat's host asks the recorder's host (RECORDER_URL) and passes it on
    const abort = new AbortController();
    const live = await fetch(url('chat', `/api/cameras/${cameraId}/live.mp4`), { headers: bearer(), signal: abort.signal });
    expect(live.status, await (live.ok ? '' : live.clone().text())).toBe(200);
    const reader = (live.body as ReadableStream<Uint8Array>).getReader();
    let received = Buffer.alloc(0);
    while (received.length < 4096) {
      const { value, done } = await reader.read();
      if (done) break;
      received = Buffer.concat([received, Buffer.from(value)]);
    }
    abort.abort();
    await reader.cancel().catch(() => undefined);
    expect(received.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(received.includes(Buffer.from('moov'))).toBe(true);

    // its clips: written over WebDAV to the storage host's disk, nothing left on the recorder's
    const stored = await waitFor('clips on the storage host', async () => {
      const clips = mp4Files(join(dataDirOf('storage'), 'storage', 'yard', 'gate'));
      return clips.length >= 2 ? clips : null;
    }, 90_000);
    // in the camera's clips, a folder a day
    expect(stored.every((path) => /^clips\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\.mp4$/.test(path)), stored.join(', ')).toBe(true);
    // the recorder's disk holds at most the clip it is writing and one on its way
    expect(mp4Files(dataDirOf('recorder')).length).toBeLessThanOrEqual(2);
  }, 240_000);

  it('analyses the clips on the worker host and puts the events, with their pictures, in the chat', async () => {
    expect(cameraId).not.toBe('');
    const events = await waitFor('person events in the chat', async () => {
      const response = await fetch(url('chat', `/api/cameras/${cameraId}/events?limit=20`), { headers: bearer() });
      const found = response.ok ? ((await response.json()) as EventView[]) : [];
      return found.some((event) => event.label === 'person' && event.snapshotUrl) ? found : null;
    }, 150_000);
    const event = events.find((one) => one.label === 'person' && one.snapshotUrl) as EventView;
    // the chat's host serves the picture from the storage host
    const snapshot = await fetch(url('chat', event.snapshotUrl as string));
    expect(snapshot.status).toBe(200);
    expect(snapshot.headers.get('content-type')).toMatch(/^image\/jpeg/);
    const bytes = Buffer.from(await snapshot.arrayBuffer());
    expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
    // the thread says so, as a browser's socket would have been told over the broker's host
    const thread = (await (await fetch(url('chat', `/api/cameras/${cameraId}/thread?limit=50`), { headers: bearer() })).json()) as unknown[];
    expect(JSON.stringify(thread)).toContain(event.id);
  }, 200_000);

  it('keeps recording while the storage host is cut off the network, and stores every clip of the cut in order once it is back', async () => {
    expect(cameraId).not.toBe('');
    const db = await openPlatformDatabase({ kind: 'mysql', location: `${mariadbUrl}/${databaseName}`, database: databaseName });
    try {
      const recordings = async () => {
        const response = await fetch(url('recorder', '/api/recordings'), { headers: bearer() });
        return ((await response.json()) as { storage: { via: string; clipsWaiting: number; failingSince: string | null; lastError: string | null } }).storage;
      };
      const cutAt = Date.now();
      // no link: packets to and from the storage host are lost, nothing answers or refuses (unlike a stopped app)
      network.setLink('storage', false);
      try {
        // the clip being sent gets no answer: it counts as failed after 15 s and a bit, the recorder says so and keeps the clips
        const failing = await waitFor('the recorder to notice storage is unreachable', async () => {
          const storage = await recordings();
          return storage.failingSince !== null ? storage : null;
        }, 60_000, 500);
        expect(failing.lastError).toMatch(/WebDAV server at http:\/\/[\d.]+:3080 (cannot be reached|did not finish answering).*: (no answer within \d+ s|.+)/);
        expect(failing.clipsWaiting).toBeGreaterThanOrEqual(2);
        expect(Date.now() - cutAt).toBeLessThan(45_000);
      } finally {
        network.setLink('storage', true);
      }
      const backAt = Date.now();
      await waitFor('the clips kept meanwhile to be stored', async () => {
        const storage = await recordings();
        return storage.clipsWaiting === 0 && storage.failingSince === null;
      }, 90_000, 500);
      expect((await recordings()).via).toBe('webdav');
      // every clip from before the cut to after it, one after the other
      const clips = await db.getRepository(ClipEntity).find({ where: { cameraId, source: 'recording', startedAt: MoreThan(new Date(cutAt - 12_000)) }, order: { startedAt: 'ASC' } });
      const covered = clips.filter((clip) => clip.startedAt.getTime() < backAt);
      expect(covered.length).toBeGreaterThanOrEqual(Math.floor((backAt - cutAt + 12_000) / 5000) - 1);
      for (let i = 1; i < clips.length; i++) {
        const end = clips[i - 1].startedAt.getTime() + clips[i - 1].durationSec * 1000;
        expect(Math.abs(clips[i].startedAt.getTime() - end), `between clip ${i - 1} and ${i}`).toBeLessThanOrEqual(1000);
      }
    } finally {
      await db.destroy();
    }
  }, 200_000);
});

if (missing) console.warn(`hosts.e2e-spec.ts skipped: ${missing}`);
