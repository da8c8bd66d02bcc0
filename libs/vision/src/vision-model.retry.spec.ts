import { describe, expect, it } from 'vitest';
import { callWithRetries, defaultRetryPolicy, isRetryable, parseRetryAfter, retryDelayMs, type ModelCallRecord } from './vision-model.retry.js';
import { VisionModelError, type ModelAnswer } from './vision-model.types.js';

const policy = { ...defaultRetryPolicy, baseDelayMs: 1000, maxDelayMs: 5000, maxRetryAfterMs: 30_000 };

describe('retries of model calls', () => {
  it('doubles the wait for each retry, with jitter between half and all of it, up to the cap', () => {
    expect(retryDelayMs(1, policy, null, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, null, () => 1)).toBe(1000);
    expect(retryDelayMs(2, policy, null, () => 1)).toBe(2000);
    expect(retryDelayMs(3, policy, null, () => 0.5)).toBe(3000);
    expect(retryDelayMs(10, policy, null, () => 1)).toBe(5000);
  });

  it("honours the server's retry-after, within the cap", () => {
    expect(retryDelayMs(1, policy, 7000, () => 1)).toBe(7000);
    expect(retryDelayMs(1, policy, 600_000, () => 1)).toBe(30_000);
  });

  it('reads retry-after in seconds, as a date, and retry-after-ms', () => {
    const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });
    expect(parseRetryAfter(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(parseRetryAfter(headers({ 'retry-after': 'Sun, 22 Nov 2026 12:00:10 GMT' }), Date.parse('2026-11-22T12:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter(headers({}))).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });

  it('retries everything but a refusal (bad key, unknown model)', () => {
    for (const outcome of ['timeout', 'rate-limited', 'server-error', 'connection-failed', 'malformed'] as const) expect(isRetryable(outcome)).toBe(true);
    expect(isRetryable('rejected')).toBe(false);
  });
});

describe('calling with retries', () => {
  const answer: ModelAnswer<string> = { value: 'ok', usage: { promptTokens: 10, completionTokens: 2 }, model: 'm', durationMs: 5 };
  function run(results: (ModelAnswer<string> | VisionModelError)[], maxAttempts = 3) {
    const calls: ModelCallRecord[] = [];
    const waits: number[] = [];
    const promise = callWithRetries(
      async () => {
        const next = results.shift();
        if (!next) throw new Error('called too often');
        if (next instanceof VisionModelError) throw next;
        return next;
      },
      { policy: { ...policy, maxAttempts }, onCall: (c) => void calls.push(c), random: () => 1, sleep: async (ms) => void waits.push(ms) },
    );
    return { promise, calls, waits };
  }

  it('retries after a 429 (waiting its retry-after) and a 500, then takes the answer', async () => {
    const { promise, calls, waits } = run([new VisionModelError('rate-limited', '429', 4000), new VisionModelError('server-error', '500'), answer]);
    const result = await promise;
    expect(result.ok && result.answer.value).toBe('ok');
    expect(calls.map((c) => c.outcome)).toEqual(['rate-limited', 'server-error', 'ok']);
    expect(waits).toEqual([4000, 2000]);
  });

  it('gives up after maxAttempts calls, with the last error', async () => {
    const { promise, calls } = run([new VisionModelError('server-error', 'a'), new VisionModelError('timeout', 'b'), new VisionModelError('malformed', 'c', null, { promptTokens: 9, completionTokens: 1 })]);
    const result = await promise;
    expect(result).toMatchObject({ ok: false, calls: 3 });
    expect(!result.ok && result.error.message).toBe('c');
    expect(calls.at(-1)?.usage).toEqual({ promptTokens: 9, completionTokens: 1 });
  });

  it('does not retry a refusal', async () => {
    const { promise, calls } = run([new VisionModelError('rejected', '401')]);
    expect(await promise).toMatchObject({ ok: false, calls: 1 });
    expect(calls).toHaveLength(1);
  });
});
