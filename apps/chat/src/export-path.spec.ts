import { describe, expect, it } from 'vitest';
import { parsePlaybackStream } from '@cameramonit/contracts';
import { exportPath, parseRange } from './recordings.service.js';

describe('export links: the range and the stream in the signed path', () => {
  const from = new Date('2026-12-05T10:00:00.000Z');
  const to = new Date('2026-12-05T10:01:00.000Z');

  it('says each stream in the path and reads it back', () => {
    for (const stream of ['main', 'sub', 'playable'] as const) {
      const path = exportPath('cam', from, to, stream);
      expect(parseRange(path.slice(path.lastIndexOf('/') + 1))).toEqual({ from, to, stream });
    }
    expect(exportPath('cam', from, to)).toBe(`exports/cam/${from.getTime()}-${to.getTime()}.mp4`);
    expect(exportPath('cam', from, to, 'playable')).toBe(`exports/cam/${from.getTime()}-${to.getTime()}-playable.mp4`);
  });

  it('refuses what is not such a path, and streams that are none', () => {
    expect(() => parseRange(`${from.getTime()}-${to.getTime()}-thumbnail.mp4`)).toThrow(/not an export link/);
    expect(() => parseRange('../etc/passwd')).toThrow(/not an export link/);
    expect(parsePlaybackStream(undefined)).toBe('main');
    expect(parsePlaybackStream('playable')).toBe('playable');
    expect(() => parsePlaybackStream('thumbnail')).toThrow("stream must be 'main', 'sub' or 'playable'");
  });
});
