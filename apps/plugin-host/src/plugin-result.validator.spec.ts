import { describe, expect, it } from 'vitest';
import type { PluginManifest } from '@cameramonit/contracts';
import { encodePng } from '@cameramonit/plugin-sdk';
import { checkPluginResult } from './plugin-result.validator.js';

const manifest = (returns: PluginManifest['returns']): PluginManifest => ({
  name: 'p',
  version: '1',
  description: '',
  consumes: { kinds: ['object'], labels: null, crop: null, snapshot: false, frames: null, clipUrl: false },
  returns,
  limits: { timeoutSec: 10, maxResultKb: 1024, maxMessagesPerMinute: 600, maxOutputKbPerMinute: 256 },
});
const all = manifest(['objects', 'events', 'features', 'images']);
const png = encodePng({ width: 4, height: 3, rgb: new Uint8Array(36) }).toString('base64');

describe('checkPluginResult', () => {
  it('accepts a full answer and types its features', () => {
    const check = checkPluginResult(
      {
        requestId: 'r',
        objects: [{ label: 'helmet', confidence: 0.8, box: { x: 0.1, y: 0.1, width: 0.2, height: 0.2 }, sec: 3 }],
        events: [{ label: 'no helmet', summary: { en: 'A person without a helmet', pl: 'Osoba bez kasku' }, startSec: 1, endSec: 4, confidence: 0.7 }],
        features: { clothingColour: ' red ', height: 1.8, carriesBag: false },
        images: [{ contentType: 'image/png', data: png, caption: 'the crop' }],
      },
      all,
    );
    expect(check.valid).toBe(true);
    if (!check.valid) return;
    expect(check.result.features).toEqual([
      { key: 'clothingColour', value: 'red', valueType: 'string' },
      { key: 'height', value: '1.8', valueType: 'number' },
      { key: 'carriesBag', value: 'false', valueType: 'boolean' },
    ]);
    expect(check.result.images[0]).toMatchObject({ contentType: 'image/png', width: 4, height: 3, caption: 'the crop' });
    expect(check.result.objects).toHaveLength(1);
    expect(check.result.events[0]?.summary.pl).toBe('Osoba bez kasku');
  });

  it('takes a plugin that says it could not do it at its word', () => {
    expect(checkPluginResult({ requestId: 'r', ok: false, error: 'no face' }, all)).toEqual({ valid: true, result: { ok: false, error: 'no face', objects: [], events: [], features: [], images: [] } });
  });

  it('refuses what the manifest does not declare, wrong shapes and sizes, listing each', () => {
    const check = checkPluginResult(
      {
        requestId: 'r',
        extra: 1,
        features: { '1bad': 'x', long: 'x'.repeat(300), nested: { a: 1 } },
        objects: [{ label: '', confidence: 2, box: { x: 0.9, y: 0, width: 0.5, height: 0.1 } }],
        images: [{ contentType: 'image/png', data: Buffer.from('not a png').toString('base64') }, { contentType: 'image/gif', data: png }],
      },
      manifest(['features']),
    );
    expect(check.valid).toBe(false);
    expect(check.valid ? [] : check.problems).toEqual([
      'unknown fields: extra',
      "it returned objects, which its manifest's \"returns\" does not list",
      "it returned images, which its manifest's \"returns\" does not list",
      'objects[0].label must be text of 1-40 characters',
      'objects[0].confidence must be from 0 to 1',
      'objects[0].box must have a size and lie inside the frame',
      expect.stringMatching(/^feature key "1bad" must start with a letter/),
      'feature long must be text of 1-200 characters, a number or true/false',
      'feature nested must be text of 1-200 characters, a number or true/false',
      'images[0].data is not a image/png file',
      'images[1].contentType must be image/jpeg or image/png',
    ]);
  });

  it('refuses images over the size limit and events without both languages', () => {
    const big = Buffer.alloc(600 * 1024).toString('base64');
    const check = checkPluginResult({ requestId: 'r', images: [{ contentType: 'image/jpeg', data: big }], events: [{ label: 'x', summary: { en: 'only English' } }] }, all);
    expect(check.valid ? [] : check.problems).toEqual(['events[0].summary must be {en, pl}, each text of 1-500 characters', 'images[0] is larger than 512 KB']);
  });
});
