/**
 * `npm run bench:live`: N simulated 720p H.264 cameras (real RTSP servers fed from a fixture) are
 * recorded and analysed by the whole platform on this machine for a while; then it prints the CPU
 * and memory of each app, the clip latency (end of a clip to its row in storage), the event latency
 * (end of the clip to the event's message in the chat, as a browser's socket receives it), gaps in
 * the recordings and how far the analysis is behind. Goals (docs/live-cameras.md): 10 cameras
 * within 60 % of the two cores, p95 event-to-chat within buffer seconds + 3 s, no gap.
 *
 * BENCH_CAMERAS (default 10), BENCH_SECONDS (default 120), BENCH_WIDTH/BENCH_HEIGHT (1280x720),
 * BENCH_FPS (10), BENCH_BUFFER (5), BENCH_ANALYSIS_FPS / BENCH_ANALYSIS_WIDTH (the platform's
 * defaults when unset), BENCH_WORKERS (video-to-text worker processes, VIDEO_TO_TEXT_WORKERS; 1),
 * BENCH_SCENE (the picture, a file under fixtures/ looped; default vtest.avi, people in view all the
 * time; eval/person-left-to-right.mp4 is one person crossing every 9 s; a list gives the cameras
 * different pictures: "eval/nothing-sensor-noise.mp4*8,eval/person-left-to-right.mp4*2"),
 * BENCH_KEYFRAME_WATCH (ANALYSIS_KEYFRAME_WATCH), BENCH_SUB (a sub-stream of
 * that size for every camera, e.g. 640x360: the analysis looks at it; default none), BENCH_STORE
 * (RECORDER_STORE: http, webdav, ftp or local), BENCH_DETECTOR_SIZE (DETECTOR_INPUT_SIZE), BENCH_BEHIND
 * (ANALYSIS_BEHIND_SECONDS). E2E_NODE_OPTIONS passes node options to every app (e.g. `--import
 * ./profile.mjs`, a module that starts node:inspector's profiler in the app to look at). Run through
 * vitest only to reuse the test harness; it asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { io } from 'socket.io-client';
import { it } from 'vitest';
import { AnalysisEntity, ClipEntity, EventEntity, openPlatformDatabase } from '@cameramonit/db';
import { Between, In } from 'typeorm';
import { login, startPlatform, waitFor } from '../support/platform.harness.js';
import { cameraVideo, startRtspServer, type RunningRtspServer } from '../support/rtsp-server.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const cameras = env('BENCH_CAMERAS', 10);
const seconds = env('BENCH_SECONDS', 120);
const width = env('BENCH_WIDTH', 1280);
const height = env('BENCH_HEIGHT', 720);
const fps = env('BENCH_FPS', 10);
const bufferSeconds = env('BENCH_BUFFER', 5);
const workers = env('BENCH_WORKERS', 1);
/**
 * the picture each camera sends, a file under fixtures/, looped: vtest.avi has people in view all the
 * time. A list gives cameras different pictures: "a.mp4*8,b.mp4*2" (8 cameras of a, 2 of b; the
 * counts add up to the cameras) or "a.mp4,b.mp4" (taken in turn).
 */
const scenes = sceneList(process.env.BENCH_SCENE ?? 'vtest.avi', cameras);
const scene = [...new Set(scenes)].map((name) => `${scenes.filter((one) => one === name).length}x ${name}`).join(', ');

function sceneList(spec: string, count: number): string[] {
  const items = spec.split(',').map((item) => /^\s*([^*]+?)\s*(?:\*\s*(\d+))?\s*$/.exec(item)).filter((match) => match !== null);
  if (items.length === 0) throw new Error(`BENCH_SCENE: no file in ${JSON.stringify(spec)}`);
  if (items.some((match) => match[2] !== undefined)) {
    const list = items.flatMap((match) => Array<string>(Number(match[2] ?? 1)).fill(match[1]));
    if (list.length !== count) throw new Error(`BENCH_SCENE gives ${list.length} cameras, BENCH_CAMERAS is ${count}`);
    return list;
  }
  return Array.from({ length: count }, (_, i) => items[i % items.length][1]);
}
/** a sub-stream for each camera ("640x360"), analysed instead of the main stream */
const subSize = /^(\d+)x(\d+)$/.exec(process.env.BENCH_SUB ?? '');
const clockTicks = 100; // USER_HZ on Linux

interface ProcessSample {
  pid: number;
  ppid: number;
  name: string;
  /** own user+system time, ticks */
  own: number;
  /** time of reaped children, ticks */
  children: number;
  rssKb: number;
  /** proportional set size: shared pages (ffmpeg's libraries) divided among the processes that map them */
  pssKb: number;
}

