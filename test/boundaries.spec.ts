import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/platform.harness.js';

interface SourceFile {
  path: string;
  project: string;
  imports: string[];
}

function sources(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const kind of ['apps', 'libs']) {
    for (const name of readdirSync(join(repoRoot, kind))) {
      const src = join(repoRoot, kind, name, 'src');
      for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith('.ts') || /\.(spec|integration-spec|e2e-spec)\.ts$/.test(entry.name) || entry.name.endsWith('.testing.ts')) continue;
        const path = join(entry.parentPath, entry.name);
        const text = readFileSync(path, 'utf8');
        const imports = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/(?:import|require(?:\.resolve)?)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string);
        files.push({ path: relative(repoRoot, path), project: `${kind}/${name}`, imports });
      }
    }
  }
  return files;
}

const all = sources();

describe('module boundaries', () => {
  it('apps and libs reach other projects only through @cameramonit/<lib>, never by relative path', () => {
    const crossing = all.flatMap((file) =>
      file.imports
        .filter((spec) => spec.startsWith('.'))
        .filter((spec) => !resolve(repoRoot, dirname(file.path), spec).startsWith(join(repoRoot, file.project) + '/'))
        .map((spec) => `${file.path} -> ${spec}`),
    );
    expect(crossing).toEqual([]);
  });

  it('no app imports another app, and no lib imports an app', () => {
    const apps = readdirSync(join(repoRoot, 'apps'));
    const wrong = all.flatMap((file) => file.imports.filter((spec) => apps.some((app) => spec === `@cameramonit/${app}` || spec.startsWith(`@cameramonit/${app}/`))).map((spec) => `${file.path} -> ${spec}`));
    expect(wrong).toEqual([]);
  });

  it('talks to each external system from one place only', () => {
    const owners: Record<string, string[]> = {
      nodemailer: ['apps/notifier/src/email.driver.ts'],
      '@vladmandic/human': ['libs/vision/src/human-object-detector.driver.ts'],
      '@tensorflow/tfjs-core': ['libs/vision/src/human-object-detector.driver.ts'],
      '@tensorflow/tfjs-converter': ['libs/vision/src/human-object-detector.driver.ts'],
      '@tensorflow/tfjs-backend-wasm': ['libs/vision/src/human-object-detector.driver.ts'],
      'ftp-srv': ['apps/storage/src/file-servers/ftp-server.driver.ts'],
      'webdav-server': ['apps/storage/src/file-servers/webdav-server.driver.ts'],
      aedes: ['libs/bus/src/embedded-broker.ts'],
      openai: ['libs/vision/src/vision-model.driver.ts'],
      onvif: ['apps/installer/src/onvif/onvif.driver.ts'],
      'node:child_process': ['libs/media/src/ffmpeg.driver.ts', 'apps/dev-runner/src/supervisor.ts', 'apps/plugin-host/src/plugin-process.driver.ts'],
      // the apps' bus (Nest's transport, and raw topics for plugins); the plugin SDK runs inside a plugin's own process, without Nest
      mqtt: ['libs/bus/src/bus.client.ts', 'libs/bus/src/topic.connection.ts', 'libs/plugin-sdk/src/plugin.runner.ts'],
    };
    for (const [pkg, allowed] of Object.entries(owners)) {
      const users = all.filter((f) => f.imports.some((spec) => spec === pkg || spec.startsWith(`${pkg}/`))).map((f) => f.path);
      expect(users.filter((u) => !allowed.includes(u)), pkg).toEqual([]);
      expect(users.length, `${pkg} is used somewhere`).toBeGreaterThan(0);
    }
  });
});
