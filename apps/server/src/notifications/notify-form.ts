import iconv from "iconv-lite";
import { toAlipayCharset, type AlipayCharset } from "@paysign/contracts/alipay";

type NotifyForm = { ok: true; params: Record<string, string>; charset: AlipayCharset } | { ok: false; reason: string };

const MAX_PARAMS = 200;

/** application/x-www-form-urlencoded percent-decoding to bytes: `+` is a space, a malformed `%` stays as it is. */
function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    const hex = text.slice(index + 1, index + 3);
    if (char === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(char === 0x2b ? 0x20 : char & 0xff);
    }
  }
  return Buffer.from(bytes);
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
