import { createVerify } from "node:crypto";
import {
  ALIPAY_METHOD_MAP,
  agreementQueryResponseSchema,
  alipayNotificationSchema,
  executionPlanModifyResponseSchema,
  oauthTokenResponseSchema,
  signEffectResponseSchema,
  parsePaySignCenterResult,
  readSignedResponse,
  tradePayResponseSchema,
  tradeQueryResponseSchema,
} from "@paysign/contracts/alipay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ID, createUser, signAgreement, startHarness, testKeys, type Harness } from "./support/sandbox-harness.ts";
import { startReceiver } from "./support/notify-receiver.ts";

/** What the sandbox emits parses with the same @paysign/contracts schemas the server uses. */
let harness: Harness;
let merchant: Awaited<ReturnType<typeof startReceiver>>;
let agreementNo: string;
let result: string;

beforeAll(async () => {
  harness = await startHarness();
  merchant = await startReceiver();
  await harness.post("/sandbox/clock", { now: "2026-11-30T10:00:00+08:00" });
  const userId = (await createUser(harness)).userId;
  const signed = await signAgreement(harness, { userId, notifyUrl: merchant.url });
  agreementNo = signed.agreementNo;
  result = signed.result.result;
});
afterAll(async () => {
  await harness.sandbox.close();
  await merchant.close();
});

async function rawGatewayAnswer(
  method: string,
  bizContent: Record<string, unknown>,
  extra: Record<string, string> = {},
) {
  const url = harness.sdk.pageExecute(method, "GET", { ...extra, bizContent });
  return (await fetch(url, { method: "POST" })).text();
}

describe("sandbox output against @paysign/contracts", () => {
  it("paySignCenter's result parses with parsePaySignCenterResult and its sign verifies over signSource", () => {
    const parsed = parsePaySignCenterResult(result);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.response.agreement_no).toBe(agreementNo);
    const verified = createVerify("RSA-SHA256")
      .update(parsed.value.signSource)
      .verify(testKeys().alipay.publicKey, parsed.value.sign ?? "", "base64");
    expect(verified).toBe(true);
  });

  it("gateway answers split with readSignedResponse and parse with the method's response schema", async () => {
    const cases: Array<[string, Record<string, unknown>, { safeParse(value: unknown): { success: boolean } }]> = [
      ["alipay.user.agreement.query", { agreement_no: agreementNo }, agreementQueryResponseSchema],
      [
        "alipay.trade.pay",
        {
          out_trade_no: "C1",
          total_amount: "19.90",
          subject: "s",
          product_code: "GENERAL_WITHHOLDING",
          agreement_params: { agreement_no: agreementNo },
        },
        tradePayResponseSchema,
      ],
      ["alipay.trade.query", { out_trade_no: "C1" }, tradeQueryResponseSchema],
      [
        "alipay.user.agreement.executionplan.modify",
        { agreement_no: agreementNo, deduct_time: "2027-01-05" },
        executionPlanModifyResponseSchema,
      ],
      ["alipay.user.agreement.sign.effect", { agreement_no: agreementNo }, signEffectResponseSchema],
    ];
    for (const [method, biz, schema] of cases) {
      const body = await rawGatewayAnswer(
        method,
        biz,
        method === "alipay.trade.pay" ? { notifyUrl: merchant.url } : {},
      );
      const signed = readSignedResponse(body, `${method.replaceAll(".", "_")}_response`);
      expect(signed.ok, method).toBe(true);
      if (!signed.ok) continue;
      expect(signed.value.response.code, method).toBe("10000");
      expect(schema.safeParse(signed.value.response).success, method).toBe(true);
    }
  });

  it("oauth.token answers parse with oauthTokenResponseSchema", async () => {
    const userId = (await createUser(harness)).userId;
    const { body } = await harness.post<{ authCode: string }>("/sandbox/auth-codes", { userId });
    const answer = await harness.sdk.exec(
      "alipay.system.oauth.token",
      { grant_type: "authorization_code", code: body.authCode },
      { validateSign: true },
    );
    expect(oauthTokenResponseSchema.safeParse(answer).success).toBe(true);
  });

  it("every gateway method's success answer parses with the method map's response schema", async () => {
    const userId = (await createUser(harness)).userId;
    const { agreementNo: fresh } = await signAgreement(harness, { userId });
    const { body } = await harness.post<{ authCode: string }>("/sandbox/auth-codes", { userId });
    const calls = [
      ["alipay.system.oauth.token", {}, { grant_type: "authorization_code", code: body.authCode }],
      ["alipay.user.agreement.query", { agreement_no: fresh }, {}],
      [
        "alipay.trade.pay",
        {
          out_trade_no: "MAP1",
          total_amount: "19.90",
          subject: "s",
          product_code: "GENERAL_WITHHOLDING",
          agreement_params: { agreement_no: fresh },
        },
        {},
      ],
      ["alipay.trade.query", { out_trade_no: "MAP1" }, {}],
      ["alipay.user.agreement.executionplan.modify", { agreement_no: fresh, deduct_time: "2027-01-05" }, {}],
      ["alipay.user.agreement.sign.effect", { agreement_no: fresh }, {}],
      ["alipay.user.agreement.unsign", { agreement_no: fresh }, {}],
    ] as const;
    for (const [method, biz, extra] of calls) {
      const entry = ALIPAY_METHOD_MAP[method];
      const request = entry.requestIn === "common-params" ? extra : biz;
      expect(entry.request.safeParse(request).error?.issues ?? [], method).toEqual([]);
      const body = await rawGatewayAnswer(method, biz, extra);
      const signed = readSignedResponse(body, `${method.replaceAll(".", "_")}_response`);
      if (!signed.ok) throw new Error(`${method}: ${signed.reason}`);
      expect(signed.value.response.code, method).toBe("10000");
      expect(entry.response.safeParse(signed.value.response).error?.issues ?? [], method).toEqual([]);
    }
  });

  it("every notification parses with alipayNotificationSchema", async () => {
    // The user's unsign goes to the app gateway: here the same receiver.
    await harness.post(`/sandbox/apps/${APP_ID}/app-gateway`, { appGatewayUrl: merchant.url });
    await harness.post(`/sandbox/agreements/${agreementNo}/unsign`);
    const received = await merchant.waitFor(3);
    const types = received.map((entry) => {
      const parsed = alipayNotificationSchema.safeParse(entry.params);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      return entry.params.notify_type;
    });
    expect(types.sort()).toEqual(["dut_user_sign", "dut_user_unsign", "trade_status_sync"]);
  });
});
