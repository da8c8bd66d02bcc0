import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client, FTPError } from 'basic-ftp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClipStore } from './clip-store.js';
import { FtpServerDriver } from './ftp-server.driver.js';
import type { CompletedUpload, CredentialsVerifier, FileServerUser, UploadPolicy, UploadSink } from './ports.js';

const VIDEO = fileURLToPath(new URL('../../../../fixtures/vtest.avi', import.meta.url));
const ANN: FileServerUser = { id: 'u-ann', email: 'ann@example.com', role: 'customer' };
const PASSWORD = 'correct horse: battery';

const verifier: CredentialsVerifier = {
  async verify(email, password) {
    await new Promise((resolve) => setTimeout(resolve, 5)); // async, like the MQTT round trip
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
let sinkFails = false;
const sink: UploadSink = {
  async onUploadComplete(upload) {
    uploads.push(upload);
    if (sinkFails) throw new Error('bus is down');
  },
};

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

async function ftpErrorOf(promise: Promise<unknown>): Promise<FTPError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FTPError) return error;
    throw error;
  }
  throw new Error('expected an FTP error reply');
}

/** Every file under a folder, relative paths, sorted. */
async function filesUnder(folder: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(join(folder, entry.name), `${relative}/`)));
    else found.push(relative);
  }
  return found.sort();
}

