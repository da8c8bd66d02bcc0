import { resolve } from 'node:path';
import type { AnalysisProgress } from '@cameramonit/contracts';
import { describe, expect, it } from 'vitest';
import { analyseVideoWithStats } from './video-analysis.service.js';

const vtest = resolve(import.meta.dirname, '../../../fixtures/vtest.avi');

describe('analyseVideo on fixtures/vtest.avi with the real CenterNet detector', () => {
  it('finds people walking through the video and does not announce the parked van and car', async () => {
    const progress: AnalysisProgress[] = [];
    const { result, stats } = await analyseVideoWithStats(vtest, {}, (p) => progress.push(p));
    console.info(
      `vtest.avi: ${(stats.wallMs / 1000).toFixed(1)} s = ${stats.speedVsRealtime.toFixed(2)}x realtime, ` +
        `${stats.detectorRuns} detector runs at ${stats.detectorMsPerRun.toFixed(0)} ms, model load ${stats.modelLoadMs.toFixed(0)} ms, ` +
        `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
    for (const event of result.events) console.info(`  ${event.startSec}-${event.endSec} s  ${event.summary.en}  (${event.confidence})`);

    expect(result.durationSec).toBeCloseTo(79.5, 1);
    expect(result).toMatchObject({ frameWidth: 512, frameHeight: 384, fps: 5 });
    expect(result.analysedFrames).toBeGreaterThanOrEqual(395);

    const people = result.events.filter((event) => event.kind === 'object' && event.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(1);
    // people walk through most of the video: together the events cover its start and its end
    expect(Math.min(...people.map((event) => event.startSec))).toBeLessThan(10);
    expect(Math.max(...people.map((event) => event.endSec))).toBeGreaterThan(65);
    expect(people.reduce((sum, event) => sum + event.count, 0)).toBeGreaterThanOrEqual(3);
    // passers-by are not chained into one event: people walking together are a few, not the whole crowd of the video
    expect(Math.max(...people.map((event) => event.count))).toBeLessThanOrEqual(3);
    for (const event of people) {
      expect(event.endSec).toBeGreaterThan(event.startSec);
      expect(event.confidence).toBeGreaterThanOrEqual(0.3);
      expect(event.bestSec).toBeGreaterThanOrEqual(event.startSec);
      expect(event.bestSec).toBeLessThanOrEqual(event.endSec);
      expect(event.summary.en).toMatch(/people|person/);
      expect(event.summary.pl).toMatch(/osob|osób|osoba/i);
    }

    // the van (a "truck" to COCO) and the car are parked at the top right: tracked, stationary, not events
    const vehicles = result.tracks.filter((track) => ['car', 'truck', 'bus'].includes(track.label) && track.lastSec - track.firstSec > 30);
    expect(vehicles.length).toBeGreaterThanOrEqual(1);
    expect(vehicles.every((track) => track.stationary)).toBe(true);
    expect(result.events.some((event) => ['car', 'truck', 'bus'].includes(event.label))).toBe(false);

    expect(progress.at(-1)?.fraction).toBe(1);
    // speed is measured by `npm run bench`, not asserted here
  });
});
