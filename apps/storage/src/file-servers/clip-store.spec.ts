import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CameramonitError } from '@cameramonit/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClipStore, normalizeStorePath, TEMP_FILE_PREFIX } from './clip-store.js';
import { parseUploadFolder, parseUploadPath } from './store-layout.js';
import { parseRangeHeader, storePathFromUrl } from './http-file.handler.js';

function badPathOf(run: () => unknown): CameramonitError {
  try {
    run();
  } catch (error) {
    if (error instanceof CameramonitError) return error;
    throw error;
  }
  throw new Error('expected a BAD_PATH error');
}

async function rejectionOf(promise: Promise<unknown>): Promise<CameramonitError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CameramonitError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('normalizeStorePath', () => {
  it.each([
    ['demo/gate/upload/a.mp4', '/demo/gate/upload/a.mp4'],
    ['/demo/gate/upload/a.mp4', '/demo/gate/upload/a.mp4'],
    ['/demo//gate/', '/demo/gate'],
    ['', '/'],
    ['/', '/'],
    ['/demo/file name with spaces.mp4', '/demo/file name with spaces.mp4'],
    ['/demo/..hidden-but-fine', '/demo/..hidden-but-fine'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeStorePath(input)).toBe(expected);
  });

  it.each([
    ['..', '".." is not allowed'],
    ['../outside', '".." is not allowed'],
    ['/demo/../../etc/passwd', '".." is not allowed'],
    ['demo/./a', '"." segments'],
    ['a\0b', 'NUL'],
    ['a\nb', 'control characters'],
    ['..\\..\\windows', 'backslashes'],
    ['demo\\upload', 'backslashes'],
    ['C:/Windows', 'drive letters'],
    ['c:', 'drive letters'],
    ['//server/share', 'UNC'],
    ['~/secrets', 'home-folder'],
    [`/demo/${TEMP_FILE_PREFIX}abc`, 'reserved'],
    [`/demo/${'x'.repeat(256)}`, '255 bytes'],
    [`/${'a/'.repeat(600)}`, '1024 characters'],
  ])('rejects %j with BAD_PATH (%s)', (input, reason) => {
    const error = badPathOf(() => normalizeStorePath(input));
    expect(error.code).toBe('BAD_PATH');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toContain(reason);
  });
});

describe('ClipStore', () => {
  let base: string;
  let store: ClipStore;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'clip-store-'));
    store = new ClipStore({ root: join(base, 'store') });
    await writeFile(join(base, 'sentinel.txt'), 'outside');
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('resolves paths inside the root, existing or not', async () => {
    const resolved = await store.resolve('/demo/gate/upload/new.mp4');
    expect(resolved).toEqual({ storePath: '/demo/gate/upload/new.mp4', absolutePath: join(store.root, 'demo/gate/upload/new.mp4') });
    expect((await store.resolve('/')).absolutePath).toBe(store.root);
  });

  it('refuses a symlink that leads outside the root, also as a parent folder', async () => {
    await mkdir(join(store.root, 'demo'), { recursive: true });
    await symlink(base, join(store.root, 'demo', 'escape'));
    await symlink(join(base, 'sentinel.txt'), join(store.root, 'demo', 'sentinel-link.txt'));
    for (const path of ['/demo/escape', '/demo/escape/sentinel.txt', '/demo/escape/new/file.mp4', '/demo/sentinel-link.txt']) {
      const error = await rejectionOf(store.resolve(path));
      expect(error.code).toBe('BAD_PATH');
      expect(error.message).toContain('outside the store');
    }
    const writeError = await rejectionOf(store.writeAtomic('/demo/escape/sentinel.txt', Readable.from([Buffer.from('x')])));
    expect(writeError.code).toBe('BAD_PATH');
    expect(await readFile(join(base, 'sentinel.txt'), 'utf8')).toBe('outside');
  });

  it('refuses a dangling symlink', async () => {
    await mkdir(join(store.root, 'demo'), { recursive: true });
    await symlink(join(base, 'does-not-exist'), join(store.root, 'demo', 'dangling'));
    const error = await rejectionOf(store.writeAtomic('/demo/dangling', Readable.from([Buffer.from('x')])));
    expect(error.code).toBe('BAD_PATH');
  });

  it('allows a symlink that stays inside the root', async () => {
    await mkdir(join(store.root, 'demo', 'real'), { recursive: true });
    await symlink(join(store.root, 'demo', 'real'), join(store.root, 'demo', 'alias'));
    await expect(store.resolve('/demo/alias/x.mp4')).resolves.toMatchObject({ storePath: '/demo/alias/x.mp4' });
  });

  it('writes atomically, lists, stats, reads ranges and deletes', async () => {
    const stored = await store.writeAtomic('/demo/gate/clips/a.mp4', Readable.from([Buffer.from('0123456789')]));
    expect(stored).toMatchObject({ storePath: '/demo/gate/clips/a.mp4', sizeBytes: 10 });
    expect(await store.stat('/demo/gate/clips/a.mp4')).toMatchObject({ kind: 'file', sizeBytes: 10, name: 'a.mp4' });
    expect((await store.list('/demo/gate')).map((entry) => [entry.name, entry.kind])).toEqual([['clips', 'directory']]);
    const { stream } = await store.createReadStream('/demo/gate/clips/a.mp4', { start: 2, end: 4 });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('234');
    await store.delete('/demo/gate/clips/a.mp4');
    expect(await store.exists('/demo/gate/clips/a.mp4')).toBe(false);
    await expect(store.stat('/demo/gate/clips/a.mp4')).rejects.toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    await expect(store.delete('/')).rejects.toMatchObject({ code: 'BAD_PATH' });
  });

  it('leaves nothing behind and keeps the old file when a write fails', async () => {
    await store.writeAtomic('/demo/gate/upload/a.mp4', Readable.from([Buffer.from('old content')]));
    const tooBig = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(store.writeAtomic('/demo/gate/upload/a.mp4', tooBig, { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'UPLOAD_TOO_LARGE',
      httpStatus: 413,
    });
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('partial');
      throw new Error('connection lost');
    }
    await expect(store.writeAtomic('/demo/gate/upload/a.mp4', Readable.from(failing()))).rejects.toThrow('connection lost');
    expect(await readFile(join(store.root, 'demo/gate/upload/a.mp4'), 'utf8')).toBe('old content');
    expect(await readdir(join(store.root, 'demo/gate/upload'))).toEqual(['a.mp4']);
  });

  it('does not overwrite when asked not to, and checks the announced size', async () => {
    await store.writeAtomic('/demo/a.txt', Readable.from([Buffer.from('one')]));
    await expect(store.writeAtomic('/demo/a.txt', Readable.from([Buffer.from('two')]), { overwrite: false })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(store.writeAtomic('/demo/b.txt', Readable.from([Buffer.from('short')]), { expectedBytes: 10 })).rejects.toMatchObject({
      code: 'UPLOAD_INCOMPLETE',
    });
    expect(await readdir(join(store.root, 'demo'))).toEqual(['a.txt']);
  });

  it('hides temporary files from listings', async () => {
    await mkdir(join(store.root, 'demo'), { recursive: true });
    await writeFile(join(store.root, 'demo', `${TEMP_FILE_PREFIX}123`), 'in progress');
    expect(await store.list('/demo')).toEqual([]);
  });
});

