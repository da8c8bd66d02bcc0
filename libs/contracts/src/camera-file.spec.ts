import { describe, expect, it } from 'vitest';
import { resolveCameraFile } from './camera-source.js';

describe('resolveCameraFile', () => {
  it('takes a path relative to the working directory, inside CAMERA_FILES_DIR', () => {
    expect(resolveCameraFile('fixtures/vtest.avi', 'fixtures', '/srv/cm')).toEqual({ file: '/srv/cm/fixtures/vtest.avi', problem: null });
    expect(resolveCameraFile('/srv/cm/fixtures/a/b.mp4', '/srv/cm/fixtures', '/elsewhere')).toEqual({ file: '/srv/cm/fixtures/a/b.mp4', problem: null });
  });

  it('refuses the folder itself, a way out with .., another folder and an address', () => {
    for (const url of ['fixtures', 'fixtures/../data/secrets.json', '/etc/passwd', 'data/platform.sqlite', '..']) {
      expect(resolveCameraFile(url, 'fixtures', '/srv/cm').problem, url).toBe(`url of a file camera must be a video inside /srv/cm/fixtures (CAMERA_FILES_DIR); ${url} is not`);
    }
    expect(resolveCameraFile('http://example.com/a.mp4', 'fixtures', '/srv/cm').problem).toMatch(/not an address \(http:\)/);
  });
});
