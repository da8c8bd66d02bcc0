import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * End-to-end files in a fixed order: the live-cameras test last, so the soak camera its global
 * setup started has recorded its 5 minutes by then (test/support/live-soak.global-setup.ts).
 */
export class EndToEndSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (file: TestSpecification) => (file.moduleId.includes('live-cameras.e2e-spec') ? 1 : 0);
    return [...sorted].sort((a, b) => last(a) - last(b));
  }
}
