import type { AnalysedEvent, AnalysisResult } from '@cameramonit/contracts';

/** One event as the single-line JSON object `cameramonit analyse --json` prints. */
export function formatEventJsonLine(event: AnalysedEvent): string {
  return JSON.stringify({
    kind: event.kind,
    label: event.label,
    count: event.count,
    direction: event.direction,
    startSec: event.startSec,
    endSec: event.endSec,
    confidence: event.confidence,
    bestSec: event.bestSec,
    bestBox: event.bestBox,
    summary: event.summary.en,
    summaryPl: event.summary.pl,
  });
}

/** 75.25 -> "1:15.3" */
export function formatClockTime(sec: number): string {
  const tenths = Math.round(Math.max(0, sec) * 10);
  const minutes = Math.floor(tenths / 600);
  const seconds = (tenths % 600) / 10;
  return `${minutes}:${seconds.toFixed(1).padStart(4, '0')}`;
}

/** A readable table of the events, for people at a terminal. */
export function formatEventTable(file: string, result: AnalysisResult, wallSec: number): string {
  const lines = [
    `${file}: ${result.durationSec.toFixed(1)} s, ${result.events.length} event${result.events.length === 1 ? '' : 's'}, ` +
      `${result.tracks.length} tracked object${result.tracks.length === 1 ? '' : 's'} ` +
      `(analysed in ${wallSec.toFixed(1)} s, ${(result.durationSec / Math.max(0.001, wallSec)).toFixed(1)}x realtime)`,
  ];
  if (result.events.length === 0) {
    lines.push('', 'Nothing happened: no moving person, vehicle or animal was seen.');
    return lines.join('\n') + '\n';
  }
  const rows = result.events.map((event) => [
    formatClockTime(event.startSec),
    formatClockTime(event.endSec),
    event.summary.en,
    event.confidence.toFixed(2),
  ]);
  const header = ['start', 'end', 'what happened', 'conf'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const render = (row: string[]) =>
    row.map((cell, column) => (column === 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  lines.push('', render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(render));
  return lines.join('\n') + '\n';
}
