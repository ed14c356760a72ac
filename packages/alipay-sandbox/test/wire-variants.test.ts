import { createSign, createVerify } from "node:crypto";
import iconv from "iconv-lite";
import { formatAlipayDateTime } from "@paysign/contracts";
import { buildNotifySignContent } from "@paysign/contracts/alipay";
import { defined, encodeCharsetForm } from "@paysign/test-kit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startReceiver } from "./support/notify-receiver.ts";
import { APP_ID, createUser, signAgreement, startHarness, testKeys, type Harness } from "./support/sandbox-harness.ts";

/** docs/alipay-protocol.md §18: the variants real Alipay sends, produced by the sandbox. */
let harness: Harness;
const receivers: Array<{ close(): Promise<void> }> = [];
const app = { appId: APP_ID, publicKey: testKeys().app.publicKey, name: "Test merchant" };

beforeAll(async () => {
  harness = await startHarness({ timeScale: 0.001 });
});
beforeEach(async () => {
  // Inside the deduction window of MONTHLY_BIZ's execute_time, whatever today's date is (a reset keeps no clock).
  await harness.post("/sandbox/clock", { now: "2026-11-30T10:00:00+08:00" });
});
afterEach(async () => {
  harness.sandbox.registerApp(app);
  await harness.post("/sandbox/reset");
  for (const receiver of receivers.splice(0)) await receiver.close();
});
afterAll(() => harness.sandbox.close());

async function receiver() {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

/** Percent-decoding over bytes, then the bytes read in `charset` (what the server's notify route does). */
function decodeForm(body: string, charset: string): Record<string, string> {
  const bytes = (text: string) => Buffer.from(unescapeBytes(text));
  return Object.fromEntries(
    body.split("&").map((pair) => {
      const [key = "", value = ""] = pair.split("=");
      return [iconv.decode(bytes(key), charset), iconv.decode(bytes(value), charset)];
    }),
  );
}

function unescapeBytes(text: string): number[] {
  const out: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] === "%") {
      out.push(Number.parseInt(text.slice(index + 1, index + 3), 16));
      index += 2;
    } else out.push(text.charCodeAt(index));
  }
  return out;
}

function verifiesOver(bytes: Buffer, sign: string, algorithm: "RSA-SHA256" | "RSA-SHA1"): boolean {
  return createVerify(algorithm).update(bytes).verify(testKeys().alipay.publicKey, sign, "base64");
}

type HandBuilt = {
  method: string;
  biz: Record<string, unknown>;
  /** The `charset` parameter; absent, the request names none. */
  charset?: string;
  /** The charset whose bytes are signed; default the request's (utf-8 when it names none). */
  signedIn?: string;
  notifyUrl?: string;
};

type RawAnswer = { contentType: string; bytes: Buffer };

/** A request built and signed by hand (alipay-sdk always sends utf-8): RSA2 over the bytes in the given charset. */
async function handBuilt(call: HandBuilt): Promise<RawAnswer> {
  const params: Record<string, string> = {
    app_id: APP_ID,
    method: call.method,
    format: "JSON",
    ...(call.charset === undefined ? {} : { charset: call.charset }),
    sign_type: "RSA2",
    timestamp: formatAlipayDateTime(harness.sandbox.now()),
    version: "1.0",
    ...(call.notifyUrl === undefined ? {} : { notify_url: call.notifyUrl }),
    biz_content: JSON.stringify(call.biz),
  };
  const content = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  const signedIn = call.signedIn ?? call.charset ?? "utf-8";
  const sign = createSign("RSA-SHA256")
    .update(iconv.encode(content, signedIn))
    .sign(testKeys().app.privateKey, "base64");
  const charset = call.charset ?? "utf-8";
  const response = await fetch(`${harness.url}/gateway.do`, {
    method: "POST",
    headers: { "content-type": `application/x-www-form-urlencoded;charset=${charset}` },
    body: encodeCharsetForm({ ...params, sign }, charset),
  });
  return { contentType: response.headers.get("content-type") ?? "", bytes: Buffer.from(await response.arrayBuffer()) };
}

/** The answer read in `charset`: its inner object, and whether `sign` verifies over the inner text's bytes in each. */
function readAnswer(answer: RawAnswer, charset: string) {
  const text = iconv.decode(answer.bytes, charset);
  const match = /^\{"[a-z_]+_response":(\{.*\}),"sign":"([^"]+)"\}$/s.exec(text);
  const inner = defined(match?.[1], `an answer object in ${text}`);
  const sign = defined(match?.[2], "sign");
  return {
    body: JSON.parse(inner) as Record<string, unknown>,
    verifiesIn: (bytesCharset: string) => verifiesOver(iconv.encode(inner, bytesCharset), sign, "RSA-SHA256"),
  };
}

