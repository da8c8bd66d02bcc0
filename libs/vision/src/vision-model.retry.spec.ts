import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, isRetryable, parseRetryAfter, retryDelayMs } from './vision-model.retry.js';

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
