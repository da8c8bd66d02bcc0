/** The typed interface of a vision-language model, as the describer and the chat's summaries use it. */
import { CameramonitError, type ModelCallOutcome } from '@cameramonit/contracts';
import type { EventDescription, EventDescriptionRequest, PeriodSummary, PeriodSummaryRequest } from './vision-model.prompts.js';

export interface VisionModelSettings {
  /** the API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 */
  baseUrl: string;
  model: string;
  /** null for local servers that need none */
  apiKey: string | null;
  /** one call may take this long */
  timeoutMs: number;
}

export interface ModelTokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ModelAnswer<T> {
  value: T;
  usage: ModelTokenUsage;
  /** the model that answered, as the server names it */
  model: string;
  durationMs: number;
}

export type ModelFailure = Exclude<ModelCallOutcome, 'ok'>;

/** A call that did not give a usable answer: why, how long to wait when the server said, what it cost. */
export class VisionModelError extends CameramonitError {
  constructor(
    readonly outcome: ModelFailure,
    message: string,
    readonly retryAfterMs: number | null = null,
    readonly usage: ModelTokenUsage = { promptTokens: 0, completionTokens: 0 },
    readonly durationMs = 0,
  ) {
    super(`VISION_MODEL_${outcome.toUpperCase().replace(/-/g, '_')}`, message, 502);
    this.name = 'VisionModelError';
  }
}

/** What the describer and the chat's summaries need from a model. */
export interface VisionModel {
  describeEvent(request: EventDescriptionRequest, signal?: AbortSignal): Promise<ModelAnswer<EventDescription>>;
  summarisePeriod(request: PeriodSummaryRequest, signal?: AbortSignal): Promise<ModelAnswer<PeriodSummary>>;
}

