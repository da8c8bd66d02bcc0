import { describe, expect, it } from 'vitest';
import { defaultCameraAnalysisSettings } from '@cameramonit/contracts';
import { clipSettings } from './camera-settings.js';

const platform = { fps: 5, width: 640 };

describe('the settings a clip is analysed with', () => {
  it("are the defaults with the platform's fps and width when the camera has none", () => {
    const { settings, problem, hash } = clipSettings(null, platform);
    expect(settings).toEqual({ ...defaultCameraAnalysisSettings, fps: 5, width: 640 });
    expect(problem).toBeNull();
    expect(hash).toMatch(/^[0-9a-f]{12}$/);
  });

  it("are the camera's own where it sets them, and a change gives another hash", () => {
    const own = clipSettings(JSON.stringify({ classes: ['car'], fps: 2, width: null, minConfidence: 0.6 }), platform);
    expect(own.settings).toMatchObject({ classes: ['car'], fps: 2, width: 640, minConfidence: 0.6 });
    expect(own.hash).not.toBe(clipSettings(null, platform).hash);
  });

  it('fall back to the defaults, saying why, when the stored JSON no longer passes', () => {
    const broken = clipSettings(JSON.stringify({ classes: ['unicorn'] }), platform);
    expect(broken.settings.classes).toEqual(defaultCameraAnalysisSettings.classes);
    expect(broken.problem).toMatch(/unicorn/);
    expect(clipSettings('{not json', platform).problem).toMatch(/not JSON/);
  });
});
