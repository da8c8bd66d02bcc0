import type { TestProject } from 'vitest/node';
import { startLiveSoak, type RunningLiveSoak } from './live-soak.js';

/**
 * Starts the live-cameras test's platform and its soak camera before the end-to-end tests run, so
 * the 5 minutes of recording the live test checks go by while the other end-to-end tests run
 * (test/e2e/live-cameras.e2e-spec.ts runs last: test/support/e2e.sequencer.ts). It has its own
 * embedded broker and ports, so it does not disturb the others. LIVE_SOAK=0 skips it (the live
 * test then starts its own and waits the 5 minutes).
 */
let soak: RunningLiveSoak | null = null;

export async function setup(project: TestProject): Promise<void> {
  project.provide('liveSoak', null);
  if (process.env.LIVE_SOAK === '0') return;
  soak = await startLiveSoak();
  project.provide('liveSoak', soak.info);
}

export async function teardown(): Promise<void> {
  await soak?.stop();
  soak = null;
}
