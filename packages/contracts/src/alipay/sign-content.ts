/**
 * The text that is signed (alipay-protocol.md §1.3, §10.5). Pure string logic: the RSA step lives with the caller
 * (node:crypto on the server and in the sandbox), so this package stays runtime-neutral.
 */

/** Requests sign everything but `sign` (`sign_type` included, §1.3). */
export const REQUEST_SIGN_EXCLUDED = ["sign"] as const;
/** Notifications are signed without `sign` and `sign_type` (rsaCheckV1, §10.5). */
export const NOTIFY_SIGN_EXCLUDED = ["sign", "sign_type"] as const;

export type SignContentOptions = {
  /** Keys left out of the content. */
  exclude: readonly string[];
};

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `k1=v1&k2=v2…`: keys sorted ASCII ascending, values raw (never URL-encoded), empty or absent values skipped,
 * `biz_content` exactly as sent.
 */
export function buildSignContent(
  params: Readonly<Record<string, string | null | undefined>>,
  options: SignContentOptions,
): string {
  return Object.keys(params)
    .filter((key) => !options.exclude.includes(key))
    .sort(compareAscii)
    .flatMap((key) => {
      const value = params[key];
      return value === undefined || value === null || value === "" ? [] : [`${key}=${value}`];
    })
    .join("&");
}
