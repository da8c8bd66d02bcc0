import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { fixture, repoRoot } from './platform.harness.js';

const run = promisify(execFile);

/** Debian's python with PyGObject (a pyenv python on PATH does not have it). */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface RtspServerOptions {
  /** an H.264 MP4 (see cameraVideo) */
  file: string;
  /** default: a free port */
  port?: number;
  mount?: string;
  /** basic authentication; without it anyone may watch */
  username?: string;
  password?: string;
  /** a sub-stream too (a smaller copy of the picture), at `<mount>-sub` */
  subFile?: string;
  /** the main file's codec (default h264; the sub-stream's is H.264) */
  codec?: 'h264' | 'h265';
  /** a test host of test/support/host-network.ts (its network namespace and address) instead of 127.0.0.1 */
  host?: { netns: string; address: string };
}

export interface RunningRtspServer {
  /** rtsp://127.0.0.1:<port><mount> (or the host's address), without credentials */
  url: string;
  /** the sub-stream's address, when it has one */
  subUrl: string | null;
  port: number;
  /** like a camera losing power: the server is gone until start() */
  stop(): Promise<void>;
  /** the same address again */
  start(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real RTSP server (Debian's GStreamer RTSP server, test/support/rtsp-server.py) serving `file`
 * in real time over TCP and UDP, optionally with a password, as an IP camera would.
 */
export async function startRtspServer(options: RtspServerOptions): Promise<RunningRtspServer> {
  const port = options.port ?? (await freePort());
  const mount = options.mount ?? '/stream1';
  const args = [join(repoRoot, 'test/support/rtsp-server.py'), String(port), mount, options.file];
  if (options.username !== undefined) args.push(options.username, options.password ?? '');
  let child: ChildProcess | null = null;

  const start = async () => {
    const env = {
      ...process.env,
      RTSP_CODEC: options.codec ?? 'h264',
      ...(options.subFile ? { RTSP_SUB_MOUNT: `${mount}-sub`, RTSP_SUB_FILE: options.subFile } : {}),
      ...(options.host ? { RTSP_ADDRESS: options.host.address } : {}),
    };
    const started = options.host
      ? spawn('ip', ['netns', 'exec', options.host.netns, python, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    child = started;
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the RTSP server did not start in 15 s: ${output.join('\n')}`)), 15_000);
      createInterface({ input: started.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.trim() === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      createInterface({ input: started.stderr as NodeJS.ReadableStream }).on('line', (line) => output.push(line));
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the RTSP server exited (${code}): ${output.join('\n')}`));
      });
    });
  };
  const stop = async () => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  await start();
  const address = options.host?.address ?? '127.0.0.1';
  return { url: `rtsp://${address}:${port}${mount}`, subUrl: options.subFile ? `rtsp://${address}:${port}${mount}-sub` : null, port, stop, start };
}

/**
 * An H.264 MP4 camera picture made from fixtures/vtest.avi: `seconds` long (the 79.5 s fixture
 * looped), at `width` x `height`, a key frame every second (or every `keyFrameSeconds`). Made once per size and length and kept
 * in the temporary folder.
 */
export async function cameraVideo(options: { seconds: number; width?: number; height?: number; fps?: number; source?: string; codec?: 'h264' | 'h265'; keyFrameSeconds?: number }): Promise<string> {
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const fps = options.fps ?? 10;
  // another picture than vtest.avi (a fixture's name under fixtures/) gets its own file
  const source = options.source ?? 'vtest.avi';
  const scene = source === 'vtest.avi' ? '' : `-${source.replace(/[^a-z0-9]+/gi, '_')}`;
  const h265 = options.codec === 'h265';
  // a key frame a second unless asked otherwise (many cameras send one every 2 s or more)
  const keyInterval = Math.round(fps * (options.keyFrameSeconds ?? 1));
  const gop = options.keyFrameSeconds === undefined ? '' : `-gop${keyInterval}`;
  const out = join(tmpdir(), `cm-camera${scene}${h265 ? '-h265' : ''}-${width}x${height}-${fps}fps${gop}-${options.seconds}s.mp4`);
  return makeOnce(out, async (part) => {
    await run('ffmpeg', [
      '-v', 'error', '-y', '-stream_loop', '-1', '-i', fixture(source), '-t', String(options.seconds),
      '-vf', `scale=${width}:${height},fps=${fps}`,
      ...(h265
        ? ['-c:v', 'libx265', '-preset', 'veryfast', '-x265-params', `keyint=${keyInterval}:min-keyint=${keyInterval}:bframes=0:log-level=error`, '-tag:v', 'hvc1']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(keyInterval), '-bf', '0']),
      '-pix_fmt', 'yuv420p', '-an', '-movflags', '+faststart', part,
    ]);
  });
}

/** files being made now, so two tests asking for the same one at once wait for one ffmpeg */
const making = new Map<string, Promise<string>>();

/**
 * `out`, made by `make` into a part file of this call's own (renamed into place when whole, so
 * another process making the same file at the same time never reads or renames a half-written one)
 * unless it is there already; one at a time per file in this process.
 */
function makeOnce(out: string, make: (part: string) => Promise<void>): Promise<string> {
  if (existsSync(out)) return Promise.resolve(out);
  const pending = making.get(out);
  if (pending) return pending;
  const made = (async () => {
    const part = `${out}.${process.pid}-${Math.random().toString(36).slice(2)}.part.mp4`;
    try {
      await make(part);
      await rename(part, out);
      return out;
    } finally {
      making.delete(out);
      await rm(part, { force: true });
    }
  })();
  making.set(out, made);
  return made;
}

/**
 * A long camera picture (for a recording that must run for many minutes): `cameraVideo` of 60 s
 * repeated by stream copy (no encoding), its timestamps running on. Made once and kept.
 */
export async function longCameraVideo(options: { minutes: number; width?: number; height?: number; fps?: number; codec?: 'h264' | 'h265' }): Promise<string> {
  const base = await cameraVideo({ seconds: 60, width: options.width, height: options.height, fps: options.fps, codec: options.codec });
  const out = base.replace(/-60s\.mp4$/, `-${options.minutes}min.mp4`);
  return makeOnce(out, async (part) => {
    await run('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String(options.minutes - 1), '-i', base, '-c', 'copy', '-movflags', '+faststart', part]);
  });
}
