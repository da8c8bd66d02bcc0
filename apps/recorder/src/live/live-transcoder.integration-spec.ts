import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver, Mp4BoxSplitter, parseFragment, parseInitSegment, splitFragmentedClip, type SplitClip } from '@cameramonit/media';
import { LiveHub, type LiveViewer } from './live-hub.js';
import { LiveTranscoder, LiveTranscoders } from './live-transcoder.js';

const vtest = resolve(import.meta.dirname, '../../../../fixtures/vtest.avi');

/** What a viewer of the re-encoded picture got: its bytes, and whether its stream was ended. */
function viewer(): LiveViewer & { bytes: Buffer[]; ended: boolean } {
  const seen = { bytes: [] as Buffer[], ended: false };
  return Object.assign(seen, {
    write: (bytes: Buffer) => {
      seen.bytes.push(bytes);
      return true;
    },
    end: () => {
      seen.ended = true;
    },
  });
}

/** The boxes a viewer got: its init segment's codec and size, and its fragments' key frames. */
function described(bytes: Buffer) {
  const boxes = new Mp4BoxSplitter().push(bytes);
  const moovAt = boxes.findIndex((box) => box.type === 'moov');
  const init = parseInitSegment(Buffer.concat(boxes.slice(0, moovAt + 1).map((box) => box.bytes)));
  const fragments = boxes.filter((box) => box.type === 'moof').map((box) => parseFragment(box.bytes, init));
  return { init, fragments };
}

const until = async (what: string, check: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
};

