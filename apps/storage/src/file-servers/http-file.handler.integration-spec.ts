import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipStore, type StoredFile } from './clip-store.js';
import { createHttpFileHandler } from './http-file.handler.js';

const CLIP = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 251));

/** A raw request: the path is sent exactly as given (fetch would normalise "..") */
function rawRequest(port: number, method: string, path: string, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('createHttpFileHandler', () => {
  let base: string;
  let store: ClipStore;
  let server: Server;
  let url: string;
  let port: number;
  const stored: StoredFile[] = [];

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'http-files-'));
    store = new ClipStore({ root: join(base, 'store') });
    await writeFile(join(base, 'sentinel.txt'), 'do not touch');
    const clips = join(store.root, 'demo', 'gate', 'clips');
    await mkdir(clips, { recursive: true });
    await writeFile(join(clips, 'clip.mp4'), CLIP);
    for (const name of ['a.avi', 'a.jpg', 'a.gif', 'a.webp', 'a.mkv', 'a.bin', 'empty.mp4']) {
      await writeFile(join(clips, name), name === 'empty.mp4' ? '' : 'x');
    }
    const handler = createHttpFileHandler({
      store,
      maxPutBytes: 1024,
      onStored: async (file) => {
        stored.push(file);
      },
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(base, { recursive: true, force: true });
  });

  it('serves a whole file with Accept-Ranges', async () => {
    const response = await fetch(`${url}/demo/gate/clips/clip.mp4`);
    expect(response.status).toBe(200);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await response.arrayBuffer()).equals(CLIP)).toBe(true);
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=-100', 900, 999],
    ['bytes=950-', 950, 999],
    ['bytes=990-5000', 990, 999],
  ])('answers %s with 206 and the right bytes', async (range, start, end) => {
    const response = await fetch(`${url}/demo/gate/clips/clip.mp4`, { headers: { Range: range } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await response.arrayBuffer()).equals(CLIP.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 for an unsatisfiable range', async () => {
    for (const [path, range, size] of [
      ['clip.mp4', 'bytes=1000-', 1000],
      ['clip.mp4', 'bytes=5000-6000', 1000],
      ['empty.mp4', 'bytes=0-10', 0],
    ] as const) {
      const response = await fetch(`${url}/demo/gate/clips/${path}`, { headers: { Range: range } });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe(`bytes */${size}`);
      await response.arrayBuffer();
    }
  });

  it('ignores a stale If-Range and multi-ranges (whole file)', async () => {
    const stale = await fetch(`${url}/demo/gate/clips/clip.mp4`, { headers: { Range: 'bytes=0-9', 'If-Range': '"old"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const etag = stale.headers.get('etag') ?? '';
    const fresh = await fetch(`${url}/demo/gate/clips/clip.mp4`, { headers: { Range: 'bytes=0-9', 'If-Range': etag } });
    expect(fresh.status).toBe(206);
    await fresh.arrayBuffer();
    const multi = await fetch(`${url}/demo/gate/clips/clip.mp4`, { headers: { Range: 'bytes=0-1,5-6' } });
    expect(multi.status).toBe(200);
    await multi.arrayBuffer();
  });

  it('answers HEAD with headers only', async () => {
    const response = await fetch(`${url}/demo/gate/clips/clip.mp4`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('1000');
    expect(await response.text()).toBe('');
    const ranged = await fetch(`${url}/demo/gate/clips/clip.mp4`, { method: 'HEAD', headers: { Range: 'bytes=-10' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 990-999/1000');
  });

  it.each([
    ['a.avi', 'video/x-msvideo'],
    ['a.jpg', 'image/jpeg'],
    ['a.gif', 'image/gif'],
    ['a.webp', 'image/webp'],
    ['a.mkv', 'video/x-matroska'],
    ['a.bin', 'application/octet-stream'],
  ])('serves %s as %s', async (name, type) => {
    const response = await fetch(`${url}/demo/gate/clips/${name}`, { method: 'HEAD' });
    expect(response.headers.get('content-type')).toBe(type);
  });

  it('answers 404 for missing files and folders, 405 for other methods', async () => {
    expect((await rawRequest(port, 'GET', '/demo/gate/clips/missing.mp4')).status).toBe(404);
    expect((await rawRequest(port, 'GET', '/demo/gate/clips')).status).toBe(404);
    const del = await rawRequest(port, 'DELETE', '/demo/gate/clips/clip.mp4');
    expect(del.status).toBe(405);
    expect(del.body).toContain('use GET, HEAD, PUT');
  });

  it('refuses path tricks', async () => {
    for (const path of ['/../sentinel.txt', '/demo/%2e%2e/%2e%2e/%2e%2e/sentinel.txt', '/demo/..%2f..%2f..%2fsentinel.txt', '/demo/%5c..%5csentinel.txt', '/a%00b']) {
      const response = await rawRequest(port, 'GET', path);
      expect(response.status, path).toBe(400);
      expect(response.body).toContain('Invalid path');
      expect((await rawRequest(port, 'PUT', path, Buffer.from('overwritten!'))).status, path).toBe(400);
    }
    expect(await readFile(join(base, 'sentinel.txt'), 'utf8')).toBe('do not touch');
  });

  it('stores PUT artifacts atomically: 201 then 204, 413 over the limit keeps the old file', async () => {
    expect((await rawRequest(port, 'PUT', '/demo/gate/clips/anim.gif', Buffer.from('GIF89a v1'))).status).toBe(201);
    expect((await rawRequest(port, 'PUT', '/demo/gate/clips/anim.gif', Buffer.from('GIF89a v2'))).status).toBe(204);
    const tooLarge = await rawRequest(port, 'PUT', '/demo/gate/clips/anim.gif', Buffer.alloc(2048));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toContain('exceeds the limit of');
    expect(await readFile(join(store.root, 'demo/gate/clips/anim.gif'), 'utf8')).toBe('GIF89a v2');
    expect((await readdir(join(store.root, 'demo/gate/clips'))).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(stored.map((file) => [file.storePath, file.sizeBytes])).toEqual([
      ['/demo/gate/clips/anim.gif', 9],
      ['/demo/gate/clips/anim.gif', 9],
    ]);
  });
});
