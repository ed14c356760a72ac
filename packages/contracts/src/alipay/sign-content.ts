/**
 * The text that is signed (docs/alipay-protocol.md §1.3, §10.5). Pure string logic: the RSA step lives with the caller
 * (node:crypto on the server and in the sandbox), so this package stays runtime-neutral.
 */

/** Requests sign everything but `sign` (`sign_type` included, §1.3). */
export const REQUEST_SIGN_EXCLUDED = ["sign"] as const;
/** Notifications are signed without `sign` and `sign_type` (rsaCheckV1, §10.5). */
export const NOTIFY_SIGN_EXCLUDED = ["sign", "sign_type"] as const;

/** Whether a parameter with an empty value appears in the content as `k=` or not at all. */
export type EmptyValues = "skip" | "keep";

export type SignContentOptions = {
  /** Keys left out of the content. */
  exclude: readonly string[];
  /** Default "skip", as Alipay signs requests (§1.3). */
  emptyValues?: EmptyValues;
};

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `k1=v1&k2=v2…`: keys sorted ASCII ascending, values raw (never URL-encoded), absent values skipped, empty values
 * skipped unless `emptyValues: "keep"`, `biz_content` exactly as sent.
 */
export function buildSignContent(
  params: Readonly<Record<string, string | null | undefined>>,
  options: SignContentOptions,
): string {
  const keepEmpty = options.emptyValues === "keep";
  return Object.keys(params)
    .filter((key) => !options.exclude.includes(key))
    .sort(compareAscii)
    .flatMap((key) => {
      const value = params[key];
      if (value === undefined || value === null || (value === "" && !keepEmpty)) return [];
      return [`${key}=${value}`];
    })
    .join("&");
}

/**
 * The signed content of a notification (§10.5, rsaCheckV1): every parameter but `sign` and `sign_type`. Alipay's
 * own SDKs disagree on empty values, so each caller states which form it signs or verifies.
 */
export function buildNotifySignContent(
  params: Readonly<Record<string, string>>,
  options: { emptyValues: EmptyValues },
): string {
  return buildSignContent(params, { exclude: NOTIFY_SIGN_EXCLUDED, emptyValues: options.emptyValues });
}
