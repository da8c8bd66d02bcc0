import { describe, expect, it } from 'vitest';
import { recordingStart, startTimeFromName } from './recording-name.js';

describe('the start time of a recorded clip', () => {
  it("reads ffmpeg's strftime segment names as UTC", () => {
    expect(startTimeFromName('20261122T101500Z.mp4')?.toISOString()).toBe('2026-11-22T10:15:00.000Z');
    expect(startTimeFromName('gate-2026-11-22T10-15-05.250Z.ts')?.toISOString()).toBe('2026-11-22T10:15:05.250Z');
    expect(startTimeFromName('20261122_101500.mkv')?.toISOString()).toBe('2026-11-22T10:15:00.000Z');
  });

  it('finds none in a name without a time, or with an impossible one', () => {
    expect(startTimeFromName('visit.mp4')).toBeNull();
    expect(startTimeFromName('20261340T101500Z.mp4')).toBeNull();
  });

  it('prefers the explicit ISO time, and refuses one that is not ISO 8601 with a zone', () => {
    expect(recordingStart('2026-11-22T10:15:00.500Z', '20200101T000000Z.mp4')?.toISOString()).toBe('2026-11-22T10:15:00.500Z');
    expect(recordingStart('2026-11-22T12:15:00+02:00', 'a.mp4')?.toISOString()).toBe('2026-11-22T10:15:00.000Z');
    expect(recordingStart('yesterday', '20261122T101500Z.mp4')).toBeNull();
    expect(recordingStart('2026-11-22 10:15', 'a.mp4')).toBeNull();
    expect(recordingStart(undefined, '20261122T101500Z.mp4')?.toISOString()).toBe('2026-11-22T10:15:00.000Z');
    expect(recordingStart(undefined, 'a.mp4')).toBeNull();
  });
});