async function processes(): Promise<Map<number, ProcessSample>> {
  const found = new Map<number, ProcessSample>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const rss = /VmRSS:\s+(\d+)/.exec(status);
      found.set(Number(entry), {
        pid: Number(entry),
        ppid: Number(fields[1]),
        name,
        own: Number(fields[11]) + Number(fields[12]),
        children: Number(fields[13]) + Number(fields[14]),
        rssKb: rss ? Number(rss[1]) : 0,
        pssKb: await readFile(`/proc/${entry}/smaps_rollup`, 'utf8').then((text) => Number(/Pss:\s+(\d+)/.exec(text)?.[1] ?? 0), () => 0),
      });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** CPU ticks and RSS of an app process and everything under it. */
function treeOf(all: Map<number, ProcessSample>, root: number): { ticks: number; rssKb: number; pssKb: number; ffmpegs: number } {
  let ticks = 0;
  let rssKb = 0;
  let pssKb = 0;
  let ffmpegs = 0;
  const visit = (pid: number, top: boolean) => {
    const sample = all.get(pid);
    if (!sample) return;
    ticks += sample.own + (top ? sample.children : 0);
    rssKb += sample.rssKb;
    pssKb += sample.pssKb;
    if (sample.name === 'ffmpeg') ffmpegs++;
    for (const child of all.values()) if (child.ppid === pid) visit(child.pid, false);
  };
  visit(root, true);
  return { ticks, rssKb, pssKb, ffmpegs };
}

const percentile = (values: number[], q: number) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/**
 * The baseline, measured in the same run before the platform starts (only the first camera's idle
 * RTSP server is up): CPU seconds (user + system,
 * ffmpeg's own -benchmark) to decode `clipSeconds` of a camera's video alone on one thread, best of
 * three. Machines (and one machine on different days) differ about twofold; the worker's cost per
 * clip divided by this compares across them.
 */
function decodeBaseline(file: string, clipSeconds: number): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const out = spawnSync('ffmpeg', ['-hide_banner', '-benchmark', '-threads', '1', '-i', file, '-t', String(clipSeconds), '-f', 'null', '-'], { encoding: 'utf8' });
    const match = /utime=([\d.]+)s stime=([\d.]+)s/.exec(out.stderr ?? '');
    if (match) best = Math.min(best, Number(match[1]) + Number(match[2]));
  }
  return best;
}

