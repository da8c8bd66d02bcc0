/**
 * The only code that talks to a vision-language model: the `openai` client against any
 * OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, LM Studio). One call per
 * method, no retries of its own (the caller's bounded backoff counts), a request timeout, and
 * every failure turned into a VisionModelError saying what happened.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import {
  buildEventDescriptionMessages,
  buildPeriodSummaryMessages,
  eventDescriptionSchema,
  MalformedAnswerError,
  parseEventDescription,
  parsePeriodSummary,
  periodSummarySchema,
  type ChatMessage,
  type EventDescription,
  type EventDescriptionRequest,
  type PeriodSummary,
  type PeriodSummaryRequest,
  type StructuredOutputSchema,
} from './vision-model.prompts.js';
import { parseRetryAfter } from './vision-model.retry.js';
import { VisionModelError, type ModelAnswer, type VisionModel, type VisionModelSettings } from './vision-model.types.js';

/** Placeholder sent as the bearer token to servers that need no key (the client library wants one). */
const NO_KEY = 'no-key';

export class OpenAiVisionModelDriver implements VisionModel {
  private readonly client: OpenAI;

  constructor(private readonly settings: VisionModelSettings) {
    this.client = new OpenAI({
      baseURL: settings.baseUrl,
      apiKey: settings.apiKey || NO_KEY,
      organization: null,
      project: null,
      timeout: settings.timeoutMs,
      maxRetries: 0,
    });
  }

  describeEvent(request: EventDescriptionRequest, signal?: AbortSignal): Promise<ModelAnswer<EventDescription>> {
    return this.complete(buildEventDescriptionMessages(request), eventDescriptionSchema, parseEventDescription, 700, signal);
  }

  summarisePeriod(request: PeriodSummaryRequest, signal?: AbortSignal): Promise<ModelAnswer<PeriodSummary>> {
    return this.complete(buildPeriodSummaryMessages(request), periodSummarySchema, parsePeriodSummary, 600, signal);
  }

  private async complete<T>(
    messages: ChatMessage[],
    schema: StructuredOutputSchema,
    parse: (content: string | null | undefined) => T,
    maxTokens: number,
    signal: AbortSignal | undefined,
  ): Promise<ModelAnswer<T>> {
    const started = Date.now();
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.settings.model,
      messages,
      temperature: 0.2,
      max_tokens: maxTokens,
      response_format: { type: 'json_schema', json_schema: schema },
    };
    let completion: ChatCompletion;
    try {
      completion = await this.create(body, signal);
    } catch (error) {
      // a server that knows no json_schema (older vLLM, llama.cpp) answers 400: ask again for plain JSON
      if (error instanceof APIError && error.status === 400 && /response_format|json_schema/i.test(error.message)) {
        try {
          completion = await this.create({ ...body, response_format: undefined }, signal);
        } catch (retried) {
          throw this.failure(retried, started);
        }
      } else {
        throw this.failure(error, started);
      }
    }
    const usage = { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 };
    const durationMs = Date.now() - started;
    const choice = completion.choices?.[0];
    if (!choice) throw new VisionModelError('malformed', 'The model answered with no choices', null, usage, durationMs);
    if (choice.finish_reason === 'length') throw new VisionModelError('malformed', 'The answer was cut off (max_tokens reached)', null, usage, durationMs);
    if (choice.message?.refusal) throw new VisionModelError('malformed', `The model refused: ${choice.message.refusal.slice(0, 200)}`, null, usage, durationMs);
    try {
      return { value: parse(choice.message?.content), usage, model: completion.model || this.settings.model, durationMs };
    } catch (error) {
      if (error instanceof MalformedAnswerError) throw new VisionModelError('malformed', error.message, null, usage, durationMs);
      throw error;
    }
  }

  private create(body: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal | undefined): Promise<ChatCompletion> {
    return this.client.chat.completions.create(body, { signal });
  }

  private failure(error: unknown, started: number): Error {
    const durationMs = Date.now() - started;
    if (error instanceof APIUserAbortError) return error;
    if (error instanceof APIConnectionTimeoutError) {
      return new VisionModelError('timeout', `The model did not answer within ${Math.round(this.settings.timeoutMs / 1000)} s`, null, undefined, durationMs);
    }
    if (error instanceof APIConnectionError) {
      const cause = (error.cause as { code?: string; message?: string } | undefined) ?? {};
      return new VisionModelError('connection-failed', `Cannot reach ${this.settings.baseUrl} (${cause.code ?? cause.message ?? error.message})`, null, undefined, durationMs);
    }
    if (error instanceof APIError) {
      const status = error.status ?? 0;
      const detail = error.message.slice(0, 300);
      if (status === 429) return new VisionModelError('rate-limited', `Rate limited (429): ${detail}`, parseRetryAfter(error.headers), undefined, durationMs);
      if (status === 408) return new VisionModelError('timeout', `The server timed out (408): ${detail}`, null, undefined, durationMs);
      if (status >= 500 || status === 409) return new VisionModelError('server-error', `Server error (${status}): ${detail}`, parseRetryAfter(error.headers), undefined, durationMs);
      return new VisionModelError('rejected', `The server refused the request (${status}): ${detail}`, null, undefined, durationMs);
    }
    return new VisionModelError('malformed', `Unreadable answer: ${(error as Error).message ?? String(error)}`, null, undefined, durationMs);
  }
}

/** The real driver for a project's settings. */
export function openVisionModel(settings: VisionModelSettings): VisionModel {
  return new OpenAiVisionModelDriver(settings);
}
