import { cocoLabels, PLUGIN_NAME_PATTERN, type PluginEventKind, type PluginManifest, type PluginReturnKind } from '@cameramonit/contracts';

/** The limits a manifest may ask for, and the defaults when it asks for nothing. */
export const ManifestBounds = {
  timeoutSec: { min: 1, max: 120, default: 10 },
  maxResultKb: { min: 1, max: 4096, default: 1024 },
  maxMessagesPerMinute: { min: 10, max: 6000, default: 600 },
  maxOutputKbPerMinute: { min: 1, max: 4096, default: 256 },
  cropMaxSize: { min: 32, max: 1024, default: 256 },
  cropMargin: { min: 0, max: 1, default: 0.1 },
  framesFps: { min: 0.1, max: 5, default: 1 },
  framesMax: { min: 1, max: 20, default: 5 },
  framesMaxWidth: { min: 64, max: 1280, default: 640 },
} as const;

const KINDS: readonly PluginEventKind[] = ['object', 'motion', 'loitering'];
const RETURNS: readonly PluginReturnKind[] = ['objects', 'events', 'features', 'images'];

export type ManifestCheck = { ok: true; manifest: PluginManifest; main: string } | { ok: false; name: string | null; problems: string[] };

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * Read a plugin's package.json (already parsed): its `cameramonit` key says what the plugin
 * consumes, returns and needs. Every problem is listed, so an author fixes them in one go.
 */
