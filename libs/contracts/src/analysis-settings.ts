/**
 * What an admin sets per camera for its analysis: which objects matter, where (zones) and where
 * not (masks), how sensitive motion is, and how many frames are looked at. Stored by the admin app
 * (`cameras.analysisSettings`, JSON), read by video-to-text for every clip, so a change takes effect
 * on the next clip without a restart.
 */
import { CameramonitError } from './errors.js';

/** A point in normalised frame coordinates: x from the left edge, y from the top edge, both 0..1. */
export type Point = [x: number, y: number];

/** A closed polygon of at least 3 points (normalised coordinates). */
export type Polygon = Point[];

/** A named area of the picture ("gate", "parking"). Events say which zone their objects were in. */
export interface Zone {
  name: string;
  polygon: Polygon;
  /** an object that stays in the zone longer than this many seconds is a loitering event; null = never */
  loiterSec: number | null;
}

export interface CameraAnalysisSettings {
  /** COCO labels to detect (person, car, truck, bicycle, dog, cat...) */
  classes: string[];
  /** detections below this confidence are ignored (0.05..0.99) */
  minConfidence: number;
  /** named areas; empty = the whole picture, no zone names in the text */
  zones: Zone[];
  /** areas ignored entirely (a tree, a flag, a road outside the fence) */
  masks: Polygon[];
  /** 1 (only large, lasting motion) .. 10 (the smallest movement); 5 is the default */
  motionSensitivity: number;
  /** also report motion that no object explains */
  motionEvents: boolean;
  /** frames analysed per second of video; null = the platform's ANALYSIS_FPS */
  fps: number | null;
  /** analysis frame width in pixels; null = the platform's ANALYSIS_WIDTH */
  width: number | null;
  /** what the vision model should pay attention to on this camera (remote descriptions only) */
  prompt: string | null;
}

/** The 80 COCO classes, as the object detector names them. */
export const cocoLabels: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

/** What a camera watching a gate, a yard or a street cares about, out of the 80 COCO classes. */
export const defaultDetectedClasses: readonly string[] = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck', 'dog', 'cat', 'horse'];

export const defaultCameraAnalysisSettings: Readonly<CameraAnalysisSettings> = Object.freeze({
  classes: [...defaultDetectedClasses],
  minConfidence: 0.4,
  zones: [],
  masks: [],
  motionSensitivity: 5,
  motionEvents: false,
  fps: null,
  width: null,
  prompt: null,
});

const MAX_ZONES = 16;
const MAX_MASKS = 16;
const MAX_POINTS = 64;

/**
 * Checks a (partial) settings object from an API body or the database and fills the gaps from
 * `base`. Throws CameramonitError INVALID_ANALYSIS_SETTINGS (400) listing every problem, each
 * naming the field and what to fix.
 */
