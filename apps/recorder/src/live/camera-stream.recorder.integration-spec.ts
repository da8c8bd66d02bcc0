/**
 * CameraStreamRecorder with real ffmpeg: a looped fixture played in real time as a camera, cut
 * into clips in a real spool; what is written is read back with ffprobe.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegDriver, Mp4BoxSplitter } from '@cameramonit/media';
import { CameraStreamRecorder, defaultRecorderTimings, type CameraRecordingSpec, type RecordingStatus } from './camera-stream.recorder.js';
import { ClipSpool, type SpooledClip } from './clip-spool.js';
import type { LiveViewer } from './live-hub.js';
import { cameraVideo, startRtspServer } from '../../../../test/support/rtsp-server.js';

const run = promisify(execFile);
const fixture = resolve(import.meta.dirname, '../../../../fixtures/vtest.avi');

async function probe(file: string): Promise<{ duration: number; startTime: number; codec: string; width: number; frames: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'format=duration,start_time:stream=codec_name,width,nb_read_packets', '-of', 'json', file]);
  const json = JSON.parse(stdout) as { format: { duration: string; start_time: string }; streams: { codec_name: string; width: number; nb_read_packets: string }[] };
  return { duration: Number(json.format.duration), startTime: Number(json.format.start_time), codec: json.streams[0].codec_name, width: json.streams[0].width, frames: Number(json.streams[0].nb_read_packets) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('CameraStreamRecorder (real ffmpeg, a looped file as the camera)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cm-recorder-it-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('cuts the stream into clips of its buffer seconds that follow each other exactly, each a playable MP4 starting at 0, and feeds live viewers; stop leaves no ffmpeg', async () => {
    const spool = new ClipSpool(join(dir, 'spool'));
    const clips: SpooledClip[] = [];
    const states: string[] = [];
    const recorder = new CameraStreamRecorder(
      { cameraId: 'cam-1', projectSlug: 'home', cameraSlug: 'gate', name: 'Gate', input: { kind: 'file', url: fixture, encode: true, maxWidth: 640 }, clipSec: 2 },
      new FfmpegDriver(),
      spool,
      { onClip: (clip) => clips.push(clip), onStatus: (status: RecordingStatus) => states.push(status.state), log: () => undefined },
    );
    const received: Buffer[] = [];
    let ended = false;
    recorder.start();
    const deadline = Date.now() + 20_000;
    while (!recorder.live.info && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const viewer: LiveViewer = { write: (bytes) => (received.push(bytes), true), end: () => (ended = true) };
    expect(recorder.live.join(viewer)).toBe(true);
    expect(recorder.live.info).toMatchObject({ codec: expect.stringMatching(/^avc1\./), width: 640, browserPlayable: true });
    while (clips.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const pid = recorder.pid as number;
    expect(alive(pid)).toBe(true);
    await recorder.stop();
    expect(alive(pid)).toBe(false);
    expect(ended).toBe(true);
    expect(states).toEqual(['online']);

    expect(clips.length).toBeGreaterThanOrEqual(4); // three whole ones and the one cut by stop()
    for (let i = 1; i < clips.length; i++) {
      const previous = await probe(clips[i - 1].file);
      // the next clip starts where the previous one ended, to the frame
      expect(clips[i].startedAt.getTime() - clips[i - 1].startedAt.getTime()).toBeCloseTo(previous.duration * 1000, -2);
    }
    for (const clip of clips.slice(0, 3)) {
      const info = await probe(clip.file);
      expect(info).toMatchObject({ codec: 'h264', width: 640 });
      expect(info.duration).toBeCloseTo(2, 0);
      expect(info.startTime).toBeLessThan(0.05);
      expect(info.frames).toBe(Math.round(info.duration * 10));
    }
    // the viewer got an init segment, then whole fragments
    const boxes = new Mp4BoxSplitter().push(Buffer.concat(received)).map((box) => box.type);
    expect(boxes.slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(boxes.filter((type) => type === 'moof').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps the whole fragments of a clip cut short by a killed recorder', async () => {
    const spool = new ClipSpool(join(dir, 'spool-2'));
    const clips: SpooledClip[] = [];
    const recorder = new CameraStreamRecorder(
      { cameraId: 'cam-2', projectSlug: 'home', cameraSlug: 'yard', name: 'Yard', input: { kind: 'file', url: fixture, encode: true, maxWidth: 320 }, clipSec: 4 },
      new FfmpegDriver(),
      spool,
      { onClip: (clip) => clips.push(clip), onStatus: () => undefined, log: () => undefined },
    );
    recorder.start();
    const deadline = Date.now() + 20_000;
    while (clips.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await recorder.stop();
    // what a recorder killed in the middle of writing leaves: a .part with half a fragment at its end
    const [first] = clips;
    const bytes = await readFile(first.file);
    const part = join(spool.dirOf('cam-2'), `${first.startedAt.getTime() + 60_000}.mp4.part`);
    await writeFile(part, bytes.subarray(0, bytes.length - 777));
    const recovered = await spool.recover();
    const again = recovered.find((clip) => clip.startedAt.getTime() === first.startedAt.getTime() + 60_000);
    expect(again).toBeDefined();
    const info = await probe(again!.file);
    expect(info.codec).toBe('h264');
    expect(info.duration).toBeGreaterThan(2);
    expect(info.duration).toBeLessThan((await probe(first.file)).duration);
    expect((await readdir(spool.dirOf('cam-2'))).some((name) => name.endsWith('.part'))).toBe(false);
  });

  it('reports a camera it cannot reach as offline (not online, no clip) and retries with backoff', async () => {
    const spool = new ClipSpool(join(dir, 'spool-3'));
    const statuses: RecordingStatus[] = [];
    const recorder = new CameraStreamRecorder(
      { cameraId: 'cam-3', projectSlug: 'home', cameraSlug: 'none', name: 'None', input: { kind: 'rtsp', url: 'rtsp://127.0.0.1:9/nothing', ioTimeoutSec: 2 }, clipSec: 5 },
      new FfmpegDriver(),
      spool,
      { onClip: () => undefined, onStatus: (status) => statuses.push(status), log: () => undefined },
    );
    recorder.start();
    const deadline = Date.now() + 15_000;
    while (recorder.restarts < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await recorder.stop();
    expect(statuses.map((s) => s.state)).toEqual(['offline']);
    expect(statuses[0].message).toMatch(/refused the connection/);
    // 1 s, 2 s, 4 s...: three attempts take several seconds, not a burst
    expect(recorder.restarts).toBeLessThanOrEqual(4);
  });

  it("dates an RTSP camera's clips by when their pictures were taken, not by when ffmpeg got round to sending them (it probes first)", async () => {
    const server = await startRtspServer({ file: await cameraVideo({ seconds: 120, width: 320, height: 240, fps: 10 }) });
    const spool = new ClipSpool(join(dir, 'spool-dates'));
    const clips: SpooledClip[] = [];
    const recorder = new CameraStreamRecorder(
      { cameraId: 'cam-dates', projectSlug: 'home', cameraSlug: 'yard', name: 'Yard', input: { kind: 'rtsp', url: server.url }, clipSec: 2 },
      new FfmpegDriver(),
      spool,
      { onClip: (clip) => clips.push(clip), onStatus: () => undefined, log: () => undefined },
    );
    const startedAt = Date.now();
    try {
      recorder.start();
      const deadline = Date.now() + 30_000;
      while (clips.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await recorder.stop();
      await server.stop();
    }
    expect(clips.length).toBeGreaterThanOrEqual(3);
    for (const clip of clips.slice(0, 3)) {
      const { duration } = await probe(clip.file);
      // no picture is taken before the recorder asked for it, and no clip ends after it was finished
      // (a clip is finished when the next one's first key frame has come: about a second after its end)
      expect(clip.startedAt.getTime()).toBeGreaterThanOrEqual(startedAt);
      expect(clip.startedAt.getTime() + duration * 1000).toBeLessThanOrEqual(clip.finishedAtMs);
    }
  });

  it('keeps recording whole clips when a second viewer of a shared RTSP stream breaks its timestamps (switches to arrival times)', async () => {
    const video = await cameraVideo({ seconds: 120, width: 320, height: 240, fps: 10 });
    const server = await startRtspServer({ file: video });
    const spool = new ClipSpool(join(dir, 'spool-4'));
    const clips: SpooledClip[] = [];
    const logs: string[] = [];
    const spec = { projectSlug: 'home', cameraSlug: 'door', name: 'Door', input: { kind: 'rtsp' as const, url: server.url }, clipSec: 2 };
    const first = new CameraStreamRecorder({ ...spec, cameraId: 'cam-4' }, new FfmpegDriver(), spool, { onClip: (clip) => clips.push(clip), onStatus: () => undefined, log: (_level, message) => logs.push(message) });
    const second = new CameraStreamRecorder({ ...spec, cameraId: 'cam-5' }, new FfmpegDriver(), spool, { onClip: () => undefined, onStatus: () => undefined, log: () => undefined });
    try {
      first.start();
      const until = async (check: () => boolean, ms: number) => {
        const deadline = Date.now() + ms;
        while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      };
      await until(() => clips.length >= 2, 20_000);
      second.start();
      const joinedAt = Date.now();
      await until(() => Date.now() - joinedAt > 18_000, 22_000);
      const stoppedAt = Date.now();
      await first.stop();
      await second.stop();
      // the clips cut by the clock, not the last one (stop() ends it wherever it is)
      const after = clips.filter((clip) => clip.startedAt.getTime() > joinedAt + 12_000 && clip.finishedAtMs < stoppedAt);
      expect(after.length).toBeGreaterThanOrEqual(1);
      for (const clip of after) {
        const info = await probe(clip.file);
        expect(info.duration).toBeGreaterThan(1);
        // its time in the clip matches the time it took
        expect(info.frames).toBeGreaterThanOrEqual(Math.round(info.duration * 10) - 2);
      }
      // GStreamer's shared media restarts its clock for the new viewer: the first recorder saw it and switched
      expect(logs.filter((line) => /its timestamps are broken/.test(line))).toHaveLength(1);
    } finally {
      await first.stop();
      await second.stop();
      await server.stop();
    }
  });

  it('notices a camera that changes its picture size mid-stream (a new SPS in a key frame) and starts its stream again, the clip before it whole', async () => {
    // 3 s at 320x240 then 3 s at 480x360, one MPEG-TS (parameter sets in the stream), copied as a camera would be
    const parts = [['0', '320:240', 'a.ts'], ['3', '480:360', 'b.ts']] as const;
    for (const [from, size, name] of parts) {
      await run('ffmpeg', ['-v', 'error', '-y', '-ss', from, '-i', fixture, '-t', '3', '-vf', `scale=${size}`, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-bsf:v', 'h264_mp4toannexb', '-f', 'mpegts', join(dir, name)]);
    }
    const both = join(dir, 'sizes.ts');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', `concat:${join(dir, 'a.ts')}|${join(dir, 'b.ts')}`, '-c', 'copy', both]);
    const spool = new ClipSpool(join(dir, 'spool-sizes'));
    const clips: SpooledClip[] = [];
    const logs: string[] = [];
    const recorder = new CameraStreamRecorder(
      { cameraId: 'cam-sizes', projectSlug: 'home', cameraSlug: 'sizes', name: 'Sizes', input: { kind: 'file', url: both, encode: false }, clipSec: 2 },
      new FfmpegDriver(),
      spool,
      { onClip: (clip) => clips.push(clip), onStatus: () => undefined, log: (_level, message) => logs.push(message) },
    );
    recorder.start();
    const deadline = Date.now() + 20_000;
    while (!logs.some((line) => /changed its picture/.test(line)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await recorder.stop();
    expect(logs.filter((line) => /changed its picture \(new sequence parameters\); starting its stream again/.test(line)).length).toBeGreaterThanOrEqual(1);
    // what was recorded before the change is whole and of the first size
    expect(clips.length).toBeGreaterThanOrEqual(1);
    const first = await probe(clips[0].file);
    expect(first).toMatchObject({ codec: 'h264', width: 320 });
    expect(first.duration).toBeGreaterThan(1.5);
  });

  describe('HTTP cameras: an MJPEG stream and a snapshot URL behind basic authentication (a real HTTP server)', () => {
    let server: Server;
    let base: string;
    let frames: Buffer[] = [];
    const auth = `Basic ${Buffer.from('viewer:s3cret').toString('base64')}`;

    beforeAll(async () => {
      const framesDir = join(dir, 'jpeg');
      await run('mkdir', ['-p', framesDir]);
      await run('ffmpeg', ['-v', 'error', '-y', '-i', fixture, '-t', '3', '-vf', 'fps=10,scale=320:240', '-q:v', '5', join(framesDir, 'f%03d.jpg')]);
      frames = await Promise.all((await readdir(framesDir)).sort().map((name) => readFile(join(framesDir, name))));
      server = createServer((request, response) => {
        if (request.headers.authorization !== auth) {
          response.writeHead(401, { 'www-authenticate': 'Basic realm="camera"' }).end();
          return;
        }
        if (request.url === '/snap.jpg') {
          const frame = frames[Math.floor(Date.now() / 100) % frames.length];
          response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': frame.length }).end(frame);
          return;
        }
        if (request.url === '/video.mjpg') {
          response.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=frame' });
          let i = 0;
          const timer = setInterval(() => {
            const frame = frames[i++ % frames.length];
            response.write(`--frame\r\ncontent-type: image/jpeg\r\ncontent-length: ${frame.length}\r\n\r\n`);
            response.write(frame);
            response.write('\r\n');
          }, 100);
          request.on('close', () => clearInterval(timer));
          return;
        }
        response.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const record = async (input: CameraRecordingSpec['input'], snapshot: CameraRecordingSpec['snapshot'], waitMs: number) => {
      const spool = new ClipSpool(join(dir, `spool-${input.kind}-${Math.random().toString(36).slice(2, 8)}`));
      const clips: SpooledClip[] = [];
      const statuses: RecordingStatus[] = [];
      const recorder = new CameraStreamRecorder(
        { cameraId: `cam-${input.kind}`, projectSlug: 'home', cameraSlug: input.kind, name: input.kind, input, snapshot, clipSec: 2 },
        new FfmpegDriver(),
        spool,
        { onClip: (clip) => clips.push(clip), onStatus: (status) => statuses.push(status), log: () => undefined },
        // a camera that sends no picture is given up on after 5 s (the watchdog)
        { ...defaultRecorderTimings, stallSec: 5 },
      );
      recorder.start();
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline && clips.length < 2 && !statuses.some((s) => s.state !== 'online')) await new Promise((r) => setTimeout(r, 100));
      await recorder.stop();
      return { clips, statuses, live: recorder.streamInfo };
    };

    it('records an MJPEG stream as H.264 clips (user and password sent, never in a log)', async () => {
      const { clips, statuses, live } = await record({ kind: 'mjpeg', url: `${base}/video.mjpg`, username: 'viewer', password: 's3cret' }, undefined, 20_000);
      expect(statuses.map((s) => s.state)).toEqual(['online']);
      expect(live).toMatchObject({ codec: expect.stringMatching(/^avc1\./), width: 320, height: 240 });
      expect(clips.length).toBeGreaterThanOrEqual(2);
      const info = await probe(clips[0].file);
      expect(info).toMatchObject({ codec: 'h264', width: 320 });
      expect(info.duration).toBeCloseTo(2, 0);
    });

    it('records a snapshot URL fetched a few times a second, and says so when its password is wrong', async () => {
      const good = await record({ kind: 'snapshot', url: `${base}/snap.jpg`, snapshotFps: 5 }, { url: `${base}/snap.jpg`, username: 'viewer', password: 's3cret', fps: 5 }, 25_000);
      expect(good.statuses.map((s) => s.state)).toEqual(['online']);
      expect(good.clips.length).toBeGreaterThanOrEqual(1);
      const info = await probe(good.clips[0].file);
      expect(info).toMatchObject({ codec: 'h264', width: 320 });
      expect(info.duration).toBeGreaterThan(1);

      const wrong = await record({ kind: 'snapshot', url: `${base}/snap.jpg`, snapshotFps: 5 }, { url: `${base}/snap.jpg`, username: 'viewer', password: 'nope', fps: 5 }, 30_000);
      expect(wrong.clips).toEqual([]);
      expect(wrong.statuses.at(-1)).toMatchObject({ state: 'auth-failed', message: expect.stringMatching(/refused the user name or password \(401\)/) });
    });
  });
});
