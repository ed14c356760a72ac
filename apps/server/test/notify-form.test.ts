import { randomBytes } from "node:crypto";
import iconv from "iconv-lite";
import { describe, expect, test } from "vitest";
import { readNotifyForm } from "../src/notifications/notify-form.ts";

const formOf = (text: string, contentType = "application/x-www-form-urlencoded") =>
  readNotifyForm(Buffer.from(text, "latin1"), contentType);

/** Every byte as %XX, the way a strict encoder sends it. */
const percentEncoded = (bytes: Buffer) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");

describe("readNotifyForm", () => {
  test("decodes %XX in either case and + as a space, and keeps a malformed % as it is", () => {
    const form = formOf("a=%41%6a+b&b=100%&c=%zz%4&d=%e4%B8%ad&e=plain&f=%20%40%F0%9F%98%80");
    expect(form).toEqual({
      ok: true,
      charset: "utf-8",
      params: { a: "Aj b", b: "100%", c: "%zz%4", d: "中", e: "plain", f: " @😀" },
    });
  });

  test("decodes keys as values are decoded, and a key without = to an empty value", () => {
    expect(formOf("notify%5Fid=1&flag")).toEqual({ ok: true, charset: "utf-8", params: { notify_id: "1", flag: "" } });
  });

  test("random UTF-8 text survives URLSearchParams encoding and strict %XX encoding", () => {
    for (let round = 0; round < 200; round++) {
      const value = String.fromCodePoint(...[...randomBytes(12)].map((byte) => (byte % 2 ? 0x4e00 + byte : byte + 1)));
      expect(formOf(new URLSearchParams({ v: value }).toString())).toMatchObject({ params: { v: value } });
      expect(formOf(`v=${percentEncoded(Buffer.from(value, "utf8"))}`)).toMatchObject({ params: { v: value } });
    }
  });

  test("decodes the bytes in the signed charset (GBK here, docs/alipay-protocol.md §18.1)", () => {
    const subject = percentEncoded(iconv.encode("会员月费", "gbk"));
    expect(formOf(`charset=GBK&subject=${subject}`)).toMatchObject({
      ok: true,
      charset: "gbk",
      params: { subject: "会员月费" },
    });
  });

  test("refuses an empty body, a repeated key and an unknown charset, saying which", () => {
    expect(formOf("")).toEqual({ ok: false, reason: "no form body" });
    expect(formOf("a=1&%61=2")).toEqual({ ok: false, reason: 'field "a" repeated' });
    expect(formOf("charset=latin9&a=1")).toEqual({
      ok: false,
      reason: 'charset "latin9" is not utf-8, gbk, gb2312 or gb18030',
    });
  });
});
