import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findOnPath, findInNpmPackage, locateFfmpegBinaries } from './ffmpeg-binaries.locator.js';

describe('locateFfmpegBinaries', () => {
  it('prefers FFMPEG_PATH / FFPROBE_PATH', () => {
    const found = locateFfmpegBinaries({ FFMPEG_PATH: '/bin/sh', FFPROBE_PATH: '/bin/sh', PATH: '' });
    expect(found).toEqual({ ffmpegPath: '/bin/sh', ffprobePath: '/bin/sh' });
  });

  it('names the variable when it points nowhere', () => {
    expect(() => locateFfmpegBinaries({ FFMPEG_PATH: '/nope/ffmpeg', PATH: '/usr/bin' })).toThrow(/FFMPEG_PATH=\/nope\/ffmpeg/);
  });

  it('explains how to install when ffmpeg is not on PATH', () => {
    try {
      locateFfmpegBinaries({ PATH: '/nonexistent-dir' }, () => null);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('FFMPEG_NOT_FOUND');
      expect((error as Error).message).toMatch(/Install ffmpeg/);
    }
  });

  it('falls back to the binaries the optional npm packages ship when none is on PATH', () => {
    const found = locateFfmpegBinaries({ PATH: '/nonexistent-dir' });
    expect(found.ffmpegPath).toMatch(/@ffmpeg-installer\/linux-x64\/ffmpeg$/);
    expect(found.ffprobePath).toMatch(/@ffprobe-installer\/linux-x64\/ffprobe$/);
    expect(execFileSync(found.ffmpegPath, ['-version'], { encoding: 'utf8' })).toMatch(/^ffmpeg version/);
    expect(findInNpmPackage('ffmpeg', 'aix', 'ppc64')).toBeNull();
  });

  it('finds executables on PATH, skipping empty entries', () => {
    expect(findOnPath('sh', ':/nonexistent:/bin')).toBe('/bin/sh');
    expect(findOnPath('definitely-not-a-binary', '/bin')).toBeNull();
  });
});
