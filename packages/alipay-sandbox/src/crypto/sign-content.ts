import { NOTIFY_SIGN_EXCLUDED, REQUEST_SIGN_EXCLUDED, buildSignContent } from "@paysign/contracts/alipay";

/** alipay-protocol.md §1.3: every param but `sign`, empty values skipped, ASCII-sorted, raw values. */
export function buildRequestSignContent(params: Readonly<Record<string, string>>): string {
  return buildSignContent(params, { exclude: REQUEST_SIGN_EXCLUDED });
}

/** alipay-protocol.md §10.5: notifications are signed without `sign` and `sign_type` (rsaCheckV1). */
export function buildNotifySignContent(params: Readonly<Record<string, string>>): string {
  return buildSignContent(params, { exclude: NOTIFY_SIGN_EXCLUDED });
}
