import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FfmpegDriver, type VideoFrame } from '@cameramonit/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HumanObjectDetector } from './human-object-detector.driver.js';
import type { ObjectDetector } from './object-detector.js';
import { analyseVideoWithStats, type SceneState, type VideoAnalysis } from './video-analysis.service.js';

const personClip = resolve(import.meta.dirname, '../../../fixtures/eval/person-left-to-right.mp4');

interface ClipRun {
  analysis: VideoAnalysis;
  /** the frames onFrame was given after the last onRestart */
  frames: VideoFrame[];
  restarts: number;
}

/**
 * A camera's recording cut into clips of 5 s as the recorder writes them (fragmented MP4, a key frame
 * every second): 10 s of the empty road with sensor noise, the man of person-left-to-right.mp4
 * walking across it for 9 s (in view from 10.8 s to 17.8 s), then 6 s of the empty road again.
 */
function recordCamera(dir: string): string[] {
  const still = join(dir, 'road.png');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', personClip, '-frames:v', '1', still]);
  const whole = join(dir, 'camera.mp4');
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-loop', '1', '-framerate', '10', '-t', '10', '-i', still,
    '-i', personClip,
    '-loop', '1', '-framerate', '10', '-t', '6', '-i', still,
    '-filter_complex', '[0:v]format=yuv420p,setsar=1[a];[1:v]fps=10,format=yuv420p,setsar=1[b];[2:v]format=yuv420p,setsar=1[c];[a][b][c]concat=n=3:v=1:a=0,noise=alls=6:allf=t[v]',
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p', '-an', whole,
  ]);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-i', whole, '-c', 'copy', '-f', 'segment', '-segment_time', '5', '-reset_timestamps', '1',
    '-segment_format_options', 'movflags=+frag_keyframe+empty_moov+default_base_moof', join(dir, 'clip-%02d.mp4'),
  ]);
  return readdirSync(dir).filter((name) => /^clip-\d+\.mp4$/.test(name)).sort().map((name) => join(dir, name));
}

