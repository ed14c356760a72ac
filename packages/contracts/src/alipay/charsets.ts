/** The charsets Alipay's gateway takes and sends notifications in (docs/alipay-protocol.md §18.1). */
export const ALIPAY_CHARSETS = ["utf-8", "gbk", "gb2312", "gb18030"] as const;
export type AlipayCharset = (typeof ALIPAY_CHARSETS)[number];

/** `utf8`, `UTF-8`, `GBK`… → one of ALIPAY_CHARSETS (lower case), or undefined for any other name. */
export function toAlipayCharset(name: string): AlipayCharset | undefined {
  const normalized = name.trim().toLowerCase();
  const canonical = normalized === "utf8" ? "utf-8" : normalized;
  return ALIPAY_CHARSETS.find((charset) => charset === canonical);
}