describe('FtpServerDriver (ftp-srv) with basic-ftp', () => {
  let base: string;
  let store: ClipStore;
  let driver: FtpServerDriver;
  let client: Client;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'ftp-driver-'));
    store = new ClipStore({ root: join(base, 'store') });
    await writeFile(join(base, 'sentinel.txt'), 'do not touch');
    await mkdir(join(store.root, 'demo', 'demo', 'clips'), { recursive: true });
    await writeFile(join(store.root, 'demo', 'demo', 'clips', 'clip-001.mp4'), 'recorded clip bytes');
    await mkdir(join(store.root, 'demo', 'evil'), { recursive: true });
    await symlink(base, join(store.root, 'demo', 'evil', 'upload')); // an upload folder that leads outside
    driver = new FtpServerDriver({ store, verifier, uploadPolicy: policy, uploadSink: sink, port: 0 });
    await driver.start();
  });

  afterAll(async () => {
    await driver.stop();
    await rm(base, { recursive: true, force: true });
  });

  beforeEach(async () => {
    uploads.length = 0;
    sinkFails = false;
    maxUploadBytes = 20 * 1024 * 1024;
    client?.close();
    client = new Client(15_000);
    await client.access({ host: '127.0.0.1', port: driver.port, user: ANN.email, password: PASSWORD });
  });

  it('refuses a wrong password with 530 and a clear text', async () => {
    const other = new Client(15_000);
    const error = await ftpErrorOf(other.access({ host: '127.0.0.1', port: driver.port, user: ANN.email, password: 'nope' }));
    other.close();
    expect(error.code).toBe(530);
    expect(error.message).toContain('Login incorrect: unknown email or wrong password');
  });

  it('stores an uploaded video byte for byte and reports it once', async () => {
    await client.uploadFrom(createReadStream(VIDEO), '/demo/demo/upload/vtest.avi');
    const storedPath = join(store.root, 'demo/demo/upload/vtest.avi');
    const size = (await stat(VIDEO)).size;
    expect(await sha256(storedPath)).toBe(await sha256(VIDEO));
    expect(uploads).toEqual([
      { user: ANN, projectSlug: 'demo', cameraSlug: 'demo', fileName: 'vtest.avi', storePath: '/demo/demo/upload/vtest.avi', sizeBytes: size },
    ]);
    expect(await readdir(join(store.root, 'demo/demo/upload'))).toEqual(['vtest.avi']);
  });

  it('uploads relative to the working folder, lists and downloads', async () => {
    await client.ensureDir('/demo/demo/upload'); // MKD of the upload folder, then CWD
    expect(await client.pwd()).toBe('/demo/demo/upload');
    await client.uploadFrom(Readable.from([Buffer.from('hello')]), 'note.txt');
    expect(uploads.map((upload) => upload.storePath)).toEqual(['/demo/demo/upload/note.txt']);
    await client.cd('../clips');
    const listing = await client.list();
    expect(listing.map((file) => [file.name, file.size])).toEqual([['clip-001.mp4', 19]]);
    const chunks: Buffer[] = [];
    const sinkStream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        chunks.push(chunk);
        done();
      },
    });
    await client.downloadTo(sinkStream, 'clip-001.mp4');
    expect(Buffer.concat(chunks).toString()).toBe('recorded clip bytes');
  });

  it('refuses uploads outside an upload folder with 550 and the rule', async () => {
    for (const path of ['/demo/demo/clips/x.mp4', '/demo/x.mp4', '/x.mp4', '/demo/demo/upload/sub/x.mp4', '/etc/passwd']) {
      const error = await ftpErrorOf(client.uploadFrom(Readable.from([Buffer.from('x')]), path));
      expect(error.code, path).toBe(550);
      expect(error.message).toContain('uploads are only accepted into /<project>/<camera>/upload/<file name>');
    }
    const denied = await ftpErrorOf(client.uploadFrom(Readable.from([Buffer.from('x')]), '/demo/locked/upload/x.mp4'));
    expect(denied.code).toBe(550);
    expect(denied.message).toContain('You may not upload to camera "locked" of project "demo"');
    const mkd = await ftpErrorOf(client.send('MKD /demo/demo/other'));
    expect(mkd.code).toBe(550);
    const dele = await ftpErrorOf(client.send('DELE /demo/demo/clips/clip-001.mp4'));
    expect(dele.message).toContain('read-only over FTP');
    expect(uploads).toEqual([]);
  });

  it('refuses path tricks and writes nothing outside the root', async () => {
    const before = await filesUnder(base);
    const cdup = await ftpErrorOf(client.send('CWD ..'));
    expect(cdup.code).toBe(550);
    expect(cdup.message).toContain('leaves the FTP root');
    for (const command of ['CWD /demo/../..', 'CWD ../../..', `CWD ${base}`, 'CWD /demo/evil/upload', 'CWD \\..\\..']) {
      expect((await ftpErrorOf(client.send(command))).code, command).toBe(550);
    }
    for (const path of [
      '../sentinel.txt',
      '/demo/demo/upload/../../../../sentinel.txt',
      '/demo/demo/upload/..\\..\\..\\..\\sentinel.txt',
      '/demo/evil/upload/sentinel.txt',
      `${base}/sentinel.txt`,
    ]) {
      const error = await ftpErrorOf(client.uploadFrom(Readable.from([Buffer.from('overwritten!')]), path));
      expect(error.code, path).toBe(550);
    }
    const retr = await ftpErrorOf(client.downloadTo(new Writable({ write: (_chunk, _encoding, done) => done() }), '/demo/evil/upload/sentinel.txt'));
    expect(retr.code).toBe(551);
    expect(await readFile(join(base, 'sentinel.txt'), 'utf8')).toBe('do not touch');
    expect(await filesUnder(base)).toEqual(before);
    expect(uploads).toEqual([]);
  });

  it('refuses an upload over the limit with 552, leaves no partial file and keeps the stored one', async () => {
    await client.uploadFrom(Readable.from([Buffer.from('the good version')]), '/demo/demo/upload/keep.avi');
    uploads.length = 0;
    maxUploadBytes = 1024 * 1024;
    const error = await ftpErrorOf(client.uploadFrom(createReadStream(VIDEO), '/demo/demo/upload/keep.avi'));
    expect(error.code).toBe(552);
    expect(error.message).toContain('The upload exceeds the limit of 1 MB');
    const tooBig = await ftpErrorOf(client.uploadFrom(createReadStream(VIDEO), '/demo/demo/upload/new.avi'));
    expect(tooBig.code).toBe(552);
    expect(await readFile(join(store.root, 'demo/demo/upload/keep.avi'), 'utf8')).toBe('the good version');
    expect((await readdir(join(store.root, 'demo/demo/upload'))).filter((name) => name !== 'vtest.avi' && name !== 'note.txt')).toEqual(['keep.avi']);
    expect(uploads).toEqual([]);
    // The session is still usable afterwards.
    maxUploadBytes = 20 * 1024 * 1024;
    await client.uploadFrom(Readable.from([Buffer.from('after')]), '/demo/demo/upload/after.txt');
    expect(uploads).toHaveLength(1);
  });

  it('keeps the upload and answers 226 when the sink fails', async () => {
    sinkFails = true;
    const response = await client.uploadFrom(Readable.from([Buffer.from('data')]), '/demo/demo/upload/sink-fails.txt');
    expect(response.code).toBe(226);
    expect(uploads).toHaveLength(1);
    expect(await readFile(join(store.root, 'demo/demo/upload/sink-fails.txt'), 'utf8')).toBe('data');
  });

  it('stops cleanly without leaking signal listeners', async () => {
    const signalsBefore = process.listenerCount('SIGTERM');
    const second = new FtpServerDriver({ store, verifier, uploadPolicy: policy, uploadSink: sink, port: 0 });
    const { port } = await second.start();
    expect(process.listenerCount('SIGTERM')).toBe(signalsBefore);
    const other = new Client(15_000);
    await other.access({ host: '127.0.0.1', port: second.port, user: ANN.email, password: PASSWORD });
    await second.stop();
    other.close();
    const refused = new Client(5_000);
    await expect(refused.access({ host: '127.0.0.1', port, user: ANN.email, password: PASSWORD })).rejects.toThrow(/ECONNREFUSED/);
    refused.close();
  });
});