it(`bench: ${cameras} live cameras, ${seconds} s`, async () => {
  const servers: RunningRtspServer[] = [];
  let baselineSec = NaN;
  for (let i = 0; i < cameras; i++) {
    const video = await cameraVideo({ seconds: Math.max(120, seconds + 120), width, height, fps, source: scenes[i] });
    const subVideo = subSize ? await cameraVideo({ seconds: Math.max(120, seconds + 120), width: Number(subSize[1]), height: Number(subSize[2]), fps, source: scenes[i] }) : undefined;
    servers.push(await startRtspServer({ file: video, subFile: subVideo, mount: `/cam${i}` }));
    if (i === 0) baselineSec = decodeBaseline(video, bufferSeconds);
  }
  const analysisEnv: Record<string, string> = { VIDEO_TO_TEXT_WORKERS: String(workers) };
  if (process.env.BENCH_KEYFRAME_WATCH) analysisEnv.ANALYSIS_KEYFRAME_WATCH = process.env.BENCH_KEYFRAME_WATCH;
  if (process.env.BENCH_STORE) analysisEnv.RECORDER_STORE = process.env.BENCH_STORE;
  if (process.env.BENCH_DETECTOR_SIZE) analysisEnv.DETECTOR_INPUT_SIZE = process.env.BENCH_DETECTOR_SIZE;
  if (process.env.BENCH_ANALYSIS_FPS) analysisEnv.ANALYSIS_FPS = process.env.BENCH_ANALYSIS_FPS;
  if (process.env.BENCH_ANALYSIS_WIDTH) analysisEnv.ANALYSIS_WIDTH = process.env.BENCH_ANALYSIS_WIDTH;
  if (process.env.BENCH_BEHIND) analysisEnv.ANALYSIS_BEHIND_SECONDS = process.env.BENCH_BEHIND;
  const platform = await startPlatform({ portBase: 31_000, externalBroker: false, env: { RETENTION_SWEEP_SECONDS: '3600', ...analysisEnv } });
  const db = await openPlatformDatabase(platform.database);
  try {
    const admin = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    const post = async <T>(path: string, body: object) => {
      const response = await fetch(`${platform.urls.admin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const project = await post<{ id: string }>('/api/projects', { slug: 'bench', name: 'Bench' });
    const cameraIds: string[] = [];
    for (let i = 0; i < cameras; i++) {
      const camera = await post<{ id: string }>(`/api/projects/${project.id}/cameras`, { slug: `cam${i}`, name: `Camera ${i}`, bufferSeconds, source: { kind: 'rtsp', url: servers[i].url, subStreamUrl: servers[i].subUrl } });
      cameraIds.push(camera.id);
    }
    await waitFor('every camera to record', async () => {
      const response = await fetch(`${platform.urls.recorder}/api/recordings`, { headers: { authorization: `Bearer ${admin}` } });
      const body = (await response.json()) as { cameras: { state: string }[] };
      return body.cameras.filter((camera) => camera.state === 'online').length === cameras;
    }, 120_000);

    // a browser's view of the chat: when each new event's message arrives
    const arrivals = new Map<string, number>();
    const socket = io(platform.urls.chat, { auth: { token: admin }, transports: ['websocket'] });
    socket.on('message', (payload: { message?: { kind: string; event?: { id: string } } }) => {
      if (payload.message?.kind === 'event' && payload.message.event && !arrivals.has(payload.message.event.id)) arrivals.set(payload.message.event.id, Date.now());
    });

    const pids: Record<string, number> = {};
    for (const [name, url] of Object.entries(platform.urls)) {
      if (typeof url !== 'string' || !url.startsWith('http') || name === 'webdav') continue;
      const health = (await (await fetch(`${url}/health`)).json()) as { pid: number };
      pids[name] = health.pid;
    }
    for (let k = 2; k <= workers; k++) {
      const health = (await (await fetch(`http://127.0.0.1:${platform.ports.videoToText + 100 * (k - 1)}/health`)).json()) as { pid: number };
      pids[`videoToText-${k}`] = health.pid;
    }
    // warm-up before measuring: the first clips and the detector's first runs
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const startedAt = new Date();
    const before = await processes();
    const peakRss: Record<string, number> = {};
    const peakPss: Record<string, number> = {};
    const sampler = setInterval(() => {
      void processes().then((all) => {
        for (const [name, pid] of Object.entries(pids)) {
          const tree = treeOf(all, pid);
          peakRss[name] = Math.max(peakRss[name] ?? 0, tree.rssKb);
          peakPss[name] = Math.max(peakPss[name] ?? 0, tree.pssKb);
        }
      });
    }, 2000);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    clearInterval(sampler);
    const after = await processes();
    const endedAt = new Date();

    const rows: string[] = [];
    let totalPercent = 0;
    let workerCpuSec = 0;
    for (const [name, pid] of Object.entries(pids)) {
      const a = treeOf(before, pid);
      const b = treeOf(after, pid);
      const percent = ((b.ticks - a.ticks) / clockTicks / seconds / 2) * 100;
      totalPercent += percent;
      if (name.startsWith('videoToText')) workerCpuSec += (b.ticks - a.ticks) / clockTicks;
      const mb = (kb: number) => String(Math.round(kb / 1024)).padStart(5);
      rows.push(`${name.padEnd(14)} ${fmt(percent).padStart(6)} %   ${mb(peakRss[name] ?? b.rssKb)} MB ${mb(peakPss[name] ?? b.pssKb)} MB   ffmpeg ${b.ffmpegs}`);
    }

    const clips = await db.getRepository(ClipEntity).find({ where: { cameraId: In(cameraIds), source: 'recording' }, order: { startedAt: 'ASC' } });
    const inWindow = clips.filter((clip) => clip.startedAt >= startedAt && clip.startedAt.getTime() + clip.durationSec * 1000 <= endedAt.getTime());
    const clipLatency = inWindow.map((clip) => (clip.createdAt.getTime() - (clip.startedAt.getTime() + clip.durationSec * 1000)) / 1000);
    let gaps = 0;
    let largestGap = 0;
    for (const cameraId of cameraIds) {
      const own = clips.filter((clip) => clip.cameraId === cameraId && clip.startedAt >= startedAt && clip.startedAt <= endedAt);
      for (let i = 1; i < own.length; i++) {
        const gap = Math.abs(own[i].startedAt.getTime() - (own[i - 1].startedAt.getTime() + own[i - 1].durationSec * 1000)) / 1000;
        largestGap = Math.max(largestGap, gap);
        if (gap > 1) gaps++;
      }
    }
    const events = await db.getRepository(EventEntity).find({ where: { cameraId: In(cameraIds) } });
    // the clips the analysis looks at: the sub-stream's when the cameras have one
    const analysedSource = subSize ? 'substream' : 'recording';
    const analysedClips = subSize ? await db.getRepository(ClipEntity).find({ where: { cameraId: In(cameraIds), source: 'substream' }, order: { startedAt: 'ASC' } }) : clips;
    const analysedInWindow = analysedClips.filter((clip) => clip.startedAt >= startedAt && clip.startedAt.getTime() + clip.durationSec * 1000 <= endedAt.getTime());
    const clipById = new Map(analysedClips.map((clip) => [clip.id, clip]));
    const eventLatency = events
      .filter((event) => arrivals.has(event.id))
      .map((event) => {
        const clip = clipById.get(event.clipId);
        return clip && clip.startedAt >= startedAt ? ((arrivals.get(event.id) as number) - (clip.startedAt.getTime() + clip.durationSec * 1000)) / 1000 : NaN;
      })
      .filter(Number.isFinite);
    const analysed = (await db.query(
      `SELECT COUNT(*) AS n, SUM(CASE WHEN keyFramesOnly THEN 1 ELSE 0 END) AS light FROM analyses WHERE status = 'done' AND clipId IN (${analysedInWindow.map(() => '?').join(',') || "''"})`,
      analysedInWindow.map((clip) => clip.id),
    )) as { n: number | string; light: number | string | null }[];
    const doneInWindow = Number(analysed[0]?.n ?? 0);
    const keyFramesOnly = Number(analysed[0]?.light ?? 0);
    // what the worker spent per clip it finished during the measured window (its ffmpegs included)
    const finishedInWindow = await db.getRepository(AnalysisEntity).count({ where: { cameraId: In(cameraIds), finishedAt: Between(startedAt, endedAt) } });
    const workerPerClipSec = finishedInWindow > 0 ? workerCpuSec / finishedInWindow : NaN;
    socket.close();

    const report = [
      '',
      `live bench: ${cameras} cameras of ${width}x${height} H.264 at ${fps} fps over RTSP (${scene})${process.env.BENCH_KEYFRAME_WATCH ? `, ANALYSIS_KEYFRAME_WATCH=${process.env.BENCH_KEYFRAME_WATCH}` : ''}${subSize ? `, analysed from a ${subSize[0]} sub-stream` : ''}, clips of ${bufferSeconds} s, ${workers} video-to-text worker(s), recorder -> storage over ${process.env.BENCH_STORE ?? 'http'}, ${seconds} s measured on ${2} cores`,
      `baseline: ffmpeg decodes ${bufferSeconds} s of a camera's video alone (one thread) in ${fmt(baselineSec, 3)} s of CPU`,
      '',
      'app            CPU (of 2 cores)  peak RSS  peak PSS (shared pages divided)',
      ...rows,
      `${'all apps'.padEnd(14)} ${fmt(totalPercent).padStart(6)} %`,
      '',
      `clips in the window: ${inWindow.length} (expected about ${Math.floor((seconds / bufferSeconds) * cameras)}); gaps over 1 s: ${gaps} (largest ${fmt(largestGap, 2)} s)`,
      `clip latency (clip end -> stored): p50 ${fmt(percentile(clipLatency, 0.5), 2)} s, p95 ${fmt(percentile(clipLatency, 0.95), 2)} s`,
      `event latency (clip end -> message in the chat): p50 ${fmt(percentile(eventLatency, 0.5), 2)} s, p95 ${fmt(percentile(eventLatency, 0.95), 2)} s over ${eventLatency.length} events`,
      `video-to-text CPU per clip it finished in the window: ${fmt(workerPerClipSec, 2)} s (${finishedInWindow} clips) = ${fmt(workerPerClipSec / baselineSec, 1)} x the baseline`,
      `analysis: ${doneInWindow} of ${analysedInWindow.length} ${analysedSource} clips of the window analysed by the end, ${keyFramesOnly} of them on key frames only (the worker behind, ANALYSIS_BEHIND_SECONDS=${process.env.BENCH_BEHIND ?? 'default'})`,
      '',
      `goal: all apps <= 60 % of the two cores ............ ${totalPercent <= 60 ? 'met' : 'NOT met'}`,
      `goal: p95 event-to-chat <= ${bufferSeconds + 3} s ..................... ${eventLatency.length === 0 ? '- (no event to time)' : percentile(eventLatency, 0.95) <= bufferSeconds + 3 ? 'met' : 'NOT met'}`,
      `goal: no gap ...................................... ${gaps === 0 ? 'met' : 'NOT met'}`,
      '',
    ].join('\n');
    process.stdout.write(report);
  } finally {
    await db.destroy();
    await platform.stop();
    for (const server of servers) await server.stop();
  }
}, 3_600_000);
