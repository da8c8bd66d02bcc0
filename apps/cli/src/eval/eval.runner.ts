/**
 * Runs the real engine (analyseVideoWithStats, the camera's settings from the clip's ground truth)
 * on every annotated clip in a folder and scores it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CameramonitError, parseCameraAnalysisSettings, type AnalysedEvent } from '@cameramonit/contracts';
import { analyseVideoWithStats, type AnalyseVideoOptions } from '@cameramonit/vision';
import { parseTruthClip, type ClipGroup, type TruthClip } from './ground-truth.js';
import { scoreClip, totalScores, type ClipScore, type EvalTotals, type PredictedEvent } from './eval.scorer.js';

export interface EvaluatedClip {
  truth: TruthClip;
  score: ClipScore;
  /** what the engine said, in the order it said it */
  events: (PredictedEvent & { summary: string })[];
  wallMs: number;
  speedVsRealtime: number;
  /** the engine refused or failed the clip (its required events all count as missed) */
  error: { code: string; message: string } | null;
}

export interface EvalReport {
  generatedAt: string;
  clipsDir: string;
  minIou: number;
  clips: EvaluatedClip[];
  totals: EvalTotals;
  groups: Partial<Record<ClipGroup, EvalTotals>>;
}

export interface EvalRunOptions {
  /** folder with <clip>.mp4 + <clip>.json pairs */
  clipsDir: string;
  /** only the clips whose file name contains one of these strings (default all) */
  only?: readonly string[];
  /** only these groups (default all) */
  groups?: readonly ClipGroup[];
  minIou?: number;
  /** extra engine options (a test may inject a detector); the clip's settings always apply */
  engine?: Omit<AnalyseVideoOptions, 'settings'>;
  onClip?: (clip: EvaluatedClip, index: number, total: number) => void;
  onStart?: (truth: TruthClip, index: number, total: number) => void;
}

/** Every ground-truth JSON in the folder, checked, sorted by group then name. */
export async function loadTruthClips(clipsDir: string): Promise<TruthClip[]> {
  let names: string[];
  try {
    names = (await readdir(clipsDir)).filter((name) => name.endsWith('.json')).sort();
  } catch {
    throw new CameramonitError('EVAL_CLIPS_NOT_FOUND', `no evaluation clips in ${clipsDir}: run node scripts/make-eval-clips.mjs`, 404);
  }
  const clips: TruthClip[] = [];
  for (const name of names) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(join(clipsDir, name), 'utf8'));
    } catch (error) {
      throw new CameramonitError('INVALID_GROUND_TRUTH', `${name}: not valid JSON (${(error as Error).message})`, 400);
    }
    clips.push(parseTruthClip(name, json));
  }
  const order = (group: ClipGroup) => ['synthetic', 'nothing', 'vtest'].indexOf(group);
  return clips.sort((a, b) => order(a.group) - order(b.group) || a.clip.localeCompare(b.clip));
}

export async function runEvaluation(options: EvalRunOptions): Promise<EvalReport> {
  const minIou = options.minIou ?? 0.3;
  const all = await loadTruthClips(options.clipsDir);
  const selected = all.filter(
    (truth) =>
      (!options.groups || options.groups.includes(truth.group)) &&
      (!options.only || options.only.length === 0 || options.only.some((part) => truth.clip.includes(part))),
  );
  if (selected.length === 0) {
    throw new CameramonitError('EVAL_CLIPS_NOT_FOUND', `no evaluation clip in ${options.clipsDir} matches ${[...(options.only ?? []), ...(options.groups ?? [])].join(', ')}`, 404);
  }
  const clips: EvaluatedClip[] = [];
  for (const [index, truth] of selected.entries()) {
    options.onStart?.(truth, index, selected.length);
    const evaluated = await evaluateClip(options.clipsDir, truth, minIou, options.engine ?? {});
    clips.push(evaluated);
    options.onClip?.(evaluated, index, selected.length);
  }
  const groups: Partial<Record<ClipGroup, EvalTotals>> = {};
  for (const group of ['synthetic', 'nothing', 'vtest'] as const) {
    const scores = clips.filter((clip) => clip.truth.group === group).map((clip) => clip.score);
    if (scores.length > 0) groups[group] = totalScores(scores);
  }
  return {
    generatedAt: new Date().toISOString(),
    clipsDir: options.clipsDir,
    minIou,
    clips,
    totals: totalScores(clips.map((clip) => clip.score)),
    groups,
  };
}

async function evaluateClip(
  clipsDir: string,
  truth: TruthClip,
  minIou: number,
  engine: Omit<AnalyseVideoOptions, 'settings'>,
): Promise<EvaluatedClip> {
  const settings = parseCameraAnalysisSettings(truth.settings);
  const started = performance.now();
  try {
    const { result, stats } = await analyseVideoWithStats(join(clipsDir, truth.clip), { ...engine, settings });
    const events = result.events.map((event: AnalysedEvent) => ({
      kind: event.kind,
      label: event.label,
      count: event.count,
      direction: event.direction,
      startSec: event.startSec,
      endSec: event.endSec,
      summary: event.summary.en,
    }));
    return {
      truth,
      score: scoreClip(truth, events, { minIou }),
      events,
      wallMs: Math.round(stats.wallMs),
      speedVsRealtime: Math.round(stats.speedVsRealtime * 100) / 100,
      error: null,
    };
  } catch (error) {
    if (!(error instanceof CameramonitError)) throw error;
    return {
      truth,
      score: scoreClip(truth, [], { minIou }),
      events: [],
      wallMs: Math.round(performance.now() - started),
      speedVsRealtime: 0,
      error: { code: error.code, message: error.message },
    };
  }
}
