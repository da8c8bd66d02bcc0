/**
 * Scores the engine's events against a clip's ground truth. Pure functions: no files, no engine.
 *
 * A predicted event matches a true event when they are of the same kind, the label is one the truth
 * allows, the direction agrees (unless the truth says any direction), and their time intervals
 * overlap with an IoU of at least `minIou`. Matching is one-to-one, greedy by IoU (best pairs first).
 * Predictions that match no required event but overlap an `optional` one are ignored; the rest are
 * false events. Precision, recall and F1 are counted over events; timing errors over matched pairs.
 */
import type { AnalysedEvent } from '@cameramonit/contracts';
import type { ClipGroup, TruthClip, TruthEvent } from './ground-truth.js';

export interface ScoringOptions {
  /** temporal intersection over union a match needs (default 0.3) */
  minIou?: number;
}

/** The parts of an engine event the scorer looks at. */
export type PredictedEvent = Pick<AnalysedEvent, 'kind' | 'label' | 'count' | 'direction' | 'startSec' | 'endSec'>;

export interface MatchedPair {
  truthIndex: number;
  predictedIndex: number;
  iou: number;
  /** predicted minus true, seconds (negative: too early) */
  startErrorSec: number;
  endErrorSec: number;
  /** start and end both within the truth's tolerance */
  onTime: boolean;
  countCorrect: boolean;
}

export interface ClipScore {
  clip: string;
  group: ClipGroup;
  truthEvents: number;
  predictedEvents: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** predictions excused by an optional truth event */
  ignoredPredictions: number;
  /** null when there is nothing to divide by (no predictions / no required truth) */
  precision: number | null;
  recall: number | null;
  f1: number | null;
  matches: MatchedPair[];
  /** object and loitering events predicted (on a nothing clip every one is false) */
  objectEvents: number;
  motionEvents: number;
  /** the true events nobody found, and the predictions nobody asked for, for the report */
  missed: TruthEvent[];
  falseEvents: PredictedEvent[];
}

export interface TimingSummary {
  meanSec: number | null;
  medianSec: number | null;
}

export interface EvalTotals {
  clips: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** absolute start / end errors of matched events */
  startError: TimingSummary;
  endError: TimingSummary;
  /** matched events whose start and end are within tolerance */
  onTimeRate: number | null;
  countCorrectRate: number | null;
  /** object/loitering events on clips with nothing to report: must be 0 */
  nothingObjectEvents: number;
  /** motion events on nothing clips whose settings have motion events on */
  nothingMotionEvents: number;
}

export function temporalIou(a: { startSec: number; endSec: number }, b: { startSec: number; endSec: number }): number {
  const intersection = Math.max(0, Math.min(a.endSec, b.endSec) - Math.max(a.startSec, b.startSec));
  const union = Math.max(a.endSec, b.endSec) - Math.min(a.startSec, b.startSec);
  if (union <= 0) return a.startSec === b.startSec ? 1 : 0; // two instants
  return intersection / union;
}

function labelsOf(truth: TruthEvent): string[] {
  return Array.isArray(truth.label) ? truth.label : [truth.label];
}

/** Same kind, an allowed label, and the same direction unless the truth allows any. */
export function compatible(truth: TruthEvent, predicted: PredictedEvent): boolean {
  return (
    truth.kind === predicted.kind &&
    labelsOf(truth).includes(predicted.label) &&
    (truth.direction === null || truth.direction === predicted.direction)
  );
}