describe('key-frame watch: a quiet camera is looked at on its key frames, and analysed in full at the first sign of life (real ffmpeg, real detector)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-keyframe-watch-'));
  const ffmpeg = new FfmpegDriver();
  const detector = new HumanObjectDetector({ minConfidence: 0.2, classes: null });
  let clips: string[] = [];

  beforeAll(async () => {
    clips = recordCamera(dir);
    await detector.load();
  });
  afterAll(async () => {
    await detector.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `stream`: the worker's way, the key frames decoded by one ffmpeg `driver` keeps running for the camera */
  async function analyseCamera(keyFrameWatch: boolean, keyFramesOnly = false, stream?: string, driver = ffmpeg): Promise<ClipRun[]> {
    const runs: ClipRun[] = [];
    let state: SceneState | null = null;
    for (const file of clips) {
      // as the worker does: the clip probed from its boxes, the scene carried as JSON
      const info = await ffmpeg.probe(file, { decodeCheck: false, recorded: true });
      const run: ClipRun = { analysis: undefined as unknown as VideoAnalysis, frames: [], restarts: 0 };
      run.analysis = await analyseVideoWithStats(file, {
        info,
        detector,
        ffmpeg: driver,
        classes: ['person'],
        keyFrameWatch,
        keyFramesOnly,
        keyFrameStream: stream,
        carryIn: state ? { state, gapSec: 0 } : null,
        onFrame: (frame) => run.frames.push(frame),
        onRestart: () => {
          run.restarts++;
          run.frames = [];
        },
      });
      state = JSON.parse(JSON.stringify(run.analysis.sceneState)) as SceneState;
      runs.push(run);
    }
    return runs;
  }

  it('decodes only the key frames of the quiet clips, and finds the walker as the full analysis does', async () => {
    expect(clips).toHaveLength(5);
    const watched = await analyseCamera(true);
    const full = await analyseCamera(false);
    const describe = (runs: ClipRun[]) =>
      runs.map(({ analysis }, i) => `clip ${i}: ${analysis.stats.keyFrameLook ? `key frames ${analysis.stats.keyFrameLook.outcome}${analysis.stats.keyFrameLook.reason ? ` (${analysis.stats.keyFrameLook.reason})` : ''}` : 'full'}, ${analysis.result.events.map((event) => `${event.label}${event.continued ? ' continued' : ''} ${event.startSec.toFixed(1)}..${event.endSec.toFixed(1)} s`).join('; ') || 'no event'}`);
    console.info(describe(watched).join('\n'));

    // clip 0 has no previous clip: analysed in full; it ends quiet
    expect(watched[0].analysis.stats.keyFrameLook).toBeNull();
    expect(watched[0].analysis.sceneState.quiet).toBe(true);
    // clip 1 (5-10 s, the empty road): its 5 key frames only, nothing found
    expect(watched[1].analysis.stats.keyFrameLook).toEqual({ frames: 5, outcome: 'kept', reason: null });
    expect(watched[1].analysis.result.analysedFrames).toBe(5);
    expect(watched[1].frames.map((frame) => frame.sec)).toEqual([0, 1, 2, 3, 4]);
    expect(watched[1].analysis.result.events).toEqual([]);
    expect(watched[1].analysis.result.durationSec).toBeCloseTo(5, 1);
    // clip 2 (10-15 s): the man walks in at 0.8 s; the key frames see him move, and the clip is analysed at 5 fps from its start
    expect(watched[2].analysis.stats.keyFrameLook).toMatchObject({ outcome: 'gave up', reason: expect.stringMatching(/^motion at [12]\.0 s$/) });
    expect(watched[2].restarts).toBe(1);
    expect(watched[2].frames).toHaveLength(25);
    expect(watched[2].analysis.result.analysedFrames).toBe(25);
    // clip 3: he is still walking at the end of clip 2, so no key-frame look
    expect(watched[2].analysis.sceneState.quiet).toBe(false);
    expect(watched[3].analysis.stats.keyFrameLook).toBeNull();
    // clip 4 (20-25 s): he left at 17.8 s, clip 3 ended quiet: key frames only again
    expect(watched[4].analysis.stats.keyFrameLook).toMatchObject({ outcome: 'kept' });
    expect(watched[4].analysis.result.events).toEqual([]);

    // the same events as analysing every clip at 5 fps: one person, starting about 0.8 s into clip 2, going on in clip 3
    const events = (runs: ClipRun[]) => runs.map(({ analysis }) => analysis.result.events.map((event) => ({ label: event.label, continued: event.continued, startSec: event.startSec, endSec: event.endSec })));
    const mine = events(watched);
    const theirs = events(full);
    expect(mine.map((clip) => clip.map((event) => `${event.label}${event.continued ? '+' : ''}`))).toEqual(theirs.map((clip) => clip.map((event) => `${event.label}${event.continued ? '+' : ''}`)));
    expect(mine[2]).toHaveLength(1);
    expect(mine[2][0]).toMatchObject({ label: 'person', continued: false });
    expect(Math.abs(mine[2][0].startSec - 0.81)).toBeLessThanOrEqual(1);
    mine.forEach((clip, i) => clip.forEach((event, k) => {
      expect(Math.abs(event.startSec - theirs[i][k].startSec)).toBeLessThanOrEqual(0.25);
      expect(Math.abs(event.endSec - theirs[i][k].endSec)).toBeLessThanOrEqual(0.25);
    }));

    // what it saves: the frames looked at over the quiet clips
    const framesOf = (runs: ClipRun[]) => runs.reduce((sum, run) => sum + run.analysis.stats.framesRead, 0);
    expect(framesOf(watched)).toBeLessThan(framesOf(full));
  });

  it('gives the key frames up when the detector finds an object that was not standing there, though nothing moved', async () => {
    // the camera's first whole-frame look finds nothing; from then on a car stands in the middle of the road
    let calls = 0;
    const car = { label: 'car', confidence: 0.9, box: { x: 250, y: 250, width: 140, height: 90 } };
    const carAppears: ObjectDetector = {
      detect: async () => (calls++ === 0 ? [] : [{ ...car, box: { ...car.box } }]),
      dispose: async () => undefined,
    };
    const first = await analyseVideoWithStats(clips[0], { info: await ffmpeg.probe(clips[0], { decodeCheck: false, recorded: true }), detector: carAppears, ffmpeg, crops: false });
    expect(first.sceneState.quiet).toBe(true);
    const next = await analyseVideoWithStats(clips[1], {
      info: await ffmpeg.probe(clips[1], { decodeCheck: false, recorded: true }),
      detector: carAppears,
      ffmpeg,
      crops: false,
      carryIn: { state: JSON.parse(JSON.stringify(first.sceneState)) as SceneState, gapSec: 0 },
    });
    expect(next.stats.keyFrameLook).toMatchObject({ outcome: 'gave up', reason: expect.stringMatching(/^a car that was not standing there at \d\.0 s$/) });
    expect(next.result.analysedFrames).toBe(25);
    expect(next.result.tracks.some((track) => track.label === 'car')).toBe(true);
  });

  it('a worker that is behind looks at every clip on its key frames alone, and still finds the walker as one event across two clips', async () => {
    const light = await analyseCamera(true, true);
    const full = await analyseCamera(false);
    for (const run of light) {
      expect(run.analysis.stats.keyFrameLook).toEqual({ frames: 5, outcome: 'only', reason: null });
      expect(run.analysis.result.analysedFrames).toBe(5);
      expect(run.restarts).toBe(0);
      expect(run.frames.map((frame) => frame.sec)).toEqual([0, 1, 2, 3, 4]);
      expect(run.analysis.result.durationSec).toBeCloseTo(5, 1);
    }
    // the man walks in during clip 2 and out during clip 3: one person event, going on, as in full
    const shape = (runs: ClipRun[]) => runs.map(({ analysis }) => analysis.result.events.map((event) => `${event.label}${event.continued ? '+' : ''}`));
    expect(shape(light)).toEqual([[], [], ['person'], ['person+'], []]);
    expect(shape(full)).toEqual(shape(light));
    // ...starting and ending within a key frame of where the full analysis has them
    for (const i of [2, 3]) {
      const [mine] = light[i].analysis.result.events;
      const [theirs] = full[i].analysis.result.events;
      expect(Math.abs(mine.startSec - theirs.startSec)).toBeLessThanOrEqual(1);
      expect(Math.abs(mine.endSec - theirs.endSec)).toBeLessThanOrEqual(1);
    }
    // a fifth of the frames, and fewer detector runs
    const sum = (runs: ClipRun[], of: (analysis: VideoAnalysis) => number) => runs.reduce((total, run) => total + of(run.analysis), 0);
    expect(sum(light, (analysis) => analysis.stats.framesRead)).toBe(25);
    expect(sum(full, (analysis) => analysis.stats.framesRead)).toBe(125);
    expect(sum(light, (analysis) => analysis.stats.detectorRuns)).toBeLessThan(sum(full, (analysis) => analysis.stats.detectorRuns));
  });

  it('the worker\'s way, the camera\'s key frames decoded by one ffmpeg kept running: the same looks, frames and events', async () => {
    const driver = new FfmpegDriver();
    try {
      const summary = (runs: ClipRun[]) =>
        runs.map(({ analysis, frames, restarts }) => ({
          look: analysis.stats.keyFrameLook,
          restarts,
          secs: frames.map((frame) => frame.sec),
          events: analysis.result.events.map((event) => ({ label: event.label, continued: event.continued, startSec: event.startSec, endSec: event.endSec })),
        }));
      for (const keyFramesOnly of [true, false]) {
        const own = await analyseCamera(true, keyFramesOnly);
        const kept = await analyseCamera(true, keyFramesOnly, 'camera:recording', driver);
        expect(summary(kept)).toEqual(summary(own));
        // the same pictures, not only the same times
        kept.forEach((run, i) => run.frames.forEach((frame, k) => {
          let difference = 0;
          for (let p = 0; p < frame.rgb.length; p += 97) difference += Math.abs(frame.rgb[p] - own[i].frames[k].rgb[p]);
          expect(difference / (frame.rgb.length / 97)).toBeLessThan(0.5);
        }));
      }
      // behind: every clip on key frames (5 clips); watching: clips 1, 2 and 4 (clip 2 given up at the man) - one process for them all
      expect(driver.keyFrameDecoders.started).toBe(1);
      expect(driver.keyFrameDecoders.running).toBe(1);
    } finally {
      driver.close();
    }
  });

  it('analyses a clip whose key frames are too far apart in full, even when the worker is behind', async () => {
    const info = await ffmpeg.probe(clips[2], { decodeCheck: false, recorded: true });
    const sparse = await analyseVideoWithStats(clips[2], { info: { ...info, keyFrameSecs: [0, 2.5] }, detector, ffmpeg, keyFramesOnly: true });
    expect(sparse.stats.keyFrameLook).toBeNull();
    expect(sparse.result.analysedFrames).toBe(25);
    expect(sparse.result.events.map((event) => event.label)).toEqual(['person']);
  });

  it('analyses a clip in full when its key frames cannot all be read, whether the worker is behind or watching', async () => {
    // an index that promises a key frame the file does not have
    const wrongIndex = async (file: string) => {
      const info = await ffmpeg.probe(file, { decodeCheck: false, recorded: true });
      expect(info.keyFrameSecs).toEqual([0, 1, 2, 3, 4]);
      return { ...info, keyFrameSecs: [0, 1, 2, 3, 4, 4.5] };
    };
    let restarts = 0;
    const onRestart = () => restarts++;
    const behind = await analyseVideoWithStats(clips[2], { info: await wrongIndex(clips[2]), detector, ffmpeg, classes: ['person'], keyFramesOnly: true, onRestart });
    expect(behind.stats.keyFrameLook).toEqual({ frames: 5, outcome: 'gave up', reason: '5 of its 6 key frames could be read' });
    expect(behind.result.analysedFrames).toBe(25);
    expect(behind.result.events.map((event) => event.label)).toEqual(['person']);

    const first = await analyseVideoWithStats(clips[0], { info: await ffmpeg.probe(clips[0], { decodeCheck: false, recorded: true }), detector, ffmpeg, classes: ['person'] });
    expect(first.sceneState.quiet).toBe(true);
    const watched = await analyseVideoWithStats(clips[1], { info: await wrongIndex(clips[1]), detector, ffmpeg, classes: ['person'], carryIn: { state: first.sceneState, gapSec: 0 }, onRestart });
    expect(watched.stats.keyFrameLook).toEqual({ frames: 5, outcome: 'gave up', reason: '5 of its 6 key frames could be read' });
    expect(watched.result.analysedFrames).toBe(25);
    expect(watched.result.events).toEqual([]);
    expect(restarts).toBe(2);
  });

  it('does not watch a clip whose key frames are too far apart, nor when it is switched off', async () => {
    const first = await analyseVideoWithStats(clips[0], { info: await ffmpeg.probe(clips[0], { decodeCheck: false, recorded: true }), detector, ffmpeg });
    const info = await ffmpeg.probe(clips[1], { decodeCheck: false, recorded: true });
    const carryIn = { state: first.sceneState, gapSec: 0 };
    expect(first.sceneState.quiet).toBe(true);
    const sparse = await analyseVideoWithStats(clips[1], { info: { ...info, keyFrameSecs: [0, 2.5] }, detector, ffmpeg, carryIn });
    expect(sparse.stats.keyFrameLook).toBeNull();
    const unknown = await analyseVideoWithStats(clips[1], { info: { ...info, keyFrameSecs: undefined }, detector, ffmpeg, carryIn });
    expect(unknown.stats.keyFrameLook).toBeNull();
    const off = await analyseVideoWithStats(clips[1], { info, detector, ffmpeg, carryIn, keyFrameWatch: false });
    expect(off.stats.keyFrameLook).toBeNull();
    expect(off.result.analysedFrames).toBe(25);
  });
});
