import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as FtpClient } from 'basic-ftp';
import jwt from 'jsonwebtoken';
import { createClient } from 'webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolePermissions } from '@cameramonit/auth';
import type { Role } from '@cameramonit/contracts';
import { fixture, login, startPlatform, waitFor, type RunningPlatform } from '../support/platform.harness.js';
import { allRoutes, concretePath } from '../support/routes.js';

const LIMIT_MB = 10;

interface Message {
  kind: string;
  text: string;
}

/** Bad input gets a clear error, services stay up, nothing stored before is lost; every route checks every role. */
describe('bad input, wrong credentials, path tricks and permissions', () => {
  let platform: RunningPlatform;
  let token: string;
  let cameraId: string;
  const work = mkdtempSync(join(tmpdir(), 'cm-bad-'));
  const shortClip = join(work, 'short.mp4');
  const notVideo = join(work, 'notes.mp4');
  const empty = join(work, 'empty.mp4');
  const huge = join(work, 'huge.mp4');

  const api = (path: string, init: RequestInit = {}, bearer = token) =>
    fetch(`${platform.urls.chat}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, ...(init.headers ?? {}) } });
  const upload = (file: string, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), name);
    return api(`/api/cameras/${cameraId}/uploads`, { method: 'POST', body: form });
  };
  const thread = async () => ((await (await api(`/api/cameras/${cameraId}/thread?limit=200`)).json()) as { messages: Message[] }).messages;
  const clipFiles = () => {
    const root = join(platform.dataDir, 'storage', 'demo', 'demo', 'clips');
    try {
      return readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile() && !d.name.includes('.~part'))
        .map((d) => join(d.parentPath, d.name));
    } catch {
      return [];
    }
  };
  const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

  beforeAll(async () => {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', fixture('vtest.avi'), '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', shortClip]);
    writeFileSync(notVideo, 'These are meeting notes, not a video.\n'.repeat(200));
    writeFileSync(empty, '');
    writeFileSync(huge, Buffer.alloc((LIMIT_MB + 1) * 1024 * 1024, 7));
    platform = await startPlatform({ portBase: 22000, env: { MAX_UPLOAD_MB: String(LIMIT_MB) } });
    token = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    const cameras = (await (await api('/api/cameras')).json()) as { id: string; name: string }[];
    cameraId = (cameras.find((c) => c.name === 'demo') as { id: string }).id;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('stores a good upload from the chat as a clip and analyses it', async () => {
    const response = await upload(shortClip, 'short.mp4');
    expect(response.status).toBe(202);
    expect(((await response.json()) as { clipId: string }).clipId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor('the analysis to finish', async () => (await thread()).find((m) => m.kind === 'system' && /Analysed "short\.mp4"/.test(m.text)));
  });

  it('refuses a file that is not a video, an empty file and one over the limit, each with a reason', async () => {
    const before = clipFiles().map((f) => [f, sha(f)]);
    expect(before.length).toBeGreaterThan(0);

    const text = await upload(notVideo, 'short.mp4'); // same name as the stored clip's upload
    expect(text.status).toBe(415);
    const refusal = ((await text.json()) as { message: string }).message;
    expect(refusal).toMatch(/not a video|could not be read/i);
    expect(refusal).toContain('short.mp4');
    expect(refusal).not.toContain(platform.dataDir);

    const none = await upload(empty, 'empty.mp4');
    expect(none.status).toBe(422);
    expect(((await none.json()) as { message: string }).message).toMatch(/empty/i);

    const big = await upload(huge, 'huge.mp4');
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toMatch(new RegExp(`${LIMIT_MB} MB`));

    // nothing stored before was touched, nothing new was stored
    expect(clipFiles().map((f) => [f, sha(f)])).toEqual(before);
    // the refusals are in the camera's thread too
    await waitFor('refusals in the thread', async () => (await thread()).filter((m) => m.kind === 'error' && /refused/i.test(m.text)).length >= 2);
  });

  it('WebDAV: wrong password 401, path tricks refused, over-limit 413, a non-video reported in the thread', async () => {
    const wrong = await fetch(`${platform.urls.webdav}/demo/demo/upload/x.mp4`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from(`${platform.adminEmail}:nope`).toString('base64')}` },
      body: 'x',
    });
    expect(wrong.status).toBe(401);
    const basic = `Basic ${Buffer.from(`${platform.adminEmail}:${platform.adminPassword}`).toString('base64')}`;
    for (const path of ['/demo/demo/upload/..%2f..%2f..%2fescape.mp4', '/demo/demo/upload/%2e%2e/%2e%2e/escape.mp4', '/demo/demo/clips/sneaky.mp4']) {
      const response = await fetch(`${platform.urls.webdav}${path}`, { method: 'PUT', headers: { authorization: basic }, body: 'x' });
      expect([400, 403]).toContain(response.status);
    }
    const big = await fetch(`${platform.urls.webdav}/demo/demo/upload/huge.mp4`, { method: 'PUT', headers: { authorization: basic }, body: readFileSync(huge) });
    expect(big.status).toBe(413);
    const dav = createClient(platform.urls.webdav, { username: platform.adminEmail, password: platform.adminPassword });
    await dav.putFileContents('/demo/demo/upload/notes.mp4', readFileSync(notVideo));
    await waitFor('the refusal in the thread', async () => (await thread()).find((m) => m.kind === 'error' && /notes\.mp4/.test(m.text) && /video/i.test(m.text)));
    expect(readdirSync(join(platform.dataDir, 'storage'))).not.toContain('escape.mp4');
  });

  it('FTP: wrong password 530, no way out of the root, uploads only into upload folders, good video analysed', async () => {
    const bad = new FtpClient(10_000);
    await expect(bad.access({ host: platform.urls.ftpHost, port: platform.urls.ftpPort, user: platform.adminEmail, password: 'nope' })).rejects.toThrow(/530/);
    bad.close();
    const ftp = new FtpClient(30_000);
    await ftp.access({ host: platform.urls.ftpHost, port: platform.urls.ftpPort, user: platform.adminEmail, password: platform.adminPassword });
    await expect(ftp.cd('/../../..')).rejects.toThrow(/55\d/);
    await expect(ftp.uploadFrom(shortClip, '/demo/demo/clips/sneaky.mp4')).rejects.toThrow(/55\d/);
    await ftp.ensureDir('/demo/demo/upload');
    await ftp.uploadFrom(shortClip, '/demo/demo/upload/from-ftp.mp4');
    ftp.close();
    await waitFor('the FTP upload to be analysed', async () => (await thread()).find((m) => m.kind === 'system' && /from-ftp\.mp4/.test(m.text)));
  });

  it('answers every route: 401 without a login, 403 for roles without the permission', async () => {
    const roles: Role[] = ['admin', 'manager', 'installer', 'supervisor', 'customer'];
    const tokens: Record<string, string> = {};
    for (const role of roles) {
      const email = `${role}-${randomUUID().slice(0, 6)}@e2e.test`;
      const created = await fetch(`${platform.urls.manager}/api/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email, displayName: role, role, password: 'a-long-password' }),
      });
      expect(created.status).toBe(201);
      tokens[role] = await login(platform.urls.chat, email, 'a-long-password');
    }
    const secrets = JSON.parse(readFileSync(join(platform.dataDir, 'secrets.json'), 'utf8')) as { JWT_SECRET: string };
    tokens.service = jwt.sign({ sub: 'service:e2e', email: 'e2e@service', name: 'e2e', role: 'service' }, secrets.JWT_SECRET, { issuer: 'cameramonit', expiresIn: 600 });

    const failures: string[] = [];
    for (const route of allRoutes().filter((r) => !r.isPublic)) {
      const url = `http://127.0.0.1:${platform.ports[route.app]}${concretePath(route.path, randomUUID())}`;
      const method = route.method === 'ALL' ? 'GET' : route.method;
      const call = (bearer?: string) =>
        fetch(url, { method, headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), 'content-type': 'application/json' }, body: ['GET', 'HEAD', 'DELETE'].includes(method) ? undefined : '{}' });
      const anonymous = await call();
      if (anonymous.status !== 401) failures.push(`${method} ${route.path} without login: ${anonymous.status}`);
      for (const [role, bearer] of Object.entries(tokens)) {
        const response = await call(bearer);
        const body = await response.text();
        const refusedByRole = response.status === 403 && /may not do this/.test(body);
        const allowed = RolePermissions[role as Role].includes(route.permission as never);
        if (allowed === refusedByRole || response.status === 401) failures.push(`${method} ${route.path} as ${role}: ${response.status} ${body.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('kept every service up', async () => {
    for (const [name, url] of Object.entries(platform.urls)) {
      if (typeof url !== 'string' || !url.startsWith('http') || name === 'webdav') continue;
      const health = await fetch(`${url}/health`);
      expect(health.status, name).toBe(200);
    }
    expect(statSync(join(platform.dataDir, 'secrets.json')).mode & 0o077).toBe(0);
  });
});