describe('store layout', () => {
  it('accepts only /<project>/<camera>/upload/<file>', () => {
    expect(parseUploadPath('/demo/gate-1/upload/a.mp4')).toEqual({
      projectSlug: 'demo',
      cameraSlug: 'gate-1',
      fileName: 'a.mp4',
      storePath: '/demo/gate-1/upload/a.mp4',
    });
    for (const path of ['/demo/gate/upload', '/demo/gate/clips/a.mp4', '/Demo/gate/upload/a.mp4', '/demo/-gate/upload/a.mp4', '/demo/gate/upload/sub/a.mp4', '/a.mp4']) {
      expect(parseUploadPath(path)).toBeNull();
    }
    expect(parseUploadFolder('/demo/gate/upload')).toEqual({ projectSlug: 'demo', cameraSlug: 'gate' });
    expect(parseUploadFolder('/demo/gate')).toBeNull();
  });
});

describe('storePathFromUrl', () => {
  it('decodes segments and strips the mount path', () => {
    expect(storePathFromUrl('/demo/gate/upload/a%20b.mp4?x=1')).toBe('/demo/gate/upload/a b.mp4');
    expect(storePathFromUrl('/files/demo/a.mp4', '/files')).toBe('/demo/a.mp4');
  });

  it.each(['/demo/%2e%2e/%2e%2e/etc', '/demo/..%2f..%2fetc', '/demo/%2E%2E', '/demo/a%00b', '/demo/%5c..%5c', '/demo/%zz'])('refuses %j', (url) => {
    expect(() => storePathFromUrl(url)).toThrow(CameramonitError);
  });
});

describe('parseRangeHeader', () => {
  it.each([
    ['bytes=0-99', 1000, { kind: 'range', start: 0, end: 99 }],
    ['bytes=-100', 1000, { kind: 'range', start: 900, end: 999 }],
    ['bytes=-5000', 1000, { kind: 'range', start: 0, end: 999 }],
    ['bytes=900-', 1000, { kind: 'range', start: 900, end: 999 }],
    ['bytes=900-5000', 1000, { kind: 'range', start: 900, end: 999 }],
    ['bytes=1000-', 1000, { kind: 'unsatisfiable' }],
    ['bytes=-0', 1000, { kind: 'unsatisfiable' }],
    ['bytes=0-0', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-1', 1000, { kind: 'none' }],
    ['bytes=0-1,5-6', 1000, { kind: 'none' }],
    ['items=0-1', 1000, { kind: 'none' }],
    [undefined, 1000, { kind: 'none' }],
  ])('%j of %i bytes', (header, size, expected) => {
    expect(parseRangeHeader(header, size)).toEqual(expected);
  });
});
