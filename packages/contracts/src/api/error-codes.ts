/**
 * The closed set of API error codes and the ONE table that maps them to HTTP statuses. Services throw
 * `AppError(code, message, details?)`; one error middleware answers `{ error: { code, message, details?, requestId } }`
 * with the status below.
 */
export const ERROR_HTTP_STATUS = {
  /** Malformed input: body, query, params or headers fail their schema; a rule of the request is broken. */
  BAD_REQUEST: 400,
  /** No credentials, or a bad/expired session token or admin key. */
  UNAUTHORIZED: 401,
  /** Authenticated, but not allowed to do this. */
  FORBIDDEN: 403,
  /** Missing — or belongs to another customer (never reveal which). */
  NOT_FOUND: 404,
  /** The resource's state forbids it now (e.g. unsign a PENDING agreement, an inactive plan, a request in flight). */
  CONFLICT: 409,
  /** The Idempotency-Key was used before with a different request (409 like CONFLICT: issue #5 asks for 409). */
  IDEMPOTENCY_MISMATCH: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** Alipay did not answer or answered with a system error; the outcome is being reconciled. */
  ALIPAY_UNAVAILABLE: 502,
  /** A dependency of this service (the database) is down; retry later. */
  SERVICE_UNAVAILABLE: 503,
  /**
   * Alipay refused the merchant's own configuration (signature, app id, permissions: an `isv.*` gateway refusal).
   * Nothing the customer can fix; the operator is told in the log. Retry later.
   */
  MERCHANT_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;
export type ErrorHttpStatus = (typeof ERROR_HTTP_STATUS)[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_HTTP_STATUS) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_HTTP_STATUS, value);
}

export function httpStatusOf(code: ErrorCode): ErrorHttpStatus {
  return ERROR_HTTP_STATUS[code];
}
