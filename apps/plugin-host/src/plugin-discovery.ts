import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { PluginManifest } from '@cameramonit/contracts';
import { checkPluginManifest } from './plugin-manifest.js';

export interface DiscoveredPlugin {
  dir: string;
  /** absolute path of the main file */
  main: string;
  manifest: PluginManifest;
}

export interface InvalidPlugin {
  dir: string;
  name: string | null;
  problems: string[];
}

export interface Discovery {
  plugins: DiscoveredPlugin[];
  invalid: InvalidPlugin[];
}

function folders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && !entry.name.startsWith('.'))
      .map((entry) => join(dir, entry.name))
      .filter((path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false)
      .sort();
  } catch {
    return [];
  }
}

/**
 * The plugins in a folder: each sub-folder with a package.json (a plugin you copied or wrote
 * there), and each npm package installed into its node_modules (`npm install --prefix <dir> <pkg>`)
 * whose package.json has a `cameramonit` key. A folder of the first kind with a bad or missing
 * manifest is reported as invalid; packages in node_modules without the key are ordinary
 * dependencies and are skipped. Two plugins with one name: the first is kept, the second reported.
 */
export function discoverPlugins(pluginsDir: string): Discovery {
  const root = resolve(pluginsDir);
  const candidates: { dir: string; fromNodeModules: boolean }[] = [];
  for (const dir of folders(root)) if (!dir.endsWith(`${sep}node_modules`)) candidates.push({ dir, fromNodeModules: false });
  for (const dir of folders(join(root, 'node_modules'))) {
    if (dir.split(sep).pop()?.startsWith('@')) for (const scoped of folders(dir)) candidates.push({ dir: scoped, fromNodeModules: true });
    else candidates.push({ dir, fromNodeModules: true });
  }

  const plugins: DiscoveredPlugin[] = [];
  const invalid: InvalidPlugin[] = [];
  for (const { dir, fromNodeModules } of candidates) {
    const packageFile = join(dir, 'package.json');
    if (!existsSync(packageFile)) {
      if (!fromNodeModules) invalid.push({ dir, name: null, problems: ['the folder has no package.json'] });
      continue;
    }
    let packageJson: unknown;
    try {
      packageJson = JSON.parse(readFileSync(packageFile, 'utf8'));
    } catch (error) {
      invalid.push({ dir, name: null, problems: [`package.json is not valid JSON (${(error as Error).message})`] });
      continue;
    }
    if (fromNodeModules && !(packageJson && typeof packageJson === 'object' && 'cameramonit' in packageJson)) continue;
    const check = checkPluginManifest(packageJson);
    if (!check.ok) {
      invalid.push({ dir, name: check.name, problems: check.problems });
      continue;
    }
    const main = resolve(dir, check.main);
    if (!main.startsWith(dir + sep) || !existsSync(main)) {
      invalid.push({ dir, name: check.manifest.name, problems: [`the main file ${check.main} does not exist in ${dir}`] });
      continue;
    }
    const twin = plugins.find((p) => p.manifest.name === check.manifest.name);
    if (twin) {
      invalid.push({ dir, name: check.manifest.name, problems: [`another plugin named "${check.manifest.name}" is already in ${twin.dir}`] });
      continue;
    }
    plugins.push({ dir, main, manifest: check.manifest });
  }
  return { plugins, invalid };
}