export function countMatches(truth: TruthEvent, count: number): boolean {
  const [min, max] = Array.isArray(truth.count) ? truth.count : [truth.count, truth.count];
  return count >= min && count <= max;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function f1Of(precision: number | null, recall: number | null): number | null {
  if (precision === null || recall === null) return null;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

export function scoreClip(truth: TruthClip, predicted: readonly PredictedEvent[], options: ScoringOptions = {}): ClipScore {
  const minIou = options.minIou ?? 0.3;
  const required = truth.events.map((event, index) => ({ event, index })).filter(({ event }) => !event.optional);
  const candidates: { truthIndex: number; predictedIndex: number; iou: number }[] = [];
  for (const { event, index } of required) {
    predicted.forEach((p, predictedIndex) => {
      if (!compatible(event, p)) return;
      const iou = temporalIou(event, p);
      if (iou >= minIou) candidates.push({ truthIndex: index, predictedIndex, iou });
    });
  }
  candidates.sort((a, b) => b.iou - a.iou || a.truthIndex - b.truthIndex || a.predictedIndex - b.predictedIndex);
  const usedTruth = new Set<number>();
  const usedPredicted = new Set<number>();
  const matches: MatchedPair[] = [];
  for (const candidate of candidates) {
    if (usedTruth.has(candidate.truthIndex) || usedPredicted.has(candidate.predictedIndex)) continue;
    usedTruth.add(candidate.truthIndex);
    usedPredicted.add(candidate.predictedIndex);
    const t = truth.events[candidate.truthIndex];
    const p = predicted[candidate.predictedIndex];
    const startErrorSec = round(p.startSec - t.startSec);
    const endErrorSec = round(p.endSec - t.endSec);
    matches.push({
      ...candidate,
      iou: round(candidate.iou),
      startErrorSec,
      endErrorSec,
      onTime: Math.abs(startErrorSec) <= t.tolerance.startSec + 1e-9 && Math.abs(endErrorSec) <= t.tolerance.endSec + 1e-9,
      countCorrect: countMatches(t, p.count),
    });
  }
  matches.sort((a, b) => a.truthIndex - b.truthIndex);

  const optional = truth.events.filter((event) => event.optional);
  let ignoredPredictions = 0;
  const falseEvents: PredictedEvent[] = [];
  predicted.forEach((p, index) => {
    if (usedPredicted.has(index)) return;
    const excused = optional.some((event) => compatible(event, p) && temporalIou(event, p) > 0);
    if (excused) ignoredPredictions++;
    else falseEvents.push(p);
  });

  const truePositives = matches.length;
  const falsePositives = falseEvents.length;
  const falseNegatives = required.length - truePositives;
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, required.length);
  return {
    clip: truth.clip,
    group: truth.group,
    truthEvents: required.length,
    predictedEvents: predicted.length,
    truePositives,
    falsePositives,
    falseNegatives,
    ignoredPredictions,
    precision,
    recall,
    f1: f1Of(precision, recall),
    matches,
    objectEvents: predicted.filter((p) => p.kind === 'object' || p.kind === 'loitering').length,
    motionEvents: predicted.filter((p) => p.kind === 'motion').length,
    missed: required.filter(({ index }) => !usedTruth.has(index)).map(({ event }) => event),
    falseEvents,
  };
}

export function summariseTiming(errors: readonly number[]): TimingSummary {
  if (errors.length === 0) return { meanSec: null, medianSec: null };
  const absolute = errors.map((error) => Math.abs(error)).sort((a, b) => a - b);
  const middle = Math.floor(absolute.length / 2);
  const median = absolute.length % 2 ? absolute[middle] : (absolute[middle - 1] + absolute[middle]) / 2;
  return { meanSec: round(absolute.reduce((sum, error) => sum + error, 0) / absolute.length), medianSec: round(median) };
}

/** Totals over clips: event counts are summed (micro-averaged), timing over all matched pairs. */
export function totalScores(scores: readonly ClipScore[]): EvalTotals {
  const sum = (pick: (score: ClipScore) => number) => scores.reduce((total, score) => total + pick(score), 0);
  const truePositives = sum((s) => s.truePositives);
  const falsePositives = sum((s) => s.falsePositives);
  const falseNegatives = sum((s) => s.falseNegatives);
  const matches = scores.flatMap((s) => s.matches);
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  const nothing = scores.filter((s) => s.group === 'nothing');
  return {
    clips: scores.length,
    truePositives,
    falsePositives,
    falseNegatives,
    precision: roundOrNull(precision),
    recall: roundOrNull(recall),
    f1: roundOrNull(f1Of(precision, recall)),
    startError: summariseTiming(matches.map((m) => m.startErrorSec)),
    endError: summariseTiming(matches.map((m) => m.endErrorSec)),
    onTimeRate: roundOrNull(ratio(matches.filter((m) => m.onTime).length, matches.length)),
    countCorrectRate: roundOrNull(ratio(matches.filter((m) => m.countCorrect).length, matches.length)),
    nothingObjectEvents: nothing.reduce((total, s) => total + s.objectEvents, 0),
    nothingMotionEvents: nothing.reduce((total, s) => total + s.motionEvents, 0),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value);
}
