import { createVerify } from "node:crypto";
import iconv from "iconv-lite";
import { formatAlipayDateTime } from "@paysign/contracts";
import { buildNotifySignContent } from "@paysign/contracts/alipay";
import { defined } from "@paysign/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "./support/notify-receiver.ts";
import { APP_ID, createUser, signAgreement, startHarness, testKeys, type Harness } from "./support/sandbox-harness.ts";

/** docs/alipay-protocol.md §18: the variants real Alipay sends, produced by the sandbox. */
let harness: Harness;
const receivers: Array<{ close(): Promise<void> }> = [];
const app = { appId: APP_ID, publicKey: testKeys().app.publicKey, name: "Test merchant" };

beforeAll(async () => {
  harness = await startHarness({ timeScale: 0.001 });
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

async function payWithNotify(notifyUrl: string) {
  const userId = (await createUser(harness)).userId;
  const { agreementNo } = await signAgreement(harness, { userId });
  return harness.sdk.exec(
    "alipay.trade.pay",
    {
      notifyUrl,
      bizContent: {
        out_trade_no: `T${Date.now()}`,
        total_amount: "19.90",
        subject: "月度会员",
        product_code: "GENERAL_WITHHOLDING",
        agreement_params: { agreement_no: agreementNo },
      },
    },
    { validateSign: true },
  );
}

describe("charsets and empty values (§18.1, §18.3)", () => {
  it("a GBK app's trade_status_sync is GBK bytes, declared in body and Content-Type, signed over those bytes, passback_params= kept", async () => {
    harness.sandbox.registerApp({ ...app, charset: "gbk", emptyNotifyFields: ["passback_params"] });
    const merchant = await receiver();

    expect(await payWithNotify(merchant.url)).toMatchObject({ code: "10000" });
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
