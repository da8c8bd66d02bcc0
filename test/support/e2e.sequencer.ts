import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const isEndToEnd = (file: TestSpecification) => file.moduleId.includes('/test/e2e/');
const isLive = (file: TestSpecification) => file.moduleId.includes('live-cameras.e2e-spec');

/**
 * Seconds each integration and end-to-end file took in a run here (two at a time, on two cores).
 * A fresh clone (CI) has no vitest cache of durations; this keeps its order as good as a second
 * run's. A file missing from it counts as short. Refresh it when files come and go.
 */
const durations = JSON.parse(readFileSync(resolve(import.meta.dirname, 'test-durations.json'), 'utf8')) as Record<string, number>;
/** what an end-to-end file costs beyond its tests: its platform starting and stopping */
const platformSeconds = 25;

/**
 * The order files are handed to the workers.
 *
 * Integration and end-to-end files share one group of two workers (vitest.config.ts), and only one
 * end-to-end platform runs at a time (test/support/platform-lock.ts). So the end-to-end files come
 * one by one, each followed by integration files that take about as long as it: while one worker
 * runs a platform, the other works through them and then takes the next end-to-end file, which
 * starts when the platform before it has stopped. The live-cameras test comes last of the
 * end-to-end files, so the soak camera its global setup started has recorded its 5 minutes by then
 * (test/support/live-soak.global-setup.ts).
 */
export class EndToEndSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // the base order: files that failed last time first, then the slowest (vitest's cache), then the biggest
    const sorted = await super.sort(files);
    const seconds = (file: TestSpecification) => durations[relative(repoRoot, file.moduleId)] ?? 1;
    const endToEnd = [...sorted.filter((f) => isEndToEnd(f) && !isLive(f)), ...sorted.filter(isLive)];
    const others = sorted.filter((f) => !isEndToEnd(f));
    if (endToEnd.length === 0) return others;
    // slowest first, each to the end-to-end file with the most time left to fill
    const byLength = [...others].sort((a, b) => seconds(b) - seconds(a));
    const left = endToEnd.map((file) => seconds(file) + platformSeconds);
    const shares: TestSpecification[][] = endToEnd.map(() => []);
    for (const file of byLength) {
      const slot = left.indexOf(Math.max(...left));
      shares[slot]?.push(file);
      left[slot] = (left[slot] ?? 0) - seconds(file);
    }
    return endToEnd.flatMap((file, index) => [file, ...(shares[index] ?? [])]);
  }
}
