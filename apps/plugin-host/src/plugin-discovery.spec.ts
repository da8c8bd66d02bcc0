import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverPlugins } from './plugin-discovery.js';

const root = mkdtempSync(join(tmpdir(), 'cm-discovery-'));
const write = (dir: string, packageJson: unknown, main = 'index.js') => {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'package.json'), typeof packageJson === 'string' ? packageJson : JSON.stringify(packageJson));
  if (main) {
    mkdirSync(join(root, dir, main, '..'), { recursive: true });
    writeFileSync(join(root, dir, main), '');
  }
};

write('colours', { name: 'colours', version: '1.0.0', cameramonit: { returns: ['features'] } });
write('broken-json', '{ "name": ');
write('no-manifest', { name: 'no-manifest', version: '1.0.0' });
write('missing-main', { name: 'missing-main', version: '1.0.0', main: 'dist/main.js', cameramonit: { returns: ['features'] } }, '');
write('twin', { name: 'twin', version: '1.0.0', cameramonit: { name: 'colours', returns: ['features'] } });
mkdirSync(join(root, 'empty-folder'));
write('node_modules/helmets', { name: 'helmets', version: '2.0.0', cameramonit: { returns: ['objects'] } });
write('node_modules/@acme/plates', { name: '@acme/plates', version: '0.3.0', main: 'lib/run.js', cameramonit: { returns: ['events'] } }, 'lib/run.js');
write('node_modules/left-pad', { name: 'left-pad', version: '1.0.0' });

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('discoverPlugins', () => {
  const found = discoverPlugins(root);

  it('finds plugin folders and npm packages installed into node_modules (scoped too)', () => {
    expect(found.plugins.map((p) => [p.manifest.name, p.manifest.version, p.main.slice(root.length)])).toEqual([
      ['colours', '1.0.0', '/colours/index.js'],
      ['plates', '0.3.0', '/node_modules/@acme/plates/lib/run.js'],
      ['helmets', '2.0.0', '/node_modules/helmets/index.js'],
    ]);
  });

  it('reports folders that are not valid plugins, and skips ordinary dependencies', () => {
    const invalid = Object.fromEntries(found.invalid.map((i) => [i.dir.slice(root.length + 1), i.problems.join('; ')]));
    expect(invalid).toEqual({
      'broken-json': expect.stringMatching(/^package.json is not valid JSON/),
      'empty-folder': 'the folder has no package.json',
      'missing-main': expect.stringMatching(/the main file dist\/main.js does not exist/),
      'no-manifest': 'package.json has no "cameramonit" object (the plugin manifest)',
      twin: expect.stringMatching(/another plugin named "colours" is already in/),
    });
  });

  it('finds nothing, without failing, in a folder that does not exist', () => {
    expect(discoverPlugins(join(root, 'nope'))).toEqual({ plugins: [], invalid: [] });
  });
});
