import { encodeCharsetForm as referenceEncoding } from "@paysign/test-kit";
import { describe, expect, it } from "vitest";
import { encodeForm } from "../src/notify/form-encoding.ts";

const everyAscii = String.fromCharCode(...Array.from({ length: 128 }, (_, code) => code));

describe("notification form encoding", () => {
  it("writes UTF-8 forms byte for byte as the reference does: every ASCII character, CJK, emoji, a lone surrogate", () => {
    const params = {
      ascii: everyAscii,
      subject: "月度会员 订阅（连续包月）",
      emoji: "订阅 🎉 ok",
      lone: "a\ud800b",
      sign: "ab+/cd==",
      "key with space": "x y",
    };
    expect(encodeForm(params, "utf-8")).toBe(referenceEncoding(params, "utf-8"));
    expect(encodeForm(params)).toBe(referenceEncoding(params, "utf-8"));
  });

  it("keeps !'()~ escaped, as a form does (encodeURIComponent alone would not)", () => {
    expect(encodeForm({ note: "!'()~" })).toBe("note=%21%27%28%29%7E");
    expect(encodeForm({ note: "a b" })).toBe("note=a%20b");
  });

  it("writes GBK forms over their GBK bytes", () => {
    const params = { subject: "月度会员 订阅", ascii: everyAscii };
    expect(encodeForm(params, "gbk")).toBe(referenceEncoding(params, "gbk"));
    expect(encodeForm({ s: "月" }, "gbk")).toBe("s=%D4%C2");
  });
});
