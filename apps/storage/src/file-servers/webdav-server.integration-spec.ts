import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type FileStat, type WebDAVClient } from 'webdav';
import { ClipStore } from './clip-store.js';
import type { CompletedUpload, CredentialsVerifier, FileServerUser, UploadPolicy, UploadSink } from './ports.js';
import { WebDavServerDriver } from './webdav-server.driver.js';

const VIDEO = fileURLToPath(new URL('../../../../fixtures/vtest.avi', import.meta.url));
const ANN: FileServerUser = { id: 'u-ann', email: 'ann@example.com', role: 'customer' };
const PASSWORD = 'p@ss:word/with+base64 chars?';

const verifier: CredentialsVerifier = {
  async verify(email, password) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return email === ANN.email && password === PASSWORD ? ANN : null;
  },
};

let maxUploadBytes = 20 * 1024 * 1024;
const policy: UploadPolicy = {
  get maxUploadBytes() {
    return maxUploadBytes;
  },
  canUpload: async (_user, projectSlug, cameraSlug) => projectSlug === 'demo' && cameraSlug !== 'locked',
};

const uploads: CompletedUpload[] = [];
const sink: UploadSink = {
  async onUploadComplete(upload) {
    uploads.push(upload);
  },
};

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}

async function rejectionStatus(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    return statusOf(error);
  }
  throw new Error('expected the request to fail');
}

