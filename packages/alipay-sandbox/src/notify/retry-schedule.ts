const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * alipay-protocol.md §10.6: attempts at 0, +4m, +10m, +10m, +1h, +2h, +6h, +15h (simulated time),
 * each value the wait before that attempt.
 */
export const RETRY_DELAYS_MS = [0, 4 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR] as const;
