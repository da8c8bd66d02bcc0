import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Tests import libs by package name; point those names at the sources so no build is needed.
const alias = Object.fromEntries(
  readdirSync(resolve(import.meta.dirname, 'libs')).map((lib) => [
    `@cameramonit/${lib}`,
    resolve(import.meta.dirname, 'libs', lib, 'src', 'index.ts'),
  ]),
);

// SWC keeps decorator metadata, which Nest's dependency injection needs (esbuild drops it).
const plugins = [
  swc.vite({
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  }),
];

export default defineConfig({
  test: {
    // the JSON report lets CI print one "N passed, N failed" line
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }], ['junit', { outputFile: 'test-results/junit.xml' }]],
    projects: [
      {
        plugins,
        resolve: { alias },
        test: { name: 'unit', include: ['{libs,apps,plugins}/*/src/**/*.spec.ts', 'test/**/*.spec.ts'], testTimeout: 30_000 },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{libs,apps,plugins}/*/src/**/*.integration-spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e-spec.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
