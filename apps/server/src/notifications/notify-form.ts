import iconv from "iconv-lite";
import { toAlipayCharset, type AlipayCharset } from "@paysign/contracts/alipay";

type NotifyForm = { ok: true; params: Record<string, string>; charset: AlipayCharset } | { ok: false; reason: string };

const MAX_PARAMS = 200;

/** The value of one hexadecimal digit's character code, or -1 (also for NaN, past the end of the text). */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * application/x-www-form-urlencoded percent-decoding of latin1 text to bytes: `+` is a space, a malformed `%` stays
 * as it is. One pass into one buffer: every notification's form goes through here before its signature is checked.
 */
function percentDecode(text: string): Buffer {
  if (!text.includes("%") && !text.includes("+")) return Buffer.from(text, "latin1");
  const bytes = Buffer.allocUnsafe(text.length);
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    const high = char === 0x25 ? hexDigit(text.charCodeAt(index + 1)) : -1;
    const low = high < 0 ? -1 : hexDigit(text.charCodeAt(index + 2));
    if (low >= 0) {
      bytes[length++] = high * 16 + low;
      index += 2;
    } else {
      bytes[length++] = char === 0x2b ? 0x20 : char & 0xff;
    }
  }
  return bytes.subarray(0, length);
}

function contentTypeCharset(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "")?.[1];
}

/**
 * A notification's raw form body → its parameters as text. The charset is the signed `charset` parameter, else the
 * Content-Type's, else UTF-8 (docs/alipay-protocol.md §18.1); each key and value is percent-decoded to bytes and
 * decoded in it. Refused: an empty body, a charset outside ALIPAY_CHARSETS, a repeated key, more than 200 fields.
 */
export function readNotifyForm(body: Buffer, contentType: string | undefined): NotifyForm {
  const pairs = body
    .toString("latin1")
    .split("&")
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const equals = pair.indexOf("=");
      return equals < 0
        ? [percentDecode(pair), Buffer.alloc(0)]
        : [percentDecode(pair.slice(0, equals)), percentDecode(pair.slice(equals + 1))];
    });
  if (pairs.length === 0) return { ok: false, reason: "no form body" };
  if (pairs.length > MAX_PARAMS) return { ok: false, reason: `more than ${MAX_PARAMS} fields` };
  const declared =
    pairs.find(([key]) => key?.toString("latin1") === "charset")?.[1]?.toString("latin1") ??
    contentTypeCharset(contentType) ??
    "utf-8";
  const charset = toAlipayCharset(declared);
  if (!charset)
    return {
      ok: false,
      reason: `charset ${JSON.stringify(declared.slice(0, 20))} is not utf-8, gbk, gb2312 or gb18030`,
    };
  const params: Record<string, string> = {};
  for (const [key = Buffer.alloc(0), value = Buffer.alloc(0)] of pairs) {
    const name = iconv.decode(key, charset);
    if (Object.hasOwn(params, name))
      return { ok: false, reason: `field ${JSON.stringify(name.slice(0, 40))} repeated` };
    params[name] = iconv.decode(value, charset);
  }
  return { ok: true, params, charset };
}
