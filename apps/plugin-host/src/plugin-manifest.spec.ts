import { describe, expect, it } from 'vitest';
import { checkPluginManifest } from './plugin-manifest.js';

const pkg = (cameramonit: unknown, extra: Record<string, unknown> = {}) => ({ name: '@acme/helmet-check', version: '1.2.0', main: 'index.js', cameramonit, ...extra });

describe('checkPluginManifest', () => {
  it('fills every default of a minimal manifest; the name is the package name without its scope', () => {
    const check = checkPluginManifest(pkg({ returns: ['features'] }));
    expect(check).toEqual({
      ok: true,
      main: 'index.js',
      manifest: {
        name: 'helmet-check',
        version: '1.2.0',
        description: '',
        consumes: { kinds: ['object'], labels: null, crop: null, snapshot: false, frames: null, clipUrl: false },
        returns: ['features'],
        limits: { timeoutSec: 10, maxResultKb: 1024, maxMessagesPerMinute: 600, maxOutputKbPerMinute: 256 },
      },
    });
  });

  it('reads what it consumes, returns and needs', () => {
    const check = checkPluginManifest(
      pkg({
        name: 'colours',
        description: 'colours of people',
        consumes: { kinds: ['object', 'loitering'], labels: ['person'], crop: { format: 'png', maxSize: 128, margin: 0.2 }, snapshot: true, frames: { fps: 2, maxFrames: 4 }, clipUrl: true },
        returns: ['features', 'images', 'events', 'objects'],
        limits: { timeoutSec: 3, maxResultKb: 64, maxMessagesPerMinute: 20, maxOutputKbPerMinute: 8 },
      }),
    );
    expect(check.ok && check.manifest).toMatchObject({
      name: 'colours',
      description: 'colours of people',
      consumes: { kinds: ['object', 'loitering'], labels: ['person'], crop: { format: 'png', maxSize: 128, margin: 0.2 }, snapshot: true, frames: { fps: 2, maxFrames: 4, maxWidth: 640 }, clipUrl: true },
      limits: { timeoutSec: 3, maxResultKb: 64, maxMessagesPerMinute: 20, maxOutputKbPerMinute: 8 },
    });
    expect(checkPluginManifest(pkg({ consumes: { crop: true }, returns: ['images'] }))).toMatchObject({ ok: true, manifest: { consumes: { crop: { format: 'jpeg', maxSize: 256, margin: 0.1 } } } });
  });

  it('lists every problem at once, in words an author can act on', () => {
    const check = checkPluginManifest({
      name: 'Bad Name',
      main: '../escape.js',
      cameramonit: { consumes: { kinds: ['sound'], labels: ['person', 'unicorn'], crop: { format: 'gif' } }, returns: ['magic'], limits: { timeoutSec: 900 } },
    });
    expect(check.ok).toBe(false);
    const problems = check.ok ? [] : check.problems;
    expect(problems).toEqual([
      expect.stringMatching(/^name "Bad Name" must be 1-40 lower-case/),
      'package.json needs a "version"',
      '"main" must be a file inside the plugin folder',
      'consumes.kinds must be a non-empty list of object, motion, loitering',
      expect.stringMatching(/consumes.labels must be .*COCO labels.*unknown: "unicorn"/),
      'consumes.crop.format must be "jpeg" or "png"',
      'cameramonit.returns must be a non-empty list of objects, events, features, images',
      'limits.timeoutSec must be a number from 1 to 120 (got 900)',
    ]);
  });

  it('says when there is no manifest at all', () => {
    expect(checkPluginManifest({ name: 'left-pad', version: '1.0.0' })).toEqual({ ok: false, name: 'left-pad', problems: ['package.json has no "cameramonit" object (the plugin manifest)'] });
    expect(checkPluginManifest('text')).toMatchObject({ ok: false, problems: ['package.json is not a JSON object'] });
  });
});
