/**
 * Our bounded retries of vision-model calls (the client library's own retries are off): which
 * failures are worth another try, and how long to wait before it.
 */
import type { ModelCallOutcome } from '@cameramonit/contracts';
import { VisionModelError, type ModelAnswer, type ModelTokenUsage } from './vision-model.types.js';

export interface RetryPolicy {
  /** calls in all, the first included */
  maxAttempts: number;
  /** the wait before the first retry; doubled for each next one */
  baseDelayMs: number;
  /** no wait is longer than this */
  maxDelayMs: number;
  /** a server's retry-after is honoured up to this */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 60_000, maxRetryAfterMs: 120_000 };

/** Outcomes that a later call may not repeat: timeouts, 429, 5xx, a refused connection, a malformed answer. */
export function isRetryable(outcome: ModelCallOutcome): boolean {
  return outcome !== 'ok' && outcome !== 'rejected';
}

/**
 * The wait before retry number `retry` (1 = the first retry): exponential backoff with full
 * jitter between half and all of `baseDelayMs * 2^(retry-1)` (capped), or the server's
 * retry-after when it gave one (capped at maxRetryAfterMs).
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, retryAfterMs: number | null = null, random: () => number = Math.random): number {
  if (retryAfterMs !== null && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** A retry-after header (seconds, or an HTTP date; also retry-after-ms) in milliseconds, or null. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** One call as the usage ledger records it. */
export interface ModelCallRecord {
  /** 1-based */
  attempt: number;
  outcome: ModelCallOutcome;
  usage: ModelTokenUsage;
  durationMs: number;
  /** the answering model (ok) */
  model: string | null;
  error: string | null;
}

export interface RetryRunOptions {
  policy: RetryPolicy;
  /** called after every call, before any wait: write the ledger row here */
  onCall: (record: ModelCallRecord) => Promise<void> | void;
  signal?: AbortSignal;
  random?: () => number;
  /** the wait between calls (default: a timer that the signal cuts short) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type RetryRunResult<T> = { ok: true; answer: ModelAnswer<T>; calls: number } | { ok: false; error: VisionModelError; calls: number };

/**
 * Calls the model until it gives a usable answer, a failure that a retry cannot fix, or
 * `policy.maxAttempts` calls; waits with backoff between calls. An abort (shutdown) is thrown.
 */
export async function callWithRetries<T>(call: (signal?: AbortSignal) => Promise<ModelAnswer<T>>, options: RetryRunOptions): Promise<RetryRunResult<T>> {
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      const answer = await call(options.signal);
      await options.onCall({ attempt, outcome: 'ok', usage: answer.usage, durationMs: answer.durationMs, model: answer.model, error: null });
      return { ok: true, answer, calls: attempt };
    } catch (error) {
      if (!(error instanceof VisionModelError)) throw error;
      await options.onCall({ attempt, outcome: error.outcome, usage: error.usage, durationMs: error.durationMs, model: null, error: error.message });
      if (attempt >= options.policy.maxAttempts || !isRetryable(error.outcome)) return { ok: false, error, calls: attempt };
      await sleep(retryDelayMs(attempt, options.policy, error.retryAfterMs, options.random), options.signal);
    }
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
