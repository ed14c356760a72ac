import iconv from "iconv-lite";
import type { AlipayCharset } from "@paysign/contracts/alipay";

const unreserved = new Set(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*"].map((c) => c.charCodeAt(0)),
);

/** Each byte value as a form writes it: the character itself when unreserved, else `%XX`. */
const formBytes = Array.from({ length: 256 }, (_, byte) =>
  unreserved.has(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
);

const encodeBytes = (text: string, charset: AlipayCharset) => {
  let encoded = "";
  for (const byte of iconv.encode(text, charset)) encoded += formBytes[byte];
  return encoded;
};

/** The ASCII characters encodeURIComponent leaves as they are but a form escapes (`unreserved` above). */
const kept = /[!'()~]/g;
const escapeKept = (character: string) => formBytes[character.charCodeAt(0)] ?? character;

/**
 * UTF-8 the same bytes as encodeBytes, through the engine's own encoder: the notifier's hottest step was the byte
 * loop. A lone surrogate (which encodeURIComponent refuses) goes through iconv like every other charset.
 */
const encodeUtf8 = (text: string) => {
  try {
    return encodeURIComponent(text).replace(kept, escapeKept);
  } catch {
    return encodeBytes(text, "utf-8");
  }
};

/** A form body: each key and value percent-encoded over its bytes in `charset` (§18.1). */
export function encodeForm(params: Record<string, string>, charset: AlipayCharset = "utf-8"): string {
  const encode = charset === "utf-8" ? encodeUtf8 : (text: string) => encodeBytes(text, charset);
  return Object.entries(params)
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join("&");
}
