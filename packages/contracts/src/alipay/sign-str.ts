import type { Result } from "./signed-response.ts";

/**
 * The `signStr` of `my.paySignCenter` (docs/alipay-protocol.md §3, docs/user-pain-points.md §B.1): the output of
 * `sdkExecute('alipay.user.agreement.page.sign', …)` — already `k=encodeURIComponent(v)&…` — URL-encoded ONCE MORE
 * as a whole. The server does that second encoding, so the mini program passes `signStr` to paySignCenter as is.
 */
export function encodePaySignStr(sdkExecuteOutput: string): string {
  return encodeURIComponent(sdkExecuteOutput);
}

function decodeFormComponent(text: string): string {
  // Java's URLEncoder writes spaces as "+" (§1.4).
  return decodeURIComponent(text.replaceAll("+", " "));
}

/**
 * Reverses encodePaySignStr the way Alipay does: one decode of the whole string, then the `k=v&…` query with each
 * value decoded. A string that still shows `&` or `=` was encoded only once, and a URL is a `pageExecute` output:
 * both are "无效签名" at Alipay and are refused here with a reason.
 */
export function decodePaySignStr(signStr: string): Result<Record<string, string>> {
  if (/^https?:/i.test(signStr) || signStr.includes("?")) {
    return { ok: false, reason: "signStr is a URL (pageExecute output); use sdkExecute output encoded once more" };
  }
  if (signStr.includes("&") || signStr.includes("=")) {
    return { ok: false, reason: "signStr is encoded only once; encodeURIComponent the sdkExecute output" };
  }
  try {
    const query = decodeURIComponent(signStr);
    const params: Record<string, string> = {};
    for (const pair of query.split("&")) {
      if (pair === "") continue;
      const separator = pair.indexOf("=");
      if (separator <= 0) return { ok: false, reason: `"${pair.slice(0, 40)}" is not a key=value pair` };
      const key = decodeFormComponent(pair.slice(0, separator));
      if (Object.hasOwn(params, key)) return { ok: false, reason: `"${key}" appears more than once` };
      params[key] = decodeFormComponent(pair.slice(separator + 1));
    }
    return { ok: true, value: params };
  } catch {
    return { ok: false, reason: "signStr holds a malformed %-escape" };
  }
}
