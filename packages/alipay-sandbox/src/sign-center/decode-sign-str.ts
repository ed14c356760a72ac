export type DecodedSignStr = { ok: true; params: Record<string, string> } | { ok: false; reason: string };

const URL_PREFIX = /^(?:https?|alipays)(?::\/\/|%3A)/i;
const FIRST_PARAM = /^[A-Za-z_]+=/;

function decodeValue(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    return null;
  }
}

/**
 * alipay-protocol.md §3 / pain point B.1: signStr is `encodeURIComponent(sdkExecute output)`, so it has no raw `&`
 * or `=`; decoded once it is `k=urlenc(v)&…`, and each value is decoded once more. A pageExecute URL or a string
 * encoded only once is Alipay's "无效签名".
 */
export function decodeSignStr(signStr: string): DecodedSignStr {
  const text = signStr.trim();
  if (URL_PREFIX.test(text)) {
    return { ok: false, reason: "无效签名：signStr 是 pageExecute 生成的 URL；须传 encodeURIComponent(sdkExecute(...))" };
  }
  if (/[&=]/.test(text)) {
    return {
      ok: false,
      reason: "无效签名：signStr 只编码了一次（含未编码的 & 或 =）；须对 sdkExecute 的结果再做一次 encodeURIComponent",
    };
  }
  const once = decodeValue(text);
  if (once === null || !FIRST_PARAM.test(once)) {
    return { ok: false, reason: "无效签名：signStr 解码一次后不是 key=value&… 形式（没有编码或编码了不止一次）" };
  }
  const params: Record<string, string> = {};
  for (const pair of once.split("&")) {
    const separator = pair.indexOf("=");
    const key = separator < 0 ? pair : pair.slice(0, separator);
    const value = decodeValue(separator < 0 ? "" : pair.slice(separator + 1));
    if (value === null) return { ok: false, reason: `无效签名：参数 ${key} 的值不是合法的 URL 编码` };
    params[key] = value;
  }
  return { ok: true, params };
}
