import type { AnalysedEvent, AnalysisResult } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { runCli, usage } from './cli.js';
import { formatClockTime, formatEventJsonLine, formatEventTable } from './event.formatter.js';
import { ProgressReporter } from './progress.reporter.js';

function capture(isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text), isTTY, columns: 100 } },
  };
}

const event: AnalysedEvent = {
  kind: 'object',
  label: 'person',
  count: 2,
  startSec: 3.2,
  endSec: 75.25,
  confidence: 0.71,
  direction: 'right-to-left',
  bestSec: 10,
  bestBox: { x: 1, y: 2, width: 3, height: 4 },
  trackIds: [1, 2],
  summary: { en: '2 people walked from right to left', pl: '2 osoby przeszły z prawej do lewej' },
  zones: [],
  dwellSec: 72.05,
  speedPxPerSec: 40,
  key: 'track-1',
  continued: false,
  open: false,
};

describe('cli usage', () => {
  it('prints help with exit 0', async () => {
    const { io, out } = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(out.join('')).toBe(usage);
  });

  it('usage errors exit 2 with a hint', async () => {
    for (const argv of [[], ['analyse'], ['frobnicate', 'a.avi'], ['analyse', 'a.avi', '--fps', 'x'], ['analyse', 'a.avi', '--bogus'], ['analyse', 'a.avi', '--min-confidence', '2'], ['analyse', 'a', 'b']]) {
      const { io, err } = capture();
      expect(await runCli(argv, io)).toBe(2);
      expect(err.join('')).toMatch(/cameramonit/);
    }
  });
});

describe('formatters', () => {
  it('one JSON object per event with the English summary and the Polish one', () => {
    expect(JSON.parse(formatEventJsonLine(event))).toEqual({
      kind: 'object', label: 'person', count: 2, direction: 'right-to-left', startSec: 3.2, endSec: 75.25, confidence: 0.71,
      bestSec: 10, bestBox: { x: 1, y: 2, width: 3, height: 4 },
      summary: '2 people walked from right to left', summaryPl: '2 osoby przeszły z prawej do lewej',
    });
    expect(formatEventJsonLine(event)).not.toContain('\n');
  });

  it('clock times', () => {
    expect(formatClockTime(0)).toBe('0:00.0');
    expect(formatClockTime(75.25)).toBe('1:15.3');
    expect(formatClockTime(59.96)).toBe('1:00.0');
  });

  it('a table of events, or a sentence when nothing happened', () => {
    const result: AnalysisResult = { durationSec: 80, frameWidth: 512, frameHeight: 384, analysedFrames: 400, fps: 5, tracks: [], events: [event], motion: { firstSec: 3.2, lastSec: 75.2 } };
    const table = formatEventTable('v.avi', result, 20);
    expect(table).toContain('v.avi: 80.0 s, 1 event, 0 tracked objects (analysed in 20.0 s, 4.0x realtime)');
    expect(table).toMatch(/0:03\.2\s+1:15\.3\s+2 people walked from right to left\s+0\.71/);
    expect(formatEventTable('v.avi', { ...result, events: [] }, 20)).toContain('Nothing happened');
  });
});

describe('ProgressReporter', () => {
  it('redraws a bar on a terminal', () => {
    const { io, err } = capture(true);
    const reporter = new ProgressReporter(io.stderr, 'analysing v.avi');
    reporter.report({ fraction: 0.5, processedSec: 40, durationSec: 80 });
    reporter.report({ fraction: 0.501, processedSec: 40.1, durationSec: 80 }); // same percent: no redraw
    reporter.finish();
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(/^\ranalysing v\.avi \[#+-+\]  50% 40\/80 s$/);
    expect(err[1]).toBe('\n');
  });

  it('writes a line every 10 % elsewhere', () => {
    const { io, err } = capture(false);
    const reporter = new ProgressReporter(io.stderr, 'analysing v.avi');
    for (let i = 0; i <= 100; i++) reporter.report({ fraction: i / 100, processedSec: i * 0.8, durationSec: 80 });
    reporter.finish();
    expect(err).toHaveLength(11);
    expect(err[3]).toBe('analysing v.avi: 30% (24 of 80 s)\n');
  });
});
