import iconv from "iconv-lite";
import { toAlipayCharset, type AlipayCharset } from "@paysign/contracts/alipay";

/**
 * docs/alipay-protocol.md §18.1: the request charsets the gateway takes (the parameter table's utf-8, gbk, gb2312);
 * gb18030, which only notifications may carry, is isv.invalid-charset.
 */
const GATEWAY_CHARSETS = ["utf-8", "gbk", "gb2312"] as const satisfies readonly AlipayCharset[];
export type GatewayCharset = (typeof GATEWAY_CHARSETS)[number];

/** `GBK`, `utf8`… → a GatewayCharset, or undefined for a name the gateway refuses. */
export function toGatewayCharset(name: string): GatewayCharset | undefined {
  const charset = toAlipayCharset(name);
  return GATEWAY_CHARSETS.find((accepted) => accepted === charset);
}

/** Text → its bytes in `charset`: what a request or an answer in that charset is signed over (§1.3 step 4). */
export function encodeIn(text: string, charset: GatewayCharset): Buffer {
  return charset === "utf-8" ? Buffer.from(text, "utf8") : iconv.encode(text, charset);
}

/**
 * One form component (key or value) → text: `%XX` are bytes, `+` a space, any other character its own bytes in
 * `charset` (a body already decoded by its Content-Type); the bytes are then read in `charset`.
 */
export function decodeFormComponent(component: string, charset: GatewayCharset): string {
  const chunks: Buffer[] = [];
  let index = 0;
  while (index < component.length) {
    const hex = component.slice(index + 1, index + 3);
    if (component.startsWith("%", index) && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      chunks.push(Buffer.from([Number.parseInt(hex, 16)]));
      index += 3;
      continue;
    }
    const char = String.fromCodePoint(component.codePointAt(index) ?? 0);
    chunks.push(encodeIn(char === "+" ? " " : char, charset));
    index += char.length;
  }
  return iconv.decode(Buffer.concat(chunks), charset);
}
