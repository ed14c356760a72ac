import { REQUEST_SIGN_EXCLUDED, buildSignContent } from "@paysign/contracts/alipay";

/** docs/alipay-protocol.md §1.3: every param but `sign`, empty values skipped, ASCII-sorted, raw values. */
export function buildRequestSignContent(params: Readonly<Record<string, string>>): string {
  return buildSignContent(params, { exclude: REQUEST_SIGN_EXCLUDED });
}
