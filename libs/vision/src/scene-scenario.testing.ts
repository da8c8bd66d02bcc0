import type { Detection } from '@cameramonit/contracts';
import type { MotionSample } from './event.builder.js';
import { SceneTracker, type SceneObjectsState, type SceneOutcome, type SceneTrackerOptions } from './scene.tracker.js';

/** An object of a made-up scene: its box size and where its box's top-left corner is at given times (linear in between). */
export interface ScenarioObject {
  label: string;
  width: number;
  height: number;
  confidence?: number;
  /** [sec, x, y] in time order; before the first and after the last the object is not in view */
  keyframes: [sec: number, x: number, y: number][];
  /** times the detector misses it (occluded) */
  hidden?: [fromSec: number, toSec: number][];
  /** small deterministic jitter of the box, pixels (a parked car's boxes are never identical) */
  jitter?: number;
}

/** The detections of the scene at `sec` (scene time). */
export function detectionsAt(objects: readonly ScenarioObject[], sec: number): Detection[] {
  const detections: Detection[] = [];
  for (const object of objects) {
    const frames = object.keyframes;
    if (sec < frames[0][0] - 1e-9 || sec > frames[frames.length - 1][0] + 1e-9) continue;
    if (object.hidden?.some(([from, to]) => sec >= from - 1e-9 && sec <= to + 1e-9)) continue;
    let i = 0;
    while (i < frames.length - 2 && sec > frames[i + 1][0]) i++;
    const [t0, x0, y0] = frames[i];
    const [t1, x1, y1] = frames[Math.min(i + 1, frames.length - 1)];
    const f = t1 > t0 ? Math.min(1, Math.max(0, (sec - t0) / (t1 - t0))) : 0;
    const wobble = object.jitter ? Math.round(Math.sin(sec * 7.3) * object.jitter) : 0;
    detections.push({
      label: object.label,
      confidence: object.confidence ?? 0.7,
      box: { x: x0 + (x1 - x0) * f + wobble, y: y0 + (y1 - y0) * f - wobble, width: object.width, height: object.height },
    });
  }
  return detections;
}

export interface ScenarioRun {
  /** scene seconds covered */
  totalSec: number;
  /** cut into clips this long, the state passed on as JSON (default: one clip) */
  clipSec?: number;
  /** the detector runs this often (default 0.4 s) */
  everySec?: number;
  scene?: Omit<SceneTrackerOptions, 'carryIn'>;
  /** motion samples per clip (clip time) */
  motion?: (clipStartSec: number) => MotionSample[];
}

export interface ClipOutcome extends SceneOutcome {
  clipStartSec: number;
  /** the state as the next clip received it (after a JSON round trip) */
  stateJson: string;
}

/** Runs a made-up scene through SceneTracker clip by clip, handing the state on through JSON as the worker does. */
export function runScenario(objects: readonly ScenarioObject[], run: ScenarioRun): ClipOutcome[] {
  const clipSec = run.clipSec ?? run.totalSec;
  const everySec = run.everySec ?? 0.4;
  const outcomes: ClipOutcome[] = [];
  let state: SceneObjectsState | null = null;
  for (let clipStart = 0; clipStart < run.totalSec - 1e-9; clipStart += clipSec) {
    const scene: SceneTracker = new SceneTracker({ ...run.scene, carryIn: state ? { state, offsetSec: clipSec } : null });
    for (let k = 0; ; k++) {
      const sec = Number((k * everySec).toFixed(3));
      if (sec >= clipSec - 1e-9) break;
      scene.update(sec, detectionsAt(objects, clipStart + sec));
    }
    const outcome = scene.finish(run.motion?.(clipStart) ?? [], clipSec);
    const stateJson = JSON.stringify(outcome.state);
    state = JSON.parse(stateJson) as SceneObjectsState;
    outcomes.push({ ...outcome, clipStartSec: clipStart, stateJson });
  }
  return outcomes;
}
