/** The evaluation as a table for a terminal: one row per clip, then totals per group and overall. */
import type { EvalReport, EvaluatedClip } from './eval.runner.js';
import type { EvalTotals } from './eval.scorer.js';

const columns = ['clip', 'truth', 'found', 'TP', 'FP', 'FN', 'prec', 'recall', 'F1', 'start err', 'end err', 'objects', 'motion'] as const;

function percent(value: number | null): string {
  return value === null ? '-' : `${Math.round(value * 100)}%`;
}

function seconds(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(2)}s`;
}

function meanAbs(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + Math.abs(value), 0) / values.length;
}

function clipRow(clip: EvaluatedClip): string[] {
  const s = clip.score;
  const nothing = clip.truth.group === 'nothing';
  return [
    clip.truth.clip.replace(/\.[^.]+$/, '') + (clip.error ? ` [${clip.error.code}]` : ''),
    String(s.truthEvents),
    String(s.predictedEvents),
    String(s.truePositives),
    String(s.falsePositives),
    String(s.falseNegatives),
    percent(s.precision),
    percent(s.recall),
    percent(s.f1),
    seconds(meanAbs(s.matches.map((m) => m.startErrorSec))),
    seconds(meanAbs(s.matches.map((m) => m.endErrorSec))),
    // on a nothing clip every object event is false: mark it
    nothing && s.objectEvents > 0 ? `${s.objectEvents} !` : String(s.objectEvents),
    nothing && s.motionEvents > 0 ? `${s.motionEvents} !` : String(s.motionEvents),
  ];
}

function totalsRow(name: string, totals: EvalTotals): string[] {
  return [
    name,
    String(totals.truePositives + totals.falseNegatives),
    '',
    String(totals.truePositives),
    String(totals.falsePositives),
    String(totals.falseNegatives),
    percent(totals.precision),
    percent(totals.recall),
    percent(totals.f1),
    seconds(totals.startError.meanSec),
    seconds(totals.endError.meanSec),
    '',
    '',
  ];
}

function render(rows: string[][]): string[] {
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => row[index].length)));
  return rows.map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ').trimEnd());
}

export function formatEvalTable(report: EvalReport): string {
  const header = [...columns];
  const clipRows = report.clips.map(clipRow);
  const groupRows = Object.entries(report.groups).map(([group, totals]) => totalsRow(`total ${group}`, totals));
  const all = totalsRow('TOTAL', report.totals);
  const lines = render([header, ...clipRows, ...groupRows, all]);
  const width = Math.max(...lines.map((line) => line.length));
  const rule = '-'.repeat(width);
  const t = report.totals;
  return [
    lines[0],
    rule,
    ...lines.slice(1, 1 + clipRows.length),
    rule,
    ...lines.slice(1 + clipRows.length),
    '',
    `events match on kind, label, direction and time (IoU >= ${report.minIou}); start/end err = mean |predicted - true|`,
    `timing of matched events: start median ${seconds(t.startError.medianSec)}, end median ${seconds(t.endError.medianSec)}; ` +
      `within tolerance ${percent(t.onTimeRate)}; right count ${percent(t.countCorrectRate)}`,
    `nothing clips: ${t.nothingObjectEvents} object event(s), ${t.nothingMotionEvents} motion event(s) (both must be 0)`,
  ].join('\n') + '\n';
}

/** What went wrong per clip, in words: the missed and the false events. */
export function formatEvalDetails(report: EvalReport): string {
  const lines: string[] = [];
  for (const clip of report.clips) {
    const s = clip.score;
    if (clip.error) lines.push(`${clip.truth.clip}: ${clip.error.code} ${clip.error.message}`);
    for (const missed of s.missed) {
      lines.push(`${clip.truth.clip}: missed ${missed.kind} ${[missed.label].flat().join('/')} ${missed.direction ?? 'any direction'} ${missed.startSec}-${missed.endSec}s`);
    }
    for (const event of s.falseEvents) {
      lines.push(`${clip.truth.clip}: false ${event.kind} ${event.label} x${event.count} ${event.direction} ${event.startSec}-${event.endSec}s`);
    }
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
