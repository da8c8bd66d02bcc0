import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, TopicConnection, type EmbeddedBroker } from '@cameramonit/bus';
import { discoverPlugins } from './plugin-discovery.js';
import { PluginSupervisor } from './plugin-supervisor.js';

const repo = resolve(import.meta.dirname, '../../..');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A plugin published as an npm package, installed with npm into the plugins folder, runs like a
 * plugin folder; the host leaves no process behind, whether it stops cleanly or dies.
 * (The folder is inside the repo so the installed package finds @cameramonit/plugin-sdk, as a
 * real install would get it from its dependencies.)
 */
describe('plugins installed with npm, and their processes', () => {
  let broker: EmbeddedBroker;
  let dir: string;
  let connection: TopicConnection;
  const logs: string[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedBroker(0);
    await mkdir(join(repo, 'test-results'), { recursive: true });
    dir = await mkdtemp(join(repo, 'test-results', 'plugins-npm-'));
    const tarball = execFileSync('npm', ['pack', join(import.meta.dirname, '../test-plugins/echo'), '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop() as string;
    execFileSync('npm', ['install', '--prefix', dir, '--offline', '--no-audit', '--no-fund', '--no-save', '--silent', join(dir, tarball)], { encoding: 'utf8' });
    connection = await TopicConnection.open(`mqtt://127.0.0.1:${broker.port}`, `install-test-${process.pid}`);
  });

  afterAll(async () => {
    await connection?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the installed package in node_modules, runs it, and stops it without leaving a process', async () => {
    const discovery = discoverPlugins(dir);
    expect(discovery.plugins.map((p) => [p.manifest.name, p.dir])).toEqual([['echo', join(dir, 'node_modules', 'echo')]]);
    const supervisor = new PluginSupervisor(discovery, { mqttUrl: `mqtt://127.0.0.1:${broker.port}`, connection, logger: { log: (m) => void logs.push(m), warn: (m) => void logs.push(m) }, topicScope: 'install' });
    await supervisor.start();
    await expect.poll(() => supervisor.status()[0]?.state, { timeout: 20_000 }).toBe('ready');
    const answer = await supervisor.call('echo', {
      requestId: 'r1', plugin: 'echo', deadline: '',
      event: { id: 'e', cameraId: 'c', cameraName: 'gate', clipId: 'k', kind: 'object', label: 'dog', count: 1, confidence: 1, direction: 'none', startedAt: '', endedAt: '', startSec: 0, endSec: 1, summary: { en: '', pl: '' }, box: null },
    });
    expect(answer.features).toMatchObject({ seenLabel: 'dog' });
    const pid = supervisor.status()[0]?.pid as number;
    expect(alive(pid)).toBe(true);
    await supervisor.stop();
    expect(alive(pid)).toBe(false);
  });

  it('a plugin whose host dies without stopping it exits by itself (its standard input closes)', async () => {
    // a throw-away host: node running the supervisor, killed with SIGKILL
    const script = `
      import { TopicConnection } from '@cameramonit/bus';
      import { PluginSupervisor } from '${join(repo, 'apps/plugin-host/dist/plugin-supervisor.js')}';
      import { discoverPlugins } from '${join(repo, 'apps/plugin-host/dist/plugin-discovery.js')}';
      const url = 'mqtt://127.0.0.1:${broker.port}';
      const connection = await TopicConnection.open(url, 'doomed-host-' + process.pid);
      const supervisor = new PluginSupervisor(discoverPlugins('${dir}'), { mqttUrl: url, connection, logger: { log() {}, warn() {} }, topicScope: 'doomed' });
      await supervisor.start();
      const timer = setInterval(() => {
        const s = supervisor.status()[0];
        if (s?.state === 'ready') { process.stdout.write(String(s.pid) + '\\n'); clearInterval(timer); }
      }, 50);
    `;
    const { spawn } = await import('node:child_process');
    const host = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((done, fail) => {
      host.stdout.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim())));
      host.once('exit', (code) => fail(new Error(`the host exited (${code}) before its plugin was ready`)));
    });
    expect(alive(pid)).toBe(true);
    host.kill('SIGKILL');
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
  });
});
