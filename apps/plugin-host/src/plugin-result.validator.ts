import {
  PluginResultLimits as Limits,
  type NormalisedBox,
  type PluginImageType,
  type PluginManifest,
  type PluginResultEvent,
  type PluginResultObject,
} from '@cameramonit/contracts';
import { readImageFacts } from '@cameramonit/media';

export interface CheckedFeature {
  key: string;
  value: string;
  valueType: 'string' | 'number' | 'boolean';
}

export interface CheckedImage {
  contentType: PluginImageType;
  bytes: Buffer;
  width: number;
  height: number;
  caption: string | null;
}

export interface CheckedResult {
  /** false: the plugin said it could not do it */
  ok: boolean;
  error: string | null;
  objects: PluginResultObject[];
  events: PluginResultEvent[];
  features: CheckedFeature[];
  images: CheckedImage[];
}

export type ResultCheck = { valid: true; result: CheckedResult } | { valid: false; problems: string[] };

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.trim().length > 0 && value.length <= max;
const isUnit = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;

function checkBox(where: string, value: unknown, problems: string[]): NormalisedBox | null {
  if (!isObject(value) || ![value.x, value.y, value.width, value.height].every(isUnit)) {
    problems.push(`${where} must be {x, y, width, height}, each from 0 to 1 (normalised to the frame)`);
    return null;
  }
  const box = { x: value.x as number, y: value.y as number, width: value.width as number, height: value.height as number };
  if (box.width === 0 || box.height === 0 || box.x + box.width > 1.001 || box.y + box.height > 1.001) {
    problems.push(`${where} must have a size and lie inside the frame`);
    return null;
  }
  return box;
}

/**
 * Check a plugin's answer against the protocol and its manifest (it may return only what its
 * `returns` lists), with the sizes the host accepts. Lists every problem; nothing of an invalid
 * answer is stored.
 */
