#!/usr/bin/env node
/**
 * `npm run bench`: how fast the analysis is on this machine. Analyses fixtures/vtest.avi and a 720p
 * H.264 copy of it (made once into node_modules/.cache/cameramonit-bench), and prints per video: the
 * whole analysis as x realtime; ffmpeg decoding alone at the analysis fps and size, with one decoder
 * thread as the analysis decodes (the floor), and the ratio of the two; decode + motion + tracking
 * without the detector and its ratio to the floor;
 * motion ms per frame; detector ms per call (median, p95); peak RSS; and whether the goals are met.
 *
 * Options: --repeat N (best of N runs of the analysis, default 1; the floor and the pass without the detector are best of at least 3), --fps, --width, --whole-frames
 * (the detector on whole frames every 0.4 s while anything moves: the engine before crops).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Detection } from '@cameramonit/contracts';
import { FfmpegDriver, fitFrameSize } from '@cameramonit/media';
import { analyseVideoWithStats, type AnalyseVideoOptions, type ObjectDetector, type VideoAnalysis } from '@cameramonit/vision';
import { benchRow, formatBenchTable, type BenchMeasurement } from './bench.report.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');

/** Finds nothing, instantly: what the frame loop costs without the detector. */
class NoObjectDetector implements ObjectDetector {
  readonly cropSizes = [128, 192, 256];
  async detect(): Promise<Detection[]> {
    return [];
  }
  async detectBatch(images: readonly unknown[]): Promise<Detection[][]> {
    return images.map(() => []);
  }
  async dispose(): Promise<void> {}
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const value = await run();
  const cpu = process.cpuUsage(cpuStarted);
  return { ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, value };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      repeat: { type: 'string', default: '1' },
      fps: { type: 'string', default: '5' },
      width: { type: 'string', default: '512' },
      'whole-frames': { type: 'boolean', default: false },
    },
  });
  const repeat = Math.max(1, Number(values.repeat) || 1);
  const fps = Number(values.fps);
  const maxWidth = Number(values.width);
  const ffmpeg = new FfmpegDriver();
  const vtest = join(repoRoot, 'fixtures', 'vtest.avi');
  const cacheDir = join(repoRoot, 'node_modules', '.cache', 'cameramonit-bench');
  const vtest720 = join(cacheDir, 'vtest-720p.mp4');
  if (!existsSync(vtest720)) {
    await mkdir(cacheDir, { recursive: true });
    log(`making a 720p H.264 copy of vtest.avi: ${vtest720}`);
    await ffmpeg.transcodeToMp4(vtest, vtest720, { height: 720, keepAudio: false, preset: 'veryfast', crf: 23 });
  }
  const analysisOptions: AnalyseVideoOptions = { fps, width: maxWidth };
  if (values['whole-frames']) Object.assign(analysisOptions, { crops: false, trackEverySec: 0.4 });
  log(`bench: ${repeat === 1 ? 'one run' : `best of ${repeat} runs`} of the analysis (the floor and the pass without the detector: best of ${Math.max(3, repeat)}), ${fps} fps, width ${maxWidth}${values['whole-frames'] ? ', whole frames (no crops)' : ''}`);

  const measurements: BenchMeasurement[] = [];
  for (const file of [vtest, vtest720]) {
    const info = await ffmpeg.probe(file);
    const size = fitFrameSize(info.width, info.height, maxWidth);
    let floorMs = Infinity;
    let noDetectorMs = Infinity;
    let floorCpuMs = Infinity;
    let noDetectorCpuMs = Infinity;
    let best: { ms: number; value: VideoAnalysis } | null = null;
    let frames = 0;
    // the floor and the pass without the detector take a second or two each, so a busy moment of the
    // machine moves their ratio by tens of percent: they are timed best of (at least) three
    for (let run = 0; run < Math.max(3, repeat); run++) {
      const floor = await timed(async () => {
        let count = 0;
        for await (const frame of ffmpeg.readFrames(file, { fps, width: size.width, height: size.height, decodeThreads: 1 })) count += frame.rgb.length > 0 ? 1 : 0;
        return count;
      });
      frames = floor.value;
      floorMs = Math.min(floorMs, floor.ms);
      floorCpuMs = Math.min(floorCpuMs, floor.cpuMs);
      // no detector stage at all: no model and no crops cut for it (cutting and scaling crops is part of each detector call's time)
      const noDetector = await timed(() => analyseVideoWithStats(file, { ...analysisOptions, detector: new NoObjectDetector(), crops: false }));
      noDetectorMs = Math.min(noDetectorMs, noDetector.ms);
      noDetectorCpuMs = Math.min(noDetectorCpuMs, noDetector.cpuMs);
      log(`  ${basename(file)} run ${run + 1}: floor ${(floor.ms / 1000).toFixed(2)} s, no detector ${(noDetector.ms / 1000).toFixed(2)} s`);
    }
    for (let run = 0; run < repeat; run++) {
      const analysis = await timed(() => analyseVideoWithStats(file, analysisOptions));
      if (!best || analysis.ms < best.ms) best = analysis;
      log(`  ${basename(file)} run ${run + 1}: analysis ${(analysis.ms / 1000).toFixed(2)} s (${analysis.value.stats.detectorRuns} detector calls)`);
    }
    if (!best) throw new Error('no run');
    const stats = best.value.stats;
    measurements.push({
      name: basename(file),
      videoSec: info.durationSec,
      frames,
      frameWidth: size.width,
      frameHeight: size.height,
      fps,
      floorMs,
      noDetectorMs,
      floorCpuMs,
      noDetectorCpuMs,
      analysisMs: best.ms,
      analysisCpuMs: stats.cpuMs,
      motionMsPerFrame: stats.framesRead > 0 ? stats.motionMs / stats.framesRead : 0,
      detectorCalls: stats.detectorCalls,
      events: best.value.result.events.length,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    });
  }
  const rows = measurements.map((measurement, i) => benchRow(measurement, i === 0));
  const first = measurements[0];
  process.stdout.write(
    `Cameramonit bench: ${first.frameWidth}x${first.frameHeight} @ ${first.fps} fps (vtest.avi ${first.videoSec} s, ${first.frames} frames)\n\n` +
      `${formatBenchTable(rows)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
