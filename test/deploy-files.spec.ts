import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Settings } from '@cameramonit/config';
import { composeAddress, composeServices, type ComposeService } from './support/compose.js';
import { repoRoot } from './support/platform.harness.js';

const compose = { services: composeServices() };
const serviceApps = readdirSync(join(repoRoot, 'apps')).filter((a) => !['cli', 'dev-runner'].includes(a));
const address = composeAddress;

describe('docker-compose.yml', () => {
  it('runs every app as its own service on its own address', () => {
    for (const app of serviceApps) {
      expect(compose.services[app], app).toBeDefined();
      expect(compose.services[app]?.environment?.APP, app).toBe(app);
    }
    const addresses = Object.values(compose.services).map(address);
    expect(addresses.every((a) => a && /^10\.77\.0\.\d+$/.test(a))).toBe(true);
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it('sets only settings the apps know, and points them at the right hosts', () => {
    const known = new Set([...Object.keys(Settings), 'APP']);
    for (const app of serviceApps) {
      const env = compose.services[app]?.environment ?? {};
      expect(Object.keys(env).filter((name) => !known.has(name)), app).toEqual([]);
      expect(env.MQTT_URL).toBe(`mqtt://${address(compose.services.mosquitto as ComposeService)}:1883`);
      expect(env.STORAGE_URL).toBe(`http://${address(compose.services.storage as ComposeService)}:3006`);
      expect(env.DATABASE_URL).toContain(`@${address(compose.services.mariadb as ComposeService)}:3306/`);
      // the chat and the worker reach the main recorder's live pictures there
      expect(env.RECORDER_URL).toBe(`http://${address(compose.services.recorder as ComposeService)}:3004`);
    }
  });

  it('has a second recorder for a webcam, off unless its profile is asked for, that tells the others where it is', () => {
    const webcam = compose.services['recorder-webcam'] as ComposeService;
    expect(webcam.profiles).toEqual(['webcam']);
    expect(webcam.devices).toEqual(['/dev/video0:/dev/video0']);
    expect(webcam.environment).toMatchObject({ APP: 'recorder', RECORDER_ID: 'webcam', RECORDER_PUBLIC_URL: `http://${address(webcam)}:3004` });
    expect(webcam.environment?.RECORDER_ID).not.toBe('main');
  });
});

describe('proxmox/provision.sh', () => {
  const script = join(repoRoot, 'proxmox', 'provision.sh');
  const dir = mkdtempSync(join(tmpdir(), 'cm-pve-'));
  const envFile = join(dir, '.env');
  writeFileSync(envFile, 'MARIADB_PASSWORD=pw-not-shown\nJWT_SECRET=jwt-secret-jwt-secret\nSECRETS_KEY=key-not-shown\n');
  const dryRun = (hostsFile?: string) =>
    execFileSync('bash', [script, '--dry-run'], { env: { ...process.env, ENV_FILE: envFile, ...(hostsFile ? { HOSTS_FILE: hostsFile } : {}), PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  /** each container's settings as the dry run shows them (after its create line) */
  const settingsOf = (out: string) =>
    Object.fromEntries(
      out.split(/^\+ pct create \d+ \S+ --hostname cm-/m).slice(1).map((part) => [part.split(' ')[0], Object.fromEntries([...part.matchAll(/^ {2}([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]))]),
    ) as Record<string, Record<string, string>>;

  it('parses, and creates one container per compose service (but the optional ones) with the same address and settings', () => {
    execFileSync('bash', ['-n', script]);
    const out = dryRun();
    const created = [...out.matchAll(/pct create \d+ \S+ --hostname cm-(\S+) .*ip=([\d.]+)\/24/g)].map((m) => [m[1], m[2]]);
    const expected = Object.entries(compose.services).filter(([, s]) => !s.profiles).map(([name, s]) => [name, address(s)]);
    expect(created.sort()).toEqual(expected.sort());
    expect(out).toContain('systemctl enable --now cameramonit@chat');
    const settings = settingsOf(out);
    for (const app of serviceApps) {
      const own = compose.services[app]?.environment ?? {};
      expect(settings[app], app).toMatchObject({ APP: app, MQTT_URL: own.MQTT_URL, STORAGE_URL: own.STORAGE_URL, RECORDER_URL: own.RECORDER_URL, JWT_SECRET: '***', SECRETS_KEY: '***' });
    }
    expect(out).not.toContain('pw-not-shown');
    expect(out).not.toContain('key-not-shown');
  });

  it('makes another recorder, with its own id and address, for a host named recorder-<id>', () => {
    const hostsFile = join(dir, 'hosts.env');
    const hosts = readFileSync(join(repoRoot, 'proxmox', 'hosts.env'), 'utf8').replace(/^HOSTS="([^"]*)"/m, 'HOSTS="$1 recorder-front-desk=25"');
    writeFileSync(hostsFile, hosts);
    const out = dryRun(hostsFile);
    expect(settingsOf(out)['recorder-front-desk']).toMatchObject({ APP: 'recorder', RECORDER_ID: 'front-desk', RECORDER_PUBLIC_URL: 'http://10.77.0.25:3004', RECORDER_URL: 'http://10.77.0.23:3004' });
    const frontDesk = out.slice(out.indexOf('--hostname cm-recorder-front-desk'));
    expect(frontDesk).toMatch(/pct set \d+ --dev0 \/dev\/video0/);
    expect(frontDesk).toContain('systemctl enable --now cameramonit@recorder\n');
  });
});
