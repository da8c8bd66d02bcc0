import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Settings } from '@cameramonit/config';
import { repoRoot } from './support/platform.harness.js';

interface ComposeService {
  environment?: Record<string, string>;
  networks?: Record<string, { ipv4_address?: string }>;
}

/** Resolve YAML merge keys (`<<: *anchor`) the way Compose does. */
function merged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(merged);
  if (!value || typeof value !== 'object') return value;
  const { '<<': base, ...own } = value as Record<string, unknown>;
  const bases = (Array.isArray(base) ? base : base ? [base] : []).map(merged) as Record<string, unknown>[];
  return Object.assign({}, ...bases, Object.fromEntries(Object.entries(own).map(([k, v]) => [k, merged(v)])));
}

const compose = merged(load(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'))) as { services: Record<string, ComposeService> };
const serviceApps = readdirSync(join(repoRoot, 'apps')).filter((a) => !['cli', 'dev-runner'].includes(a));
const address = (s: ComposeService) => s.networks?.cameramonit?.ipv4_address;

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
    }
  });
});

describe('proxmox/provision.sh', () => {
  it('parses, and creates one container per compose service with the same address', () => {
    const script = join(repoRoot, 'proxmox', 'provision.sh');
    execFileSync('bash', ['-n', script]);
    const dir = mkdtempSync(join(tmpdir(), 'cm-pve-'));
    const envFile = join(dir, '.env');
    writeFileSync(envFile, 'MARIADB_PASSWORD=pw\nJWT_SECRET=jwt-secret-jwt-secret\nSECRETS_KEY=key\n');
    const out = execFileSync('bash', [script, '--dry-run'], { env: { ...process.env, ENV_FILE: envFile, PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    const created = [...out.matchAll(/pct create \d+ \S+ --hostname cm-(\S+) .*ip=([\d.]+)\/24/g)].map((m) => [m[1], m[2]]);
    const expected = Object.entries(compose.services).map(([name, s]) => [name, address(s)]);
    expect(created.sort()).toEqual(expected.sort());
    expect(out).toContain('systemctl enable --now cameramonit@chat');
  });
});
