/**
 * Descriptions of events by a vision-language model (any OpenAI-compatible endpoint), shared by
 * the admin app (integration settings), video-to-text (describing events) and chat (showing them).
 */
import { CameramonitError } from './errors.js';

export type ThreatLevel = 'none' | 'low' | 'medium' | 'high';
export const threatLevels: readonly ThreatLevel[] = ['none', 'low', 'medium', 'high'];

/** none: no model for the project (local text only); pending: being described; done; failed (with the reason). */
export type DescriptionStatus = 'none' | 'pending' | 'done' | 'failed';

/** What a call to the model was for. */
export type ModelCallPurpose = 'event' | 'summary';

/** How a call to the model ended (one row in the usage ledger per call). */
export type ModelCallOutcome = 'ok' | 'timeout' | 'rate-limited' | 'server-error' | 'connection-failed' | 'malformed' | 'rejected';

/** One object the model saw, with the supervisor's name for it when it recognised one. */
export interface DescribedObject {
  label: string;
  name: string | null;
  description: string;
}

/** Tuning of a project's vision-model integration. */
export interface VisionModelOptions {
  /** images per event: up to maxImages - 1 object crops plus one context frame (1..8) */
  maxImages: number;
  /** seconds one call may take (5..300) */
  timeoutSec: number;
  /** calls per event before it is marked failed (1..6) */
  maxAttempts: number;
}

export const defaultVisionModelOptions: VisionModelOptions = { maxImages: 4, timeoutSec: 60, maxAttempts: 3 };

const limits: Record<keyof VisionModelOptions, [number, number]> = { maxImages: [1, 8], timeoutSec: [5, 300], maxAttempts: [1, 6] };

/**
 * Options from JSON (the stored column or an API body) on top of `base`. Throws
 * INVALID_VISION_MODEL_OPTIONS naming every wrong field.
 */
export function parseVisionModelOptions(input: unknown, base: VisionModelOptions = defaultVisionModelOptions): VisionModelOptions {
  if (input === null || input === undefined) return { ...base };
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new CameramonitError('INVALID_VISION_MODEL_OPTIONS', 'options must be an object with maxImages, timeoutSec and maxAttempts', 400);
  }
  const result = { ...base };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (!(key in limits)) {
      problems.push(`${key} is not an option (use maxImages, timeoutSec, maxAttempts)`);
      continue;
    }
    const [min, max] = limits[key as keyof VisionModelOptions];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be a whole number from ${min} to ${max}`);
      continue;
    }
    result[key as keyof VisionModelOptions] = value;
  }
  if (problems.length) throw new CameramonitError('INVALID_VISION_MODEL_OPTIONS', problems.join('; '), 400);
  return result;
}

/** Stored options JSON, falling back to the defaults when the column is empty or damaged. */
export function readVisionModelOptions(json: string | null): VisionModelOptions {
  if (!json) return { ...defaultVisionModelOptions };
  try {
    return parseVisionModelOptions(JSON.parse(json));
  } catch {
    return { ...defaultVisionModelOptions };
  }
}
