import { decodePaySignStr } from "@paysign/contracts/alipay";

export type DecodedSignStr = { ok: true; params: Record<string, string> } | { ok: false; reason: string };

const URL_PREFIX = /^(?:https?|alipays)(?::\/\/|%3A)/i;

/**
 * docs/alipay-protocol.md §3 / docs/user-pain-points.md §B.1, decoded by the contracts' decodePaySignStr: one decode of the whole
 * string, then each value. A pageExecute URL (also URL-encoded) or a string encoded only once is Alipay's "无效签名".
 */
export function decodeSignStr(signStr: string): DecodedSignStr {
  const text = signStr.trim();
  if (URL_PREFIX.test(text)) {
    return {
      ok: false,
      reason: "无效签名：signStr 是 pageExecute 生成的 URL；须传 encodeURIComponent(sdkExecute(...))",
    };
  }
  const decoded = decodePaySignStr(text);
  if (!decoded.ok) return { ok: false, reason: `无效签名：${decoded.reason}` };
  if (decoded.value.method === undefined) {
    return { ok: false, reason: "无效签名：signStr 解码一次后没有 method 参数（编码了不止一次？）" };
  }
  return { ok: true, params: decoded.value };
}
