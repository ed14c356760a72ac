/**
 * alipay-protocol.md §1.3: request sign content = every param except `sign`, empty values skipped,
 * keys ASCII-sorted, `k=v` joined by `&`, values raw (not URL-encoded).
 */
export function buildRequestSignContent(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== "sign" && params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}

/** alipay-protocol.md §10.5: notifications are signed without `sign` and `sign_type` (rsaCheckV1). */
export function buildNotifySignContent(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== "sign" && key !== "sign_type")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
}
