import { NOTIFY_RETRY_DELAYS_MS } from "@paysign/contracts/alipay";

/**
 * docs/alipay-protocol.md §10.6: attempts at 0, +4m, +10m, +10m, +1h, +2h, +6h, +15h (simulated time); each value is the
 * wait before that attempt.
 */
export const RETRY_DELAYS_MS: readonly number[] = [0, ...NOTIFY_RETRY_DELAYS_MS];
