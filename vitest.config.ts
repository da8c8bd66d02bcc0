import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { EndToEndSequencer } from './test/support/e2e.sequencer.js';

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

/**
 * The second pass (TEST_DATABASE_URL / TEST_MQTT_URL: MariaDB and an external broker) runs the
 * tests that talk to a database or a broker: every end-to-end test, and the integration tests that
 * read those settings (directly or through test/support). The others would only repeat the first
 * pass: unit tests and integration tests of ffmpeg, the detector, the file servers.
 */
const backingServicesPass = Boolean(process.env.TEST_DATABASE_URL || process.env.TEST_MQTT_URL);
const usesBackingServices = /TEST_DATABASE_URL|TEST_MQTT_URL|support\/test-database/;
const integrationFiles = ['libs', 'apps', 'plugins'].flatMap((top) =>
  readdirSync(resolve(import.meta.dirname, top), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.integration-spec.ts') && !file.includes('node_modules'))
    .map((file) => join(top, file)),
);
/**
 * The live-cameras end-to-end test records a camera for 5 minutes (its platform starts in a global
 * setup, so those minutes pass while the other end-to-end tests run). It runs in the second pass
 * (or with LIVE_E2E=1): CI's 20 minutes do not hold it twice.
 */
const liveE2E = backingServicesPass || process.env.LIVE_E2E === '1';
const repeatedNeedlessly = backingServicesPass
  ? integrationFiles.filter((file) => !usesBackingServices.test(readFileSync(resolve(import.meta.dirname, file), 'utf8')))
  : [];

export default defineConfig({
  test: {
    // the unit project is empty in the second pass
    passWithNoTests: backingServicesPass,
    // the live-cameras end-to-end test runs last: its soak camera records while the others run
    sequence: { sequencer: EndToEndSequencer },
    // the JSON report lets CI print one "N passed, N failed" line
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }], ['junit', { outputFile: 'test-results/junit.xml' }]],
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: backingServicesPass ? [] : ['{libs,apps,plugins}/*/src/**/*.spec.ts', 'test/**/*.spec.ts'],
          testTimeout: 30_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{libs,apps,plugins}/*/src/**/*.integration-spec.ts'],
          exclude: ['**/node_modules/**', ...repeatedNeedlessly],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          // npm run bench:live (BENCH_LIVE=1): measurements, not tests; never part of npm test
          name: 'bench',
          include: process.env.BENCH_LIVE === '1' ? ['test/bench/**/*.bench-run.ts'] : [],
          testTimeout: 3_600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e-spec.ts'],
          exclude: liveE2E ? [] : ['test/e2e/live-cameras.e2e-spec.ts'],
          // the live-cameras test's platform and soak camera start before the end-to-end tests (LIVE_SOAK=0: not)
          globalSetup: liveE2E ? ['test/support/live-soak.global-setup.ts'] : [],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
