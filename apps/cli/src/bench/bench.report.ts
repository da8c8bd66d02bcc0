/** The pure parts of `npm run bench`: percentiles, the goals, the printed table. */

/** The p-th percentile (0..100) of `values`, linear between the closest ranks; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** What was measured on one video (times in ms, wall clock, in one process). */
export interface BenchMeasurement {
  name: string;
  videoSec: number;
  frames: number;
  frameWidth: number;
  frameHeight: number;
  fps: number;
  /** ffmpeg decode alone at the analysis fps and size, frames read by this process and dropped */
  floorMs: number;
  /** decode + motion + scheduling + tracking, without the detector stage (no model, no crops) */
  noDetectorMs: number;
  /** CPU time of this process while reading the frames alone, and during the no-detector analysis */
  floorCpuMs: number;
  noDetectorCpuMs: number;
  /** the whole analysis, model load included */
  analysisMs: number;
  /** CPU time of this process (all its threads, ffmpeg not included) during the whole analysis */
  analysisCpuMs: number;
  motionMsPerFrame: number;
  /** every detector call: wall ms, CPU ms and images (crops) in it */
  detectorCalls: { ms: number; cpuMs: number; images: number }[];
  events: number;
  peakRssMb: number;
}

/** The issue's goals on a 2-core machine. */
export const benchGoals = {
  detectorMedianMs: 120,
  /** for vtest.avi */
  minRealtime: 5,
  /** decode + motion + tracking over the ffmpeg floor */
  maxMotionOverhead: 0.3,
} as const;

export interface BenchRow {
  name: string;
  realtime: number;
  cpuRealtime: number;
  floorRealtime: number;
  analysisVsFloor: number;
  noDetectorVsFloor: number;
  /** CPU ms per frame this process spends beyond reading frames: motion, scheduling, tracking */
  frameLoopCpuMsPerFrame: number;
  motionMsPerFrame: number;
  detectorRuns: number;
  detectorImages: number;
  detectorMedianMs: number;
  detectorP95Ms: number;
  detectorCpuMedianMs: number;
  detectorCpuP95Ms: number;
  detectorMedianMsPerImage: number;
  peakRssMb: number;
  events: number;
  goals: { detector: boolean; realtime: boolean | null; motionOverhead: boolean };
}

