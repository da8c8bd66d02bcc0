/**
 * The engine against the annotated clips in fixtures/eval (the same evaluation `npm run eval` prints),
 * held to the floors in eval.floors.ts. Real ffmpeg, the real detector, the camera settings of each clip.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evalFloors } from './eval.floors.js';
import { runEvaluation, type EvalReport } from './eval.runner.js';
import { formatEvalDetails, formatEvalTable } from './eval.table.js';

const clipsDir = resolve(import.meta.dirname, '../../../../fixtures/eval');
let report: EvalReport;

beforeAll(async () => {
  report = await runEvaluation({ clipsDir });
  // the table in the test log, as `npm run eval` prints it
  console.log(formatEvalTable(report) + formatEvalDetails(report));
}, 600_000);

function nothingClipsWith(pick: (clip: EvalReport['clips'][number]) => number): string[] {
  return report.clips
    .filter((clip) => clip.truth.group === 'nothing' && pick(clip) > 0)
    .map((clip) => `${clip.truth.clip}: ${clip.events.map((event) => `${event.kind} ${event.label} ${event.startSec}-${event.endSec}s`).join(', ')}`);
}

describe('evaluation on the annotated clips', () => {
  it('analyses every clip (bad input would show as an error here)', () => {
    expect(report.clips.length).toBeGreaterThanOrEqual(14);
    expect(report.clips.filter((clip) => clip.error).map((clip) => `${clip.truth.clip}: ${clip.error?.message}`)).toEqual([]);
    for (const group of ['synthetic', 'nothing', 'vtest'] as const) expect(report.clips.some((clip) => clip.truth.group === group)).toBe(true);
  });

  it('reports no object event on clips with only noise, light changes, leaves, compression or shake', () => {
    const offenders = nothingClipsWith((clip) => clip.score.objectEvents);
    expect(offenders, offenders.join('\n')).toEqual([]);
    expect(report.totals.nothingObjectEvents).toBeLessThanOrEqual(evalFloors.nothingMaxObjectEvents);
  });

  it('reports no motion event for a light switching, dusk, a cloud shadow or sensor noise (not motion)', () => {
    const offenders = nothingClipsWith((clip) => clip.score.motionEvents);
    expect(offenders, offenders.join('\n')).toEqual([]);
    expect(report.totals.nothingMotionEvents).toBeLessThanOrEqual(evalFloors.nothingMaxMotionEvents);
  });

  it('finds the events of the synthetic scenes, on time', () => {
    const synthetic = report.groups.synthetic;
    expect(synthetic).toBeDefined();
    const details = formatEvalDetails(report);
    expect(synthetic?.precision ?? 0, details).toBeGreaterThanOrEqual(evalFloors.synthetic.minPrecision);
    expect(synthetic?.recall ?? 0, details).toBeGreaterThanOrEqual(evalFloors.synthetic.minRecall);
    expect(synthetic?.startError.meanSec ?? Infinity).toBeLessThanOrEqual(evalFloors.synthetic.maxMeanStartErrorSec);
    expect(synthetic?.endError.meanSec ?? Infinity).toBeLessThanOrEqual(evalFloors.synthetic.maxMeanEndErrorSec);
  });

  it('finds the hand-labelled walkers of vtest.avi and never announces the parked van or car', () => {
    const vtest = report.groups.vtest;
    expect(vtest).toBeDefined();
    const details = formatEvalDetails(report);
    expect(vtest?.precision ?? 0, details).toBeGreaterThanOrEqual(evalFloors.vtest.minPrecision);
    expect(vtest?.recall ?? 0, details).toBeGreaterThanOrEqual(evalFloors.vtest.minRecall);
    const vehicles = report.clips
      .filter((clip) => clip.truth.group === 'vtest')
      .flatMap((clip) => clip.events.filter((event) => ['car', 'truck', 'bus'].includes(event.label)));
    expect(vehicles).toEqual([]);
  });
});