export function parseCameraAnalysisSettings(input: unknown, base: CameraAnalysisSettings = defaultCameraAnalysisSettings): CameraAnalysisSettings {
  const problems: string[] = [];
  if (input === null || input === undefined) return cloneSettings(base);
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new CameramonitError('INVALID_ANALYSIS_SETTINGS', 'analysis settings must be a JSON object', 400);
  }
  const raw = input as Record<string, unknown>;
  const known = new Set(Object.keys(defaultCameraAnalysisSettings));
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`${key} is not an analysis setting (known: ${[...known].join(', ')})`);
  const out = cloneSettings(base);

  if (raw.classes !== undefined) {
    if (!Array.isArray(raw.classes) || raw.classes.length === 0 || raw.classes.some((c) => typeof c !== 'string')) {
      problems.push('classes must be a non-empty list of COCO labels such as ["person", "car"]');
    } else {
      const labels = [...new Set((raw.classes as string[]).map((c) => c.trim().toLowerCase()))];
      const unknown = labels.filter((label) => !cocoLabels.includes(label));
      if (unknown.length > 0) problems.push(`classes: ${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not COCO labels (e.g. person, car, truck, bicycle, dog, cat)`);
      else out.classes = labels;
    }
  }
  if (raw.minConfidence !== undefined) {
    if (!isNumberIn(raw.minConfidence, 0.05, 0.99)) problems.push('minConfidence must be a number from 0.05 to 0.99');
    else out.minConfidence = raw.minConfidence;
  }
  if (raw.motionSensitivity !== undefined) {
    if (!Number.isInteger(raw.motionSensitivity) || !isNumberIn(raw.motionSensitivity, 1, 10)) problems.push('motionSensitivity must be a whole number from 1 (least sensitive) to 10 (most)');
    else out.motionSensitivity = raw.motionSensitivity as number;
  }
  if (raw.motionEvents !== undefined) {
    if (typeof raw.motionEvents !== 'boolean') problems.push('motionEvents must be true or false');
    else out.motionEvents = raw.motionEvents;
  }
  if (raw.fps !== undefined) {
    if (raw.fps !== null && !isNumberIn(raw.fps, 0.5, 30)) problems.push('fps must be null (platform default) or a number from 0.5 to 30');
    else out.fps = raw.fps as number | null;
  }
  if (raw.width !== undefined) {
    if (raw.width !== null && !(Number.isInteger(raw.width) && isNumberIn(raw.width, 160, 1920))) problems.push('width must be null (platform default) or a whole number of pixels from 160 to 1920');
    else out.width = raw.width as number | null;
  }
  if (raw.prompt !== undefined) {
    if (raw.prompt !== null && (typeof raw.prompt !== 'string' || raw.prompt.length > 2000)) problems.push('prompt must be null or a text of at most 2000 characters');
    else out.prompt = typeof raw.prompt === 'string' && raw.prompt.trim() ? raw.prompt.trim() : null;
  }
  if (raw.masks !== undefined) {
    if (!Array.isArray(raw.masks) || raw.masks.length > MAX_MASKS) problems.push(`masks must be a list of at most ${MAX_MASKS} polygons`);
    else {
      const masks: Polygon[] = [];
      raw.masks.forEach((mask, i) => {
        const polygon = checkPolygon(mask, `masks[${i}]`, problems);
        if (polygon) masks.push(polygon);
      });
      out.masks = masks;
    }
  }
  if (raw.zones !== undefined) {
    if (!Array.isArray(raw.zones) || raw.zones.length > MAX_ZONES) problems.push(`zones must be a list of at most ${MAX_ZONES} zones`);
    else {
      const zones: Zone[] = [];
      const names = new Set<string>();
      raw.zones.forEach((zone, i) => {
        const where = `zones[${i}]`;
        if (typeof zone !== 'object' || zone === null || Array.isArray(zone)) return void problems.push(`${where} must be an object {name, polygon, loiterSec}`);
        const z = zone as Record<string, unknown>;
        const name = typeof z.name === 'string' ? z.name.trim() : '';
        if (!/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$/u.test(name)) problems.push(`${where}.name must be 1-40 letters, digits, spaces, dashes or underscores`);
        else if (names.has(name.toLowerCase())) problems.push(`${where}.name "${name}" is used by another zone`);
        names.add(name.toLowerCase());
        const polygon = checkPolygon(z.polygon, `${where}.polygon`, problems);
        let loiterSec: number | null = null;
        if (z.loiterSec !== undefined && z.loiterSec !== null) {
          if (!isNumberIn(z.loiterSec, 1, 86_400)) problems.push(`${where}.loiterSec must be null (no loitering events) or seconds from 1 to 86400`);
          else loiterSec = z.loiterSec;
        }
        for (const key of Object.keys(z)) if (!['name', 'polygon', 'loiterSec'].includes(key)) problems.push(`${where}.${key} is not a zone field (name, polygon, loiterSec)`);
        if (polygon) zones.push({ name, polygon, loiterSec });
      });
      out.zones = zones;
    }
  }
  if (problems.length > 0) throw new CameramonitError('INVALID_ANALYSIS_SETTINGS', `Invalid analysis settings: ${problems.join('; ')}`, 400);
  return out;
}

function checkPolygon(value: unknown, where: string, problems: string[]): Polygon | null {
  if (!Array.isArray(value) || value.length < 3 || value.length > MAX_POINTS) {
    problems.push(`${where} must be a list of 3 to ${MAX_POINTS} points [x, y]`);
    return null;
  }
  const points: Polygon = [];
  for (const [i, point] of value.entries()) {
    if (!Array.isArray(point) || point.length !== 2 || !isNumberIn(point[0], 0, 1) || !isNumberIn(point[1], 0, 1)) {
      problems.push(`${where}[${i}] must be [x, y] with x and y from 0 to 1 (fractions of the picture's width and height)`);
      return null;
    }
    points.push([point[0], point[1]]);
  }
  if (Math.abs(polygonArea(points)) < 1e-4) {
    problems.push(`${where} encloses no area; draw at least three points that are not on one line`);
    return null;
  }
  return points;
}

/** Signed area (shoelace), in normalised units. */
export function polygonArea(polygon: Polygon): number {
  let area = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x1, y1] = polygon[i];
    const [x2, y2] = polygon[(i + 1) % polygon.length];
    area += x1 * y2 - x2 * y1;
  }
  return area / 2;
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function cloneSettings(settings: CameraAnalysisSettings): CameraAnalysisSettings {
  return {
    ...settings,
    classes: [...settings.classes],
    zones: settings.zones.map((zone) => ({ ...zone, polygon: zone.polygon.map(([x, y]) => [x, y] as Point) })),
    masks: settings.masks.map((mask) => mask.map(([x, y]) => [x, y] as Point)),
  };
}