/** The numbers of one video, and which goals they meet (the x-realtime goal is for vtest.avi only). */
export function benchRow(measurement: BenchMeasurement, realtimeGoalApplies: boolean): BenchRow {
  const callMs = measurement.detectorCalls.map((call) => call.ms);
  const perImageMs = measurement.detectorCalls.map((call) => call.ms / Math.max(1, call.images));
  const realtime = measurement.videoSec / (measurement.analysisMs / 1000);
  const noDetectorVsFloor = measurement.noDetectorMs / measurement.floorMs;
  const detectorMedianMs = median(callMs);
  return {
    name: measurement.name,
    realtime,
    cpuRealtime: measurement.videoSec / (measurement.analysisCpuMs / 1000),
    floorRealtime: measurement.videoSec / (measurement.floorMs / 1000),
    analysisVsFloor: measurement.analysisMs / measurement.floorMs,
    noDetectorVsFloor,
    frameLoopCpuMsPerFrame: (measurement.noDetectorCpuMs - measurement.floorCpuMs) / Math.max(1, measurement.frames),
    motionMsPerFrame: measurement.motionMsPerFrame,
    detectorRuns: callMs.length,
    detectorImages: measurement.detectorCalls.reduce((sum, call) => sum + call.images, 0),
    detectorMedianMs,
    detectorP95Ms: percentile(callMs, 95),
    detectorCpuMedianMs: median(measurement.detectorCalls.map((call) => call.cpuMs)),
    detectorCpuP95Ms: percentile(measurement.detectorCalls.map((call) => call.cpuMs), 95),
    detectorMedianMsPerImage: median(perImageMs),
    peakRssMb: measurement.peakRssMb,
    events: measurement.events,
    goals: {
      detector: !(detectorMedianMs > benchGoals.detectorMedianMs),
      realtime: realtimeGoalApplies ? realtime >= benchGoals.minRealtime : null,
      motionOverhead: noDetectorVsFloor - 1 <= benchGoals.maxMotionOverhead,
    },
  };
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const signedPercent = (fraction: number) => `${fraction >= 0 ? '+' : ''}${fixed(fraction * 100, 0)}%`;
const mark = (met: boolean | null) => (met === null ? '' : met ? ' ok' : ' MISSED');

/** The table `npm run bench` prints: one block per video, then the goals. */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const columns: [string, (row: BenchRow) => string][] = [
    ['whole analysis (x realtime)', (row) => `${fixed(row.realtime, 2)}x${mark(row.goals.realtime)}`],
    ['whole analysis, CPU time (x realtime)', (row) => `${fixed(row.cpuRealtime, 2)}x`],
    ['ffmpeg decode alone = floor (x realtime)', (row) => `${fixed(row.floorRealtime, 1)}x`],
    ['analysis / floor', (row) => `${fixed(row.analysisVsFloor, 2)}`],
    ['decode+motion+tracking / floor', (row) => `${fixed(row.noDetectorVsFloor, 2)} (${signedPercent(row.noDetectorVsFloor - 1)})${mark(row.goals.motionOverhead)}`],
    ['motion ms per frame', (row) => fixed(row.motionMsPerFrame, 2)],
    ['frame loop CPU ms per frame (beyond reading)', (row) => fixed(row.frameLoopCpuMsPerFrame, 2)],
    ['detector calls / images', (row) => `${row.detectorRuns} / ${row.detectorImages}`],
    ['detector ms per call: median', (row) => `${fixed(row.detectorMedianMs, 0)}${mark(row.goals.detector)}`],
    ['detector ms per call: p95', (row) => fixed(row.detectorP95Ms, 0)],
    ['detector ms per image: median', (row) => fixed(row.detectorMedianMsPerImage, 0)],
    ['detector CPU ms per call: median / p95', (row) => `${fixed(row.detectorCpuMedianMs, 0)} / ${fixed(row.detectorCpuP95Ms, 0)}`],
    ['events', (row) => String(row.events)],
    ['peak RSS (MB)', (row) => String(Math.round(row.peakRssMb))],
  ];
  const labelWidth = Math.max(...columns.map(([label]) => label.length));
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)));
  const widths = rows.map((row, i) => Math.max(row.name.length, ...cells[i].map((cell) => cell.length)));
  const line = (label: string, values: string[]) => `${label.padEnd(labelWidth)}  ${values.map((value, i) => value.padStart(widths[i])).join('  ')}`;
  const out = [line('', rows.map((row) => row.name)), line('', widths.map((width) => '-'.repeat(width)))];
  columns.forEach(([label], c) => out.push(line(label, cells.map((rowCells) => rowCells[c]))));
  const missed = rows.flatMap((row) =>
    [
      row.goals.realtime === false ? `${row.name}: whole analysis ${fixed(row.realtime, 2)}x realtime < ${benchGoals.minRealtime}x` : null,
      row.goals.detector ? null : `${row.name}: detector median ${fixed(row.detectorMedianMs, 0)} ms > ${benchGoals.detectorMedianMs} ms`,
      row.goals.motionOverhead ? null : `${row.name}: motion + tracking add ${fixed((row.noDetectorVsFloor - 1) * 100, 0)}% > ${benchGoals.maxMotionOverhead * 100}% over the ffmpeg floor`,
    ].filter((text): text is string => text !== null),
  );
  out.push('');
  out.push(
    'Times are wall clock, as the goals are. "CPU time" counts every thread of this process (V8\'s helpers too, so it can exceed the wall time) ' +
      'but not ffmpeg: a cross-check that other load on a shared machine does not inflate.',
  );
  out.push(
    `Goals: detector median <= ${benchGoals.detectorMedianMs} ms, vtest.avi >= ${benchGoals.minRealtime}x realtime, ` +
      `motion + tracking <= +${benchGoals.maxMotionOverhead * 100}% over the floor: ${missed.length === 0 ? 'all met' : `missed: ${missed.join('; ')}`}`,
  );
  return out.join('\n');
}
