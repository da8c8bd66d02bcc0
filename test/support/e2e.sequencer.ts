import { BaseSequencer, type TestSpecification } from 'vitest/node';

const isEndToEnd = (file: TestSpecification) => file.moduleId.includes('/test/e2e/');
const isLive = (file: TestSpecification) => file.moduleId.includes('live-cameras.e2e-spec');

/**
 * The order files are handed to the workers.
 *
 * Integration and end-to-end files share one group of two workers (vitest.config.ts), and only one
 * end-to-end platform runs at a time (test/support/platform-lock.ts). So the end-to-end files come
 * one by one with a share of the integration files after each: while one worker runs a platform,
 * the other works through that share and then takes the next end-to-end file, which starts when
 * the platform before it has stopped. The live-cameras test comes last of the end-to-end files,
 * so the soak camera its global setup started has recorded its 5 minutes by then
 * (test/support/live-soak.global-setup.ts).
 */
export class EndToEndSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // the base order: files that failed last time first, then the slowest (vitest's cache), then the biggest
    const sorted = await super.sort(files);
    const endToEnd = [...sorted.filter((f) => isEndToEnd(f) && !isLive(f)), ...sorted.filter(isLive)];
    const others = sorted.filter((f) => !isEndToEnd(f));
    if (endToEnd.length === 0) return others;
    const shares: TestSpecification[][] = endToEnd.map(() => []);
    // round robin, slowest first: each end-to-end file gets a like share of the work
    others.forEach((file, index) => shares[index % shares.length]?.push(file));
    return endToEnd.flatMap((file, index) => [file, ...(shares[index] ?? [])]);
  }
}
