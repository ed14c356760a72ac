/** Seconds after the 1st, 2nd… failed attempt before the next one; the last step repeats. */
const backoffSeconds = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800];

/** A delivery is tried until this long after its first attempt, then FAILED. */
const deliveryRetryWindowMs = 3 * 86_400_000;

/** An endpoint whose every attempt failed for this long is disabled. */
export const endpointFailureLimitMs = 86_400_000;

/**
 * When to try a delivery again after its `failedAttempts`-th failed attempt (1-based) at `now`, or null when the
 * retry window since `firstAttemptAt` is over (the delivery is FAILED). The delay is the back-off step times a jitter
 * in [0.8, 1.2) from `random` (so deliveries failing together do not come back together), and never past the end of
 * the window: the last attempt is made when it closes.
 */
export function nextWebhookAttemptAt(input: {
  now: Date;
  firstAttemptAt: Date;
  failedAttempts: number;
  random?: () => number;
}): Date | null {
  const windowEnd = input.firstAttemptAt.getTime() + deliveryRetryWindowMs;
  if (input.now.getTime() >= windowEnd) return null;
  const step = backoffSeconds[Math.min(input.failedAttempts, backoffSeconds.length) - 1] ?? backoffSeconds[0] ?? 5;
  const jitter = 0.8 + 0.4 * (input.random ?? Math.random)();
  return new Date(Math.min(input.now.getTime() + Math.round(step * 1000 * jitter), windowEnd));
}
