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
 * Which pass runs which end-to-end test: each runs in one pass (CI runs both, and its 20 minutes do
 * not hold every end-to-end test twice). The main path (upload-to-chat) in the first, on the
 * embedded defaults a new user starts with, and the compose layout on hosts of their own (hosts:
 * MariaDB and Mosquitto whatever the pass); the ones whose behaviour leans on MariaDB or a real
 * broker (persistent sessions after restarts, unique open pushes, two workers sharing clips, live
 * cameras) in the second. E2E_ALL=1 runs every one in either pass. The live-cameras test records a
 * camera for 5 minutes: its platform starts in a global setup, so those minutes pass while the
 * other end-to-end tests run, and it runs last.
 */
const e2eIn: Record<'first' | 'second', string[]> = {
  first: ['upload-to-chat', 'plugins', 'vision-model', 'bad-input-and-roles', 'hosts'],
  second: ['restarts', 'intake', 'scenes-settings-reanalysis', 'webcam', 'live-cameras'],
};
const e2eAll = process.env.E2E_ALL === '1' || process.env.LIVE_E2E === '1';
const e2eFiles = readdirSync(resolve(import.meta.dirname, 'test/e2e')).filter((file) => file.endsWith('.e2e-spec.ts'));
const unassigned = e2eFiles.filter((file) => !Object.values(e2eIn).flat().some((name) => file === `${name}.e2e-spec.ts`));
if (unassigned.length > 0) throw new Error(`vitest.config.ts: say which pass runs ${unassigned.join(', ')} (e2eIn)`);
const e2eSkipped = e2eAll ? [] : e2eFiles.filter((file) => !e2eIn[backingServicesPass ? 'second' : 'first'].some((name) => file === `${name}.e2e-spec.ts`)).map((file) => `test/e2e/${file}`);
const liveE2E = !e2eSkipped.includes('test/e2e/live-cameras.e2e-spec.ts');
const repeatedNeedlessly = backingServicesPass
  ? integrationFiles.filter((file) => !usesBackingServices.test(readFileSync(resolve(import.meta.dirname, file), 'utf8')))
  : [];

/**
 * Integration and end-to-end files run in one group of two workers, after the unit tests: an
 * end-to-end platform spends much of its time waiting on its own processes, and the integration
 * files fill that time. Only one end-to-end platform runs at a time (startPlatform waits for the
 * one before: test/support/platform-lock.ts), and the sequencer puts integration files between
 * them (test/support/e2e.sequencer.ts).
 */
const sideBySide = { maxWorkers: 2, sequence: { groupOrder: 1 } };

export default defineConfig({
  test: {
    // the unit project is empty in the second pass
    passWithNoTests: backingServicesPass,
    // the live soak's global teardown stops a whole platform (up to 20 s) and drops its database:
    // vitest's 10 s default cut it short and left the database behind
    teardownTimeout: 60_000,
    // integration and end-to-end files side by side, an end-to-end file between integration files;
    // the live-cameras end-to-end test last: its soak camera records while the others run
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
          maxWorkers: 2,
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
          // the bus test waits for the end-to-end platform of the moment to end (platform-lock.ts)
          hookTimeout: 600_000,
          ...sideBySide,
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
          exclude: e2eSkipped,
          // the live-cameras test's platform and soak camera start before the end-to-end tests (LIVE_SOAK=0: not)
          globalSetup: liveE2E ? ['test/support/live-soak.global-setup.ts'] : [],
          testTimeout: 600_000,
          // platforms wait for each other (startPlatform takes test/support/platform-lock.ts)
          hookTimeout: 900_000,
          ...sideBySide,
        },
      },
    ],
  },
});
