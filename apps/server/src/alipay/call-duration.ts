/** undici's default connect timeout (alipay-sdk passes no `connect` option to urllib's agent). */
const CONNECT_TIMEOUT_MS = 10_000;
/** urllib 4 resends a request once when its socket fails (`socketErrorRetry: 1`): up to two HTTP exchanges. */
const EXCHANGES = 2;

/**
 * The longest one alipay-sdk call can last, in milliseconds, for the SDK `timeout` `timeoutMs`: urllib applies the
 * timeout to the headers and again to the body (`headersTimeout` and `bodyTimeout`), after a connect bounded by
 * undici's 10 s, and resends once on a socket error, so 2 × (10 s + 2 × timeout). The body timeout bounds each pause
 * between body chunks; an answer of Alipay's size arrives in one.
 */
export function worstCaseCallMs(timeoutMs: number): number {
  return EXCHANGES * (CONNECT_TIMEOUT_MS + 2 * timeoutMs);
}
