import { describe, expect, it } from 'vitest';
import { benchRow, formatBenchTable, median, percentile, type BenchMeasurement } from './bench.report.js';

const measurement: BenchMeasurement = {
  name: 'vtest.avi',
  videoSec: 80,
  frames: 400,
  frameWidth: 512,
  frameHeight: 384,
  fps: 5,
  floorMs: 1000,
  noDetectorMs: 1200,
  floorCpuMs: 200,
  noDetectorCpuMs: 600,
  analysisMs: 10_000,
  analysisCpuMs: 8_000,
  motionMsPerFrame: 0.8,
  detectorCalls: [
    { ms: 100, cpuMs: 90, images: 1 },
    { ms: 60, cpuMs: 50, images: 2 },
    { ms: 80, cpuMs: 70, images: 1 },
    { ms: 200, cpuMs: 150, images: 4 },
  ],
  events: 5,
  peakRssMb: 250.4,
};

describe('bench report', () => {
  it('computes percentiles between ranks', () => {
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
    expect(percentile([7], 95)).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('turns measurements into ratios and goals', () => {
    const row = benchRow(measurement, true);
    expect(row.realtime).toBe(8);
    expect(row.cpuRealtime).toBe(10);
    expect(row.frameLoopCpuMsPerFrame).toBe(1);
    expect(row.detectorCpuMedianMs).toBe(80);
    expect(row.floorRealtime).toBe(80);
    expect(row.analysisVsFloor).toBe(10);
    expect(row.noDetectorVsFloor).toBeCloseTo(1.2);
    expect(row.detectorMedianMs).toBe(90);
    expect(row.detectorMedianMsPerImage).toBe(65);
    expect(row.detectorImages).toBe(8);
    expect(row.goals).toEqual({ detector: true, realtime: true, motionOverhead: true });
    const slow = benchRow({ ...measurement, analysisMs: 20_000, noDetectorMs: 1500 }, true);
    expect(slow.goals).toEqual({ detector: true, realtime: false, motionOverhead: false });
    expect(benchRow(measurement, false).goals.realtime).toBeNull();
  });

  it('prints one column per video and says which goals were missed', () => {
    const table = formatBenchTable([benchRow(measurement, true), benchRow({ ...measurement, name: 'vtest-720p.mp4', noDetectorMs: 1500 }, false)]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/vtest\.avi\s+vtest-720p\.mp4$/);
    expect(table).toMatch(/whole analysis \(x realtime\)\s+8\.00x ok\s+8\.00x/);
    expect(table).toMatch(/detector ms per call: median\s+90 ok\s+90 ok/);
    expect(table).toMatch(/decode\+motion\+tracking \/ floor\s+1\.20 \(\+20%\) ok\s+1\.50 \(\+50%\) MISSED/);
    expect(table).toMatch(/peak RSS \(MB\)\s+250/);
    expect(table).toMatch(/whole analysis, CPU time \(x realtime\)\s+10\.00x/);
    expect(table).toMatch(/detector CPU ms per call: median \/ p95\s+80 \/ 141/);
    expect(formatBenchTable([benchRow({ ...measurement, noDetectorMs: 980 }, true)])).toMatch(/0\.98 \(-2%\) ok/);
    expect(lines.at(-1)).toMatch(/missed: vtest-720p\.mp4: motion \+ tracking add 50% > 30% over the ffmpeg floor$/);
  });
});