async function payBiz(subject = "月度会员") {
  const userId = (await createUser(harness)).userId;
  const { agreementNo } = await signAgreement(harness, { userId });
  return {
    out_trade_no: `T${Date.now()}`,
    total_amount: "19.90",
    subject,
    product_code: "GENERAL_WITHHOLDING",
    agreement_params: { agreement_no: agreementNo },
  };
}

async function payWithNotify(notifyUrl: string) {
  return harness.sdk.exec("alipay.trade.pay", { notifyUrl, bizContent: await payBiz() }, { validateSign: true });
}

describe("charsets and empty values (§18.1, §18.3)", () => {
  it("a GBK app's trade_status_sync (its request naming no charset) is GBK bytes, declared in body and Content-Type, signed over those bytes, passback_params= kept", async () => {
    harness.sandbox.registerApp({ ...app, charset: "gbk", emptyNotifyFields: ["passback_params"] });
    const merchant = await receiver();

    const answer = await handBuilt({ method: "alipay.trade.pay", biz: await payBiz(), notifyUrl: merchant.url });

    expect(readAnswer(answer, "utf-8").body).toMatchObject({ code: "10000" });
    const [notification] = await merchant.waitFor(1);

    expect(notification?.contentType).toBe("application/x-www-form-urlencoded; charset=gbk");
    expect(notification?.rawBody).toContain(
      `subject=${[...iconv.encode("月度会员", "gbk")].map((b) => `%${b.toString(16).toUpperCase()}`).join("")}`,
    );
    const params = decodeForm(defined(notification, "notification").rawBody, "gbk");
    expect(params).toMatchObject({ charset: "gbk", subject: "月度会员", passback_params: "", sign_type: "RSA2" });
    const content = buildNotifySignContent(params, { emptyValues: "keep" });
    expect(content).toContain("passback_params=&");
    expect(verifiesOver(iconv.encode(content, "gbk"), defined(params.sign, "sign"), "RSA-SHA256")).toBe(true);
    expect(verifiesOver(Buffer.from(content, "utf8"), defined(params.sign, "sign"), "RSA-SHA256")).toBe(false);
  });
});

describe("RSA (SHA1) apps (§18.2)", () => {
  it("notifications of an RSA app are signed with RSA and name it; checkNotifySignV2 of an RSA-configured SDK accepts them", async () => {
    harness.sandbox.registerApp({ ...app, signType: "RSA" });
    const merchant = await receiver();
    const userId = (await createUser(harness)).userId;

    await signAgreement(harness, { userId, notifyUrl: merchant.url });
    const [notification] = await merchant.waitFor(1);

    const params = defined(notification, "notification").params;
    expect(params.sign_type).toBe("RSA");
    const content = buildNotifySignContent(params, { emptyValues: "keep" });
    expect(verifiesOver(Buffer.from(content, "utf8"), defined(params.sign, "sign"), "RSA-SHA1")).toBe(true);
    expect(harness.sdkFor({ signType: "RSA" }).checkNotifySignV2(params)).toBe(true);
  });
});

describe("timestamp tolerance by default (§18.4)", () => {
  it("without the option, a timestamp 16 minutes from the simulated Beijing time is isv.invalid-timestamp; 14 minutes passes", async () => {
    const strict = await startHarness({ timestampToleranceMinutes: undefined });
    try {
      const at = (minutes: number) => formatAlipayDateTime(new Date(strict.sandbox.now().getTime() + minutes * 60_000));
      const query = (timestamp: string) =>
        strict.sdk.exec(
          "alipay.trade.query",
          { timestamp, bizContent: { out_trade_no: "MISSING" } },
          { validateSign: true },
        );

      expect(await query(at(16))).toMatchObject({ code: "40002", sub_code: "isv.invalid-timestamp" });
      expect(await query(at(-16))).toMatchObject({ code: "40002", sub_code: "isv.invalid-timestamp" });
      expect(await query(at(14))).toMatchObject({ sub_code: "ACQ.TRADE_NOT_EXIST" });
    } finally {
      await strict.sandbox.close();
    }
  });
});