/** A raw request: the path is sent exactly as given (no URL normalisation). */
function rawRequest(
  port: number,
  method: string,
  path: string,
  options: { body?: Buffer; auth?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          Authorization: `Basic ${Buffer.from(options.auth ?? `${ANN.email}:${PASSWORD}`).toString('base64')}`,
          ...(options.body ? { 'Content-Length': String(options.body.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

async function filesUnder(folder: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(join(folder, entry.name), `${relative}/`)));
    else found.push(relative);
  }
  return found.sort();
}

describe('WebDavServerDriver (webdav-server v2) with the webdav client', () => {
  let base: string;
  let store: ClipStore;
  let driver: WebDavServerDriver;
  let client: WebDAVClient;
  let url: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'webdav-driver-'));
    store = new ClipStore({ root: join(base, 'store') });
    await writeFile(join(base, 'sentinel.txt'), 'do not touch');
    await mkdir(join(store.root, 'demo', 'demo', 'clips'), { recursive: true });
    await writeFile(join(store.root, 'demo', 'demo', 'clips', 'clip-001.mp4'), 'recorded clip bytes');
    await mkdir(join(store.root, 'demo', 'evil'), { recursive: true });
    await symlink(base, join(store.root, 'demo', 'evil', 'upload'));
    driver = new WebDavServerDriver({ store, verifier, uploadPolicy: policy, uploadSink: sink });
    const { port } = await driver.start();
    url = `http://127.0.0.1:${port}`;
    client = createClient(url, { username: ANN.email, password: PASSWORD });
  });

  afterAll(async () => {
    await driver.stop();
    await rm(base, { recursive: true, force: true });
  });

  beforeEach(() => {
    uploads.length = 0;
    maxUploadBytes = 20 * 1024 * 1024;
  });

  it('authenticates with Basic auth: ok, 401 for a wrong password or none', async () => {
    const listing = (await client.getDirectoryContents('/demo/demo')) as FileStat[];
    expect(listing.map((entry) => [entry.basename, entry.type])).toEqual([['clips', 'directory']]);
    const wrong = createClient(url, { username: ANN.email, password: 'nope' });
    expect(await rejectionStatus(wrong.getDirectoryContents('/'))).toBe(401);
    const anonymous = await rawRequest(driver.port, 'PROPFIND', '/', { headers: { Authorization: '' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Basic realm="Cameramonit storage"');
    const wrongRaw = await rawRequest(driver.port, 'GET', '/demo/demo/clips/clip-001.mp4', { auth: `${ANN.email}:nope` });
    expect(wrongRaw).toMatchObject({ status: 401, body: 'Wrong email or password\n' });
  });

  it('stores a PUT video byte for byte, reports it once, and serves it back', async () => {
    const size = (await stat(VIDEO)).size;
    expect(await client.createDirectory('/demo/demo/upload')).toBeUndefined();
    await client.putFileContents('/demo/demo/upload/vtest.avi', createReadStream(VIDEO), { contentLength: size });
    expect(await sha256(join(store.root, 'demo/demo/upload/vtest.avi'))).toBe(await sha256(VIDEO));
    expect(uploads).toEqual([
      { user: ANN, projectSlug: 'demo', cameraSlug: 'demo', fileName: 'vtest.avi', storePath: '/demo/demo/upload/vtest.avi', sizeBytes: size },
    ]);
    // Chunked (no Content-Length) works too.
    await client.putFileContents('/demo/demo/upload/chunked.avi', createReadStream(VIDEO));
    expect((await stat(join(store.root, 'demo/demo/upload/chunked.avi'))).size).toBe(size);
    const range = await client.getFileContents('/demo/demo/clips/clip-001.mp4', { format: 'text', headers: { Range: 'bytes=0-7' } });
    expect(range).toBe('recorded');
    expect(await readdir(join(store.root, 'demo/demo/upload'))).toEqual(['chunked.avi', 'vtest.avi']);
  });

  it('refuses writes outside upload folders with 403 and the rule', async () => {
    for (const path of ['/demo/demo/clips/x.mp4', '/demo/x.mp4', '/x.mp4', '/demo/demo/upload/sub/x.mp4']) {
      expect(await rejectionStatus(client.putFileContents(path, Buffer.from('x'))), path).toBe(403);
    }
    const raw = await rawRequest(driver.port, 'PUT', '/demo/demo/clips/x.mp4', { body: Buffer.from('x') });
    expect(raw.status).toBe(403);
    expect(raw.body).toContain('uploads are only accepted into /<project>/<camera>/upload/<file name>');
    expect((await rawRequest(driver.port, 'PUT', '/demo/locked/upload/x.mp4', { body: Buffer.from('x') })).body).toContain(
      'You may not upload to camera "locked" of project "demo"',
    );
    expect(await rejectionStatus(client.createDirectory('/demo/demo/other'))).toBe(403);
    expect(await rejectionStatus(client.deleteFile('/demo/demo/clips/clip-001.mp4'))).toBe(403);
    expect(await rejectionStatus(client.moveFile('/demo/demo/clips/clip-001.mp4', '/demo/demo/upload/moved.mp4'))).toBe(403);
    expect(await rejectionStatus(client.copyFile('/demo/demo/clips/clip-001.mp4', '/demo/demo/upload/copied.mp4'))).toBe(403);
    expect(await readFile(join(store.root, 'demo/demo/clips/clip-001.mp4'), 'utf8')).toBe('recorded clip bytes');
    expect(uploads).toEqual([]);
  });

  it('refuses path tricks, plain and percent-encoded, and writes nothing outside the root', async () => {
    const before = await filesUnder(base);
    const body = Buffer.from('overwritten!');
    for (const path of [
      '/../sentinel.txt',
      '/demo/demo/upload/../../../../sentinel.txt',
      '/demo/demo/upload/%2e%2e/%2e%2e/%2e%2e/%2e%2e/sentinel.txt',
      '/demo/demo/upload/%2E%2E%2F%2E%2E%2F%2E%2E%2Fsentinel.txt',
      '/demo/demo/upload/..%5c..%5c..%5csentinel.txt',
      '/demo/demo/upload/x%00.txt',
      '/demo/evil/upload/sentinel.txt',
      `/${base}/sentinel.txt`,
      `${base}/sentinel.txt`,
    ]) {
      const response = await rawRequest(driver.port, 'PUT', path, { body });
      expect([400, 403], `${path}: ${response.status} ${response.body}`).toContain(response.status);
    }
    const escape = await rawRequest(driver.port, 'GET', '/demo/evil/upload/sentinel.txt');
    expect(escape.status).toBe(400);
    expect(escape.body).toContain('outside the store');
    const propfind = await rawRequest(driver.port, 'PROPFIND', '/demo/%2e%2e/%2e%2e/', { headers: { Depth: '1' } });
    expect(propfind.status).toBe(400);
    expect(await readFile(join(base, 'sentinel.txt'), 'utf8')).toBe('do not touch');
    expect(await filesUnder(base)).toEqual(before);
    expect(uploads).toEqual([]);
  });

  it('refuses an upload over the limit with 413 (announced or streamed), leaving the stored file as it was', async () => {
    await client.putFileContents('/demo/demo/upload/keep.avi', Buffer.from('the good version'));
    uploads.length = 0;
    maxUploadBytes = 1024 * 1024;
    const announced = await rawRequest(driver.port, 'PUT', '/demo/demo/upload/keep.avi', { body: await readFile(VIDEO) });
    expect(announced.status).toBe(413);
    expect(announced.body).toMatch(/The upload of 7\.\d+ MB exceeds the limit of 1 MB/);
    expect(await rejectionStatus(client.putFileContents('/demo/demo/upload/keep.avi', createReadStream(VIDEO)))).toBe(413);
    expect(await rejectionStatus(client.putFileContents('/demo/demo/upload/new.avi', createReadStream(VIDEO)))).toBe(413);
    expect(await readFile(join(store.root, 'demo/demo/upload/keep.avi'), 'utf8')).toBe('the good version');
    expect(await readdir(join(store.root, 'demo/demo/upload'))).not.toContain('new.avi');
    expect((await readdir(join(store.root, 'demo/demo/upload'))).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(uploads).toEqual([]);
  });

  it('reports a short body as incomplete and keeps nothing', async () => {
    const response = await new Promise<number>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: driver.port,
          method: 'PUT',
          path: '/demo/demo/upload/short.avi',
          headers: { Authorization: `Basic ${Buffer.from(`${ANN.email}:${PASSWORD}`).toString('base64')}`, 'Content-Length': '1000' },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', () => resolve(-1)); // the connection is dropped mid-upload
      req.write(Buffer.alloc(10));
      setTimeout(() => req.destroy(), 100);
    });
    expect(response).toBe(-1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const names = await readdir(join(store.root, 'demo/demo/upload'));
    expect(names.filter((name) => name === 'short.avi' || name.startsWith('.'))).toEqual([]);
    expect(uploads).toEqual([]);
  });
});