describe('LiveTranscoder: an H.265 camera\'s live picture re-encoded to H.264 for browsers (real ffmpeg)', () => {
  let dir: string;
  let camera: SplitClip;
  const ffmpeg = new FfmpegDriver();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-live-transcode-'));
    const file = join(dir, 'h265.mp4');
    // an H.265 camera as the recorder reads it: fragmented MP4, a fragment per key frame (one a second)
    execFileSync('ffmpeg', [
      '-v', 'error', '-y', '-i', vtest, '-t', '20', '-an', '-vf', 'fps=10,scale=640:480', '-c:v', 'libx265', '-preset', 'ultrafast',
      '-x265-params', 'keyint=10:min-keyint=10:bframes=0:log-level=error', '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p',
      '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', file,
    ]);
    const split = splitFragmentedClip(await readFile(file));
    if (!split) throw new Error('the test camera is not a fragmented MP4');
    camera = split;
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  /** The camera streaming into a hub in real time (a fragment a second, sped up `speed` times) until stopped. */
  function stream(hub: LiveHub, speed = 4): { stop: () => void } {
    hub.start(camera.init, parseInitSegment(camera.init));
    let next = 0;
    const timer = setInterval(() => {
      const fragment = camera.fragments[next++ % camera.fragments.length];
      hub.fragment(Buffer.concat([fragment.moof, fragment.mdat]), fragment.key);
    }, 1000 / speed);
    return { stop: () => clearInterval(timer) };
  }

  it('gives viewers H.264 (a key frame a second) that ffmpeg plays, joins a second viewer at once, and stops when nobody watches', async () => {
    const source = new LiveHub();
    const camera = stream(source);
    const ends: string[] = [];
    const transcoder = new LiveTranscoder(source, ffmpeg, { maxWidth: 320, idleMs: 500, startTimeoutMs: 15_000, onEnd: (reason) => ends.push(reason) });
    try {
      expect(source.info?.browserPlayable).toBe(false);
      const ready = await transcoder.ready;
      expect(ends).toEqual([]);
      expect(ready).toBe(true);
      expect(transcoder.hub.info?.codec).toMatch(/^avc1\./);
      expect(transcoder.hub.info?.browserPlayable).toBe(true);
      // the camera's 640 px picture, at most maxWidth wide
      expect([transcoder.hub.info?.width, transcoder.hub.info?.height]).toEqual([320, 240]);
      const first = viewer();
      expect(transcoder.join(first)).toBe(true);
      await until('four fragments', () => described(Buffer.concat(first.bytes)).fragments.length >= 4);
      const got = described(Buffer.concat(first.bytes));
      expect(got.fragments.every((fragment) => fragment.startsWithKeyFrame)).toBe(true);
      // about a second of video each (10 frames at 10 fps)
      for (const fragment of got.fragments) expect(fragment.duration / got.init.timescale).toBeCloseTo(1, 0);
      const file = join(dir, 'viewer.mp4');
      await writeFile(file, Buffer.concat(first.bytes));
      expect(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim()).toBe('h264,320,240');
      const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(decoded).toBe('');
      // a second viewer starts at once, from the newest key frame
      const second = viewer();
      expect(transcoder.join(second)).toBe(true);
      expect(described(Buffer.concat(second.bytes)).fragments).toHaveLength(1);
      // both leave: it stops after idleMs, and stops watching the camera
      transcoder.leave(first);
      transcoder.leave(second);
      expect(transcoder.running).toBe(true);
      await until('the re-encoding to stop', () => !transcoder.running, 5000);
      expect(ends).toEqual(['nobody watches']);
      expect(source.viewerCount).toBe(0);
    } finally {
      camera.stop();
      transcoder.stop('test over');
    }
  });

  it('ends its viewers when the camera\'s stream ends (they reconnect to a new one), and stops if nobody joins', async () => {
    const source = new LiveHub();
    const running = stream(source);
    const ends: string[] = [];
    const transcoder = new LiveTranscoder(source, ffmpeg, { maxWidth: 1280, idleMs: 60_000, startTimeoutMs: 15_000, onEnd: (reason) => ends.push(reason) });
    const watching = viewer();
    try {
      expect(await transcoder.ready).toBe(true);
      expect(transcoder.hub.info?.width).toBe(640);
      expect(transcoder.join(watching)).toBe(true);
      // the camera's ffmpeg restarts: its hub stops
      source.stop();
      expect(watching.ended).toBe(true);
      expect(transcoder.running).toBe(false);
      expect(ends).toEqual(["the camera's stream ended"]);
      expect(transcoder.join(viewer())).toBe(false);
    } finally {
      running.stop();
      transcoder.stop('test over');
    }
    // started for a request that went away before it joined: stopped after idleMs all the same
    const again = new LiveHub();
    const camera2 = stream(again);
    const orphanEnds: string[] = [];
    const orphan = new LiveTranscoder(again, ffmpeg, { maxWidth: 1280, idleMs: 300, startTimeoutMs: 15_000, onEnd: (reason) => orphanEnds.push(reason) });
    try {
      await until('the orphan to stop', () => !orphan.running, 5000);
      expect(orphanEnds).toEqual(['nobody watches']);
    } finally {
      camera2.stop();
      orphan.stop('test over');
    }
    // a camera that is not streaming: nothing to re-encode
    const silent = new LiveTranscoder(new LiveHub(), ffmpeg, { maxWidth: 1280, idleMs: 300, startTimeoutMs: 15_000, onEnd: () => undefined });
    expect(silent.running).toBe(false);
    expect(await silent.ready).toBe(false);
  });

  it('re-encodes at most LIVE_TRANSCODE_CAMERAS cameras at once, one per camera for all who watch it; 0 is off', async () => {
    const logged: string[] = [];
    const limited = new LiveTranscoders(ffmpeg, 1, (message) => logged.push(message), { maxWidth: 320, idleMs: 60_000, startTimeoutMs: 15_000 });
    const hall = new LiveHub();
    const yard = new LiveHub();
    const cameras = [stream(hall), stream(yard)];
    try {
      const first = limited.for('hall-id', 'hall', hall, 'hvc1.1.6.L93.B0');
      if (typeof first === 'string') throw new Error(`no re-encoding: ${first}`);
      expect(await first.ready).toBe(true);
      expect(limited.isRunning('hall-id')).toBe(true);
      // a second viewer of the same camera shares it
      expect(limited.for('hall-id', 'hall', hall, 'hvc1.1.6.L93.B0')).toBe(first);
      // another camera: busy while the first runs
      expect(limited.for('yard-id', 'yard', yard, 'hvc1.1.6.L93.B0')).toBe('busy');
      expect(limited.isRunning('yard-id')).toBe(false);
      // the first stops (nobody watches, or its stream restarted): the other may go
      first.stop('nobody watches');
      expect(limited.isRunning('hall-id')).toBe(false);
      const second = limited.for('yard-id', 'yard', yard, 'hvc1.1.6.L93.B0');
      if (typeof second === 'string') throw new Error(`no re-encoding: ${second}`);
      expect(await second.ready).toBe(true);
      expect(logged).toEqual([
        'Camera hall: its live picture is re-encoded to H.264 for a browser (it sends hvc1.1.6.L93.B0, and has no H.264 sub-stream)',
        'Camera hall: its live picture is no longer re-encoded: nobody watches',
        'Camera yard: its live picture is re-encoded to H.264 for a browser (it sends hvc1.1.6.L93.B0, and has no H.264 sub-stream)',
      ]);
      limited.stopAll('test over');
      expect(limited.isRunning('yard-id')).toBe(false);
      expect(new LiveTranscoders(ffmpeg, 0, () => undefined).for('hall-id', 'hall', hall, 'hvc1')).toBe('off');
    } finally {
      for (const camera of cameras) camera.stop();
      limited.stopAll('test over');
    }
  });
});