export function checkPluginManifest(packageJson: unknown): ManifestCheck {
  const problems: string[] = [];
  if (!isObject(packageJson)) return { ok: false, name: null, problems: ['package.json is not a JSON object'] };
  const pkgName = typeof packageJson.name === 'string' ? packageJson.name : null;
  const raw = packageJson.cameramonit;
  if (!isObject(raw)) return { ok: false, name: pkgName, problems: ['package.json has no "cameramonit" object (the plugin manifest)'] };

  const name = typeof raw.name === 'string' ? raw.name : (pkgName?.replace(/^@[^/]+\//, '') ?? '');
  if (!PLUGIN_NAME_PATTERN.test(name)) problems.push(`name ${JSON.stringify(name)} must be 1-40 lower-case letters, digits or dashes (cameramonit.name, else the package name)`);
  const version = typeof packageJson.version === 'string' ? packageJson.version : '';
  if (!version) problems.push('package.json needs a "version"');
  const main = packageJson.main === undefined ? 'index.js' : packageJson.main;
  if (typeof main !== 'string' || !main || main.startsWith('/') || main.split(/[\\/]/).includes('..')) problems.push('"main" must be a file inside the plugin folder');
  const description = typeof raw.description === 'string' ? raw.description : typeof packageJson.description === 'string' ? packageJson.description : '';

  const number = (where: string, value: unknown, bounds: { min: number; max: number; default: number }): number => {
    if (value === undefined) return bounds.default;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < bounds.min || value > bounds.max) {
      problems.push(`${where} must be a number from ${bounds.min} to ${bounds.max} (got ${JSON.stringify(value)})`);
      return bounds.default;
    }
    return value;
  };

  const consumesRaw = raw.consumes === undefined ? {} : raw.consumes;
  if (!isObject(consumesRaw)) problems.push('cameramonit.consumes must be an object');
  const consumes = isObject(consumesRaw) ? consumesRaw : {};
  let kinds: PluginEventKind[] = ['object'];
  if (consumes.kinds !== undefined) {
    if (!Array.isArray(consumes.kinds) || !consumes.kinds.length || consumes.kinds.some((k) => !KINDS.includes(k as PluginEventKind))) {
      problems.push(`consumes.kinds must be a non-empty list of ${KINDS.join(', ')}`);
    } else kinds = consumes.kinds as PluginEventKind[];
  }
  let labels: string[] | null = null;
  if (consumes.labels !== undefined && consumes.labels !== null) {
    const unknown = Array.isArray(consumes.labels) ? consumes.labels.filter((l) => typeof l !== 'string' || !(cocoLabels as readonly string[]).includes(l)) : null;
    if (!Array.isArray(consumes.labels) || !consumes.labels.length || unknown?.length) {
      problems.push(`consumes.labels must be a non-empty list of COCO labels such as person, car${unknown?.length ? ` (unknown: ${unknown.map((u) => JSON.stringify(u)).join(', ')})` : ''}`);
    } else labels = consumes.labels as string[];
  }
  let crop: PluginManifest['consumes']['crop'] = null;
  if (consumes.crop !== undefined && consumes.crop !== false && consumes.crop !== null) {
    const c = consumes.crop === true ? {} : consumes.crop;
    if (!isObject(c)) problems.push('consumes.crop must be true or an object {format, maxSize, margin}');
    else {
      const format = c.format === undefined ? 'jpeg' : c.format;
      if (format !== 'jpeg' && format !== 'png') problems.push('consumes.crop.format must be "jpeg" or "png"');
      crop = {
        format: format === 'png' ? 'png' : 'jpeg',
        maxSize: Math.round(number('consumes.crop.maxSize', c.maxSize, ManifestBounds.cropMaxSize)),
        margin: number('consumes.crop.margin', c.margin, ManifestBounds.cropMargin),
      };
    }
  }
  if (consumes.snapshot !== undefined && typeof consumes.snapshot !== 'boolean') problems.push('consumes.snapshot must be true or false');
  if (consumes.clipUrl !== undefined && typeof consumes.clipUrl !== 'boolean') problems.push('consumes.clipUrl must be true or false');
  let frames: PluginManifest['consumes']['frames'] = null;
  if (consumes.frames !== undefined && consumes.frames !== false && consumes.frames !== null) {
    const f = consumes.frames === true ? {} : consumes.frames;
    if (!isObject(f)) problems.push('consumes.frames must be true or an object {fps, maxFrames, maxWidth}');
    else {
      frames = {
        fps: number('consumes.frames.fps', f.fps, ManifestBounds.framesFps),
        maxFrames: Math.round(number('consumes.frames.maxFrames', f.maxFrames, ManifestBounds.framesMax)),
        maxWidth: Math.round(number('consumes.frames.maxWidth', f.maxWidth, ManifestBounds.framesMaxWidth)),
      };
    }
  }

  let returns: PluginReturnKind[] = [];
  if (!Array.isArray(raw.returns) || !raw.returns.length || raw.returns.some((r) => !RETURNS.includes(r as PluginReturnKind))) {
    problems.push(`cameramonit.returns must be a non-empty list of ${RETURNS.join(', ')}`);
  } else returns = raw.returns as PluginReturnKind[];

  const limitsRaw = raw.limits === undefined ? {} : raw.limits;
  if (!isObject(limitsRaw)) problems.push('cameramonit.limits must be an object');
  const limits = isObject(limitsRaw) ? limitsRaw : {};
  const manifestLimits = {
    timeoutSec: number('limits.timeoutSec', limits.timeoutSec, ManifestBounds.timeoutSec),
    maxResultKb: number('limits.maxResultKb', limits.maxResultKb, ManifestBounds.maxResultKb),
    maxMessagesPerMinute: number('limits.maxMessagesPerMinute', limits.maxMessagesPerMinute, ManifestBounds.maxMessagesPerMinute),
    maxOutputKbPerMinute: number('limits.maxOutputKbPerMinute', limits.maxOutputKbPerMinute, ManifestBounds.maxOutputKbPerMinute),
  };

  if (problems.length) return { ok: false, name: name || pkgName, problems };
  return {
    ok: true,
    main: main as string,
    manifest: {
      name,
      version,
      description,
      consumes: { kinds, labels, crop, snapshot: consumes.snapshot === true, frames, clipUrl: consumes.clipUrl === true },
      returns,
      limits: manifestLimits,
    },
  };
}
