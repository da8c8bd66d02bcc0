import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnalysedEvent } from '@cameramonit/contracts';
import { FfmpegDriver } from '@cameramonit/media';
import { afterAll, describe, expect, it } from 'vitest';
import { HumanObjectDetector } from './human-object-detector.driver.js';
import { analyseVideoWithStats, type SceneState } from './video-analysis.service.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');
const pieceSec = 5;
const pieces = 4; // the first 20 s: people cross every boundary, the van and the car are parked all along

describe('the scene carried across 5 s pieces of fixtures/vtest.avi (real ffmpeg, real detector, state through JSON)', () => {
  const work = mkdtempSync(join(tmpdir(), 'scene-carry-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('keeps people who cross a boundary in one event and never announces the parked van', async () => {
    const ffmpeg = new FfmpegDriver();
    const files: string[] = [];
    for (let i = 0; i < pieces; i++) {
      const file = join(work, `piece-${i}.mp4`);
      const cut = spawnSync(ffmpeg.binaries.ffmpegPath, [
        '-v', 'error', '-ss', String(i * pieceSec), '-t', String(pieceSec), '-i', vtest,
        '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-y', file,
      ]);
      expect(cut.status, cut.stderr.toString()).toBe(0);
      files.push(file);
    }

    const detector = new HumanObjectDetector();
    const outcomes: { events: AnalysedEvent[]; vehicleTrackIds: number[] }[] = [];
    let state: SceneState | null = null;
    try {
      for (const file of files) {
        const analysed = await analyseVideoWithStats(file, { detector, ffmpeg, carryIn: state ? { state, gapSec: 0 } : null });
        state = JSON.parse(JSON.stringify(analysed.sceneState)) as SceneState; // stored as JSON between workers
        const vehicles = analysed.result.tracks.filter((track) => ['car', 'truck', 'bus'].includes(track.label));
        outcomes.push({ events: analysed.result.events, vehicleTrackIds: vehicles.map((track) => track.id) });
      }
    } finally {
      await detector.dispose();
    }
    outcomes.forEach(({ events }, i) => {
      for (const event of events) {
        console.info(`  piece ${i} ${event.startSec}..${event.endSec} s ${event.continued ? 'continued' : 'new'}${event.open ? ', open' : ''}: ${event.summary.en} [${event.key.split(':')[1]}]`);
      }
    });

    for (let i = 1; i < outcomes.length; i++) {
      const before = new Set(outcomes[i - 1].events.filter((event) => event.open).map((event) => event.key));
      const { events } = outcomes[i];
      // someone walking through the cut goes on in the event that began before it...
      expect(events.some((event) => event.continued && before.has(event.key) && event.startSec < 0)).toBe(true);
      // ...and nobody in view at the cut starts a second event there (without the carry, everyone in view would, at 0 s;
      // a negative start without "continued" is someone who appeared before the cut but was not yet announced)
      const startedAtCut = events.filter((event) => event.kind === 'object' && !event.continued && event.startSec === 0);
      expect(startedAtCut.map((event) => event.summary.en)).toEqual([]);
      for (const event of events.filter((e) => e.continued)) expect(event.count).toBeGreaterThanOrEqual(1);
    }

    // the van and the car are known in every piece as the same objects, and never announced
    const all = outcomes.flatMap((outcome) => outcome.events);
    expect(all.filter((event) => ['car', 'truck', 'bus'].includes(event.label))).toEqual([]);
    const firstVehicles = new Set(outcomes[0].vehicleTrackIds);
    expect(firstVehicles.size).toBeGreaterThanOrEqual(1);
    for (const outcome of outcomes.slice(1)) for (const id of outcome.vehicleTrackIds) expect(firstVehicles.has(id)).toBe(true);
    expect(all.filter((event) => event.label === 'person').length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(state).length).toBeLessThan(40_000);
  });
});