export function checkPluginResult(value: unknown, manifest: PluginManifest): ResultCheck {
  const problems: string[] = [];
  if (!isObject(value)) return { valid: false, problems: ['the result is not a JSON object'] };
  const known = new Set(['requestId', 'ok', 'error', 'objects', 'events', 'features', 'images']);
  const extra = Object.keys(value).filter((key) => !known.has(key));
  if (extra.length) problems.push(`unknown fields: ${extra.join(', ')}`);
  if (value.ok !== undefined && typeof value.ok !== 'boolean') problems.push('ok must be true or false');
  if (value.ok === false) {
    const error = typeof value.error === 'string' ? value.error.slice(0, 500) : 'the plugin gave no reason';
    return problems.length ? { valid: false, problems } : { valid: true, result: { ok: false, error, objects: [], events: [], features: [], images: [] } };
  }
  for (const kind of ['objects', 'events', 'features', 'images'] as const) {
    if (value[kind] !== undefined && !manifest.returns.includes(kind)) problems.push(`it returned ${kind}, which its manifest's "returns" does not list`);
  }

  const objects: PluginResultObject[] = [];
  if (value.objects !== undefined) {
    if (!Array.isArray(value.objects) || value.objects.length > Limits.maxObjects) problems.push(`objects must be a list of at most ${Limits.maxObjects}`);
    else
      value.objects.forEach((o: unknown, i) => {
        const where = `objects[${i}]`;
        if (!isObject(o)) return void problems.push(`${where} must be an object`);
        if (!isText(o.label, Limits.maxLabelLength)) problems.push(`${where}.label must be text of 1-${Limits.maxLabelLength} characters`);
        if (!isUnit(o.confidence)) problems.push(`${where}.confidence must be from 0 to 1`);
        if (o.sec !== undefined && (typeof o.sec !== 'number' || !Number.isFinite(o.sec))) problems.push(`${where}.sec must be a number of seconds`);
        const box = checkBox(`${where}.box`, o.box, problems);
        if (box && isText(o.label, Limits.maxLabelLength) && isUnit(o.confidence)) {
          objects.push({ label: o.label.trim(), confidence: o.confidence, box, ...(typeof o.sec === 'number' ? { sec: o.sec } : {}) });
        }
      });
  }

  const events: PluginResultEvent[] = [];
  if (value.events !== undefined) {
    if (!Array.isArray(value.events) || value.events.length > Limits.maxEvents) problems.push(`events must be a list of at most ${Limits.maxEvents}`);
    else
      value.events.forEach((e: unknown, i) => {
        const where = `events[${i}]`;
        if (!isObject(e)) return void problems.push(`${where} must be an object`);
        const before = problems.length;
        if (!isText(e.label, Limits.maxLabelLength)) problems.push(`${where}.label must be text of 1-${Limits.maxLabelLength} characters`);
        const summary = e.summary;
        if (!isObject(summary) || !isText(summary.en, Limits.maxSummaryLength) || !isText(summary.pl, Limits.maxSummaryLength)) {
          problems.push(`${where}.summary must be {en, pl}, each text of 1-${Limits.maxSummaryLength} characters`);
        }
        for (const key of ['startSec', 'endSec'] as const) if (e[key] !== undefined && (typeof e[key] !== 'number' || !Number.isFinite(e[key]))) problems.push(`${where}.${key} must be a number of seconds`);
        if (typeof e.startSec === 'number' && typeof e.endSec === 'number' && e.endSec < e.startSec) problems.push(`${where}.endSec must not be before startSec`);
        if (e.confidence !== undefined && !isUnit(e.confidence)) problems.push(`${where}.confidence must be from 0 to 1`);
        if (problems.length === before) {
          const s = summary as { en: string; pl: string };
          events.push({
            label: (e.label as string).trim(),
            summary: { en: s.en.trim(), pl: s.pl.trim() },
            ...(typeof e.startSec === 'number' ? { startSec: e.startSec } : {}),
            ...(typeof e.endSec === 'number' ? { endSec: e.endSec } : {}),
            ...(typeof e.confidence === 'number' ? { confidence: e.confidence } : {}),
          });
        }
      });
  }

  const features: CheckedFeature[] = [];
  if (value.features !== undefined) {
    if (!isObject(value.features) || Object.keys(value.features).length > Limits.maxFeatures) problems.push(`features must be an object of at most ${Limits.maxFeatures} keys`);
    else
      for (const [key, v] of Object.entries(value.features)) {
        if (!Limits.featureKey.test(key)) problems.push(`feature key ${JSON.stringify(key.slice(0, 80))} must start with a letter and have at most 60 letters, digits, _ . -`);
        else if (typeof v === 'string' && v.trim() && v.length <= Limits.maxFeatureValueLength) features.push({ key, value: v.trim(), valueType: 'string' });
        else if (typeof v === 'number' && Number.isFinite(v)) features.push({ key, value: String(v), valueType: 'number' });
        else if (typeof v === 'boolean') features.push({ key, value: String(v), valueType: 'boolean' });
        else problems.push(`feature ${key} must be text of 1-${Limits.maxFeatureValueLength} characters, a number or true/false`);
      }
  }

  const images: CheckedImage[] = [];
  if (value.images !== undefined) {
    if (!Array.isArray(value.images) || value.images.length > Limits.maxImages) problems.push(`images must be a list of at most ${Limits.maxImages}`);
    else
      value.images.forEach((img: unknown, i) => {
        const where = `images[${i}]`;
        if (!isObject(img)) return void problems.push(`${where} must be an object`);
        if (img.contentType !== 'image/jpeg' && img.contentType !== 'image/png') return void problems.push(`${where}.contentType must be image/jpeg or image/png`);
        if (typeof img.data !== 'string' || !img.data) return void problems.push(`${where}.data must be the image file in base64`);
        if (img.data.length > Math.ceil((Limits.maxImageBytes * 4) / 3) + 4) return void problems.push(`${where} is larger than ${Limits.maxImageBytes / 1024} KB`);
        const bytes = Buffer.from(img.data, 'base64');
        const facts = readImageFacts(bytes);
        if (!facts || facts.contentType !== img.contentType) return void problems.push(`${where}.data is not a ${img.contentType} file`);
        if (facts.width > 4096 || facts.height > 4096) return void problems.push(`${where} is ${facts.width}x${facts.height}; at most 4096x4096`);
        if (img.caption !== undefined && !isText(img.caption, Limits.maxCaptionLength)) return void problems.push(`${where}.caption must be text of 1-${Limits.maxCaptionLength} characters`);
        images.push({ contentType: img.contentType, bytes, width: facts.width, height: facts.height, caption: typeof img.caption === 'string' ? img.caption.trim() : null });
      });
  }

  if (problems.length) return { valid: false, problems };
  return { valid: true, result: { ok: true, error: null, objects, events, features, images } };
}
