/**
 * How long to wait before trying a camera again: exponential, capped, with jitter so that many
 * cameras that dropped together (a switch rebooted) do not all knock at the same moment.
 */
export interface BackoffPolicy {
  /** the first wait, seconds */
  baseSec: number;
  /** never wait longer than this, seconds */
  capSec: number;
  /** +- this share of the wait is random (0..1) */
  jitter: number;
}

export const cameraRetryPolicy: BackoffPolicy = { baseSec: 1, capSec: 60, jitter: 0.3 };

/** Wait before the attempt after `failures` failures in a row (1 = after the first failure), seconds. */
export function backoffDelaySec(failures: number, policy: BackoffPolicy = cameraRetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, failures - 1);
  const plain = Math.min(policy.capSec, policy.baseSec * 2 ** Math.min(exponent, 30));
  const spread = plain * policy.jitter * (random() * 2 - 1);
  return Math.max(policy.baseSec / 2, Math.min(policy.capSec * (1 + policy.jitter), plain + spread));
}
