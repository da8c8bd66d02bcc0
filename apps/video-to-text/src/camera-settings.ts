import { createHash } from 'node:crypto';
import { CameramonitError, parseCameraAnalysisSettings, type CameraAnalysisSettings } from '@cameramonit/contracts';

export interface PlatformAnalysisDefaults {
  /** ANALYSIS_FPS */
  fps: number;
  /** ANALYSIS_WIDTH */
  width: number;
}

export interface ClipSettings {
  /** the camera's settings with fps and width resolved to numbers: what the clip is analysed with */
  settings: CameraAnalysisSettings & { fps: number; width: number };
  /** short fingerprint of `settings`, to see at a glance which clips ran with the same ones */
  hash: string;
  /** set when the stored settings were unreadable and the defaults were used instead */
  problem: string | null;
}

/**
 * The settings a clip is analysed with: the camera's stored `analysisSettings` (JSON, null = the
 * defaults) checked by the one validator, fps and width from the platform where the camera leaves
 * them null. Stored settings that no longer pass (hand-edited, an older version) fall back to the
 * defaults and say why, rather than stopping the camera's analysis.
 */
export function clipSettings(stored: string | null, platform: PlatformAnalysisDefaults): ClipSettings {
  let settings: CameraAnalysisSettings;
  let problem: string | null = null;
  try {
    settings = parseCameraAnalysisSettings(stored === null ? null : (JSON.parse(stored) as unknown));
  } catch (error) {
    problem = error instanceof CameramonitError ? error.message : `analysisSettings is not JSON (${(error as Error).message})`;
    settings = parseCameraAnalysisSettings(null);
  }
  const resolved = { ...settings, fps: settings.fps ?? platform.fps, width: settings.width ?? platform.width };
  return { settings: resolved, hash: settingsHash(resolved), problem };
}

/** 12 hex digits of the SHA-256 of the settings' JSON. */
export function settingsHash(settings: CameraAnalysisSettings): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12);
}