describe("GBK requests (§18.1)", () => {
  it("a GBK trade.pay is decoded as GBK and verified over its GBK bytes; the answer is GBK, declared and signed over its GBK bytes", async () => {
    const merchant = await receiver();
    const biz = await payBiz("月度会员·续费");

    const answer = await handBuilt({ method: "alipay.trade.pay", biz, charset: "GBK", notifyUrl: merchant.url });

    expect(answer.contentType).toBe("application/json; charset=gbk");
    const read = readAnswer(answer, "gbk");
    expect(read.body).toMatchObject({ code: "10000", out_trade_no: biz.out_trade_no, total_amount: "19.90" });
    expect(read.verifiesIn("gbk")).toBe(true);
    const [notification] = await merchant.waitFor(1);
    const params = decodeForm(defined(notification, "notification").rawBody, "gbk");
    expect(params).toMatchObject({ charset: "gbk", subject: "月度会员·续费" });
  });

  it("a GBK answer with Chinese text is GBK bytes signed over them, not over its UTF-8 bytes", async () => {
    const answer = await handBuilt({
      method: "alipay.trade.query",
      biz: { out_trade_no: "缺失的订单" },
      charset: "GBK",
    });

    const read = readAnswer(answer, "gbk");
    expect(read.body).toMatchObject({ code: "40004", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" });
    expect(answer.bytes.includes(iconv.encode("交易不存在", "gbk"))).toBe(true);
    expect(read.verifiesIn("gbk")).toBe(true);
    expect(read.verifiesIn("utf-8")).toBe(false);
  });

  it("a GBK request signed over the UTF-8 bytes of its text is isv.invalid-signature", async () => {
    const answer = await handBuilt({
      method: "alipay.trade.query",
      biz: { out_trade_no: "缺失的订单" },
      charset: "GBK",
      signedIn: "utf-8",
    });

    expect(readAnswer(answer, "gbk").body).toMatchObject({ code: "40002", sub_code: "isv.invalid-signature" });
  });

  it("gb2312 is accepted and answered in gb2312; gb18030, outside the parameter table, is isv.invalid-charset in utf-8", async () => {
    const gb2312 = await handBuilt({ method: "alipay.trade.query", biz: { out_trade_no: "缺失" }, charset: "gb2312" });
    const gb18030 = await handBuilt({
      method: "alipay.trade.query",
      biz: { out_trade_no: "缺失" },
      charset: "gb18030",
    });

    expect(gb2312.contentType).toBe("application/json; charset=gb2312");
    expect(readAnswer(gb2312, "gb2312").body).toMatchObject({ sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" });
    expect(gb18030.contentType).toBe("application/json; charset=utf-8");
    expect(readAnswer(gb18030, "utf-8").body).toMatchObject({ code: "40002", sub_code: "isv.invalid-charset" });
  });
});

describe("notification charset per request (§18.1)", () => {
  it("a GBK trade.pay of a utf-8 app is notified in GBK", async () => {
    const merchant = await receiver();

    await handBuilt({ method: "alipay.trade.pay", biz: await payBiz(), charset: "gbk", notifyUrl: merchant.url });
    const [notification] = await merchant.waitFor(1);

    expect(notification?.contentType).toBe("application/x-www-form-urlencoded; charset=gbk");
    expect(decodeForm(defined(notification, "notification").rawBody, "gbk")).toMatchObject({
      charset: "gbk",
      subject: "月度会员",
    });
  });

  it("a GBK app's utf-8 trade.pay and page.sign (alipay-sdk) are notified in utf-8", async () => {
    harness.sandbox.registerApp({ ...app, charset: "gbk" });
    const merchant = await receiver();
    const userId = (await createUser(harness)).userId;

    await signAgreement(harness, { userId, notifyUrl: merchant.url });
    expect(await payWithNotify(merchant.url)).toMatchObject({ code: "10000" });
    const notifications = await merchant.waitFor(2);

    const seen = notifications.map((n) => [n.params.notify_type, n.params.charset, n.contentType]).sort();
    expect(seen).toEqual([
      ["dut_user_sign", "utf-8", "application/x-www-form-urlencoded; charset=utf-8"],
      ["trade_status_sync", "utf-8", "application/x-www-form-urlencoded; charset=utf-8"],
    ]);
    const trade = defined(
      notifications.find((n) => n.params.notify_type === "trade_status_sync"),
      "trade notification",
    ).params;
    expect(trade.subject).toBe("月度会员");
    const content = buildNotifySignContent(trade, { emptyValues: "keep" });
    expect(verifiesOver(Buffer.from(content, "utf8"), defined(trade.sign, "sign"), "RSA-SHA256")).toBe(true);
  });
});

describe("sign type against the app's (§18.2)", () => {
  it("an RSA request to an RSA2 app is 40003 isv.missing-signature-config, in an answer the RSA SDK accepts", async () => {
    const result = await harness
      .sdkFor({ signType: "RSA" })
      .exec("alipay.trade.query", { bizContent: { out_trade_no: "MISSING" } }, { validateSign: true });

    expect(result).toMatchObject({
      code: "40003",
      msg: "Insufficient Conditions",
      sub_code: "isv.missing-signature-config",
    });
  });

  it("an RSA2 request to an RSA app is refused the same way", async () => {
    harness.sandbox.registerApp({ ...app, signType: "RSA" });

    const result = await harness.sdk.exec(
      "alipay.trade.query",
      { bizContent: { out_trade_no: "MISSING" } },
      { validateSign: true },
    );

    expect(result).toMatchObject({ code: "40003", sub_code: "isv.missing-signature-config" });
  });
});
