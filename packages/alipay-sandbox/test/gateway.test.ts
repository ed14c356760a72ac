import { createSign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateRsaKeyPair } from "../src/index.ts";
import { APP_ID, createUser, signAgreement, startHarness, testKeys, type Harness } from "./support/sandbox-harness.ts";

let harness: Harness;
let agreementNo: string;
let userId: string;

beforeAll(async () => {
  harness = await startHarness();
  userId = (await createUser(harness)).userId;
  await harness.post("/sandbox/clock", { now: "2026-11-28T10:00:00+08:00" });
  ({ agreementNo } = await signAgreement(harness, { userId }));
});
afterAll(() => harness.sandbox.close());

function formatTimestamp(): string {
  return "2026-11-28 10:00:00";
}

/** Signs params the way every Alipay SDK does and posts them as a form, for requests the SDK cannot make. */
async function rawGateway(params: Record<string, string>, privateKey = testKeys().app.privateKey, base = harness.url) {
  const content = Object.keys(params)
    .filter((key) => params[key] !== "")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  const sign = createSign("RSA-SHA256").update(content, "utf8").sign(privateKey, "base64");
  const response = await fetch(`${base}/gateway.do`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
    body: new URLSearchParams({ ...params, sign }).toString(),
  });
  return JSON.parse(await response.text()) as Record<string, Record<string, string>>;
}

const common = () => ({
  app_id: APP_ID,
  method: "alipay.trade.query",
  charset: "utf-8",
  sign_type: "RSA2",
  timestamp: formatTimestamp(),
  version: "1.0",
  biz_content: JSON.stringify({ out_trade_no: "NOPE" }),
});

describe("gateway with the real alipay-sdk (validateSign: true)", () => {
  it("answers alipay.system.oauth.token with a signed response the SDK accepts, once per auth code", async () => {
    const { body } = await harness.post<{ authCode: string }>("/sandbox/auth-codes", { userId });
    const first = await harness.sdk.exec(
      "alipay.system.oauth.token",
      { grant_type: "authorization_code", code: body.authCode },
      { validateSign: true },
    );
    expect(first).toMatchObject({ code: "10000", user_id: userId });
    expect(first.access_token).toEqual(expect.any(String));
    const second = await harness.sdk.exec(
      "alipay.system.oauth.token",
      { grant_type: "authorization_code", code: body.authCode },
      { validateSign: true },
    );
    expect(second).toMatchObject({ code: "40002", sub_code: "isv.code-invalid" });
  });

  it("answers alipay.user.agreement.query with the agreement and its next deduction date", async () => {
    const result = await harness.sdk.exec(
      "alipay.user.agreement.query",
      { bizContent: { agreement_no: agreementNo } },
      { validateSign: true },
    );
    expect(result).toMatchObject({
      code: "10000",
      agreement_no: agreementNo,
      status: "NORMAL",
      next_deduct_time: "2026-12-01",
    });
  });

  it("answers alipay.trade.pay and alipay.trade.query", async () => {
    const pay = await harness.sdk.exec(
      "alipay.trade.pay",
      {
        bizContent: {
          out_trade_no: "GW1",
          total_amount: "19.90",
          subject: "会员",
          product_code: "GENERAL_WITHHOLDING",
          agreement_params: { agreement_no: agreementNo },
        },
      },
      { validateSign: true },
    );
    expect(pay).toMatchObject({ code: "10000", out_trade_no: "GW1", total_amount: "19.90" });
    const query = await harness.sdk.exec(
      "alipay.trade.query",
      { bizContent: { out_trade_no: "GW1" } },
      { validateSign: true },
    );
    expect(query).toMatchObject({ code: "10000", trade_status: "TRADE_SUCCESS", trade_no: String(pay.trade_no) });
  });

  it("answers alipay.user.agreement.executionplan.modify, sign.effect and unsign", async () => {
    const modify = await harness.sdk.exec(
      "alipay.user.agreement.executionplan.modify",
      { bizContent: { agreement_no: agreementNo, deduct_time: "2027-01-05" } },
      { validateSign: true },
    );
    expect(modify).toMatchObject({ code: "10000", deduct_time: "2027-01-05" });
    const effect = await harness.sdk.exec(
      "alipay.user.agreement.sign.effect",
      { bizContent: { agreement_no: agreementNo } },
      { validateSign: true },
    );
    expect(effect).toMatchObject({ code: "10000", status: "NORMAL" });
    const unsign = await harness.sdk.exec(
      "alipay.user.agreement.unsign",
      { bizContent: { agreement_no: agreementNo } },
      { validateSign: true },
    );
    expect(unsign).toMatchObject({ code: "10000", msg: "Success" });
  });

  it("signs business failures too, so the SDK accepts them", async () => {
    const result = await harness.sdk.exec(
      "alipay.trade.query",
      { bizContent: { out_trade_no: "MISSING" } },
      { validateSign: true },
    );
    expect(result).toMatchObject({ code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST" });
  });

  it("accepts RSA (SHA1) signatures and answers with RSA", async () => {
    // §18.2: only an app configured for RSA takes RSA requests.
    const rsaAppId = "2021000000000002";
    harness.sandbox.registerApp({ appId: rsaAppId, publicKey: testKeys().app.publicKey, signType: "RSA" });
    const sdk = harness.sdkFor({ appId: rsaAppId, signType: "RSA" });
    const result = await sdk.exec(
      "alipay.trade.query",
      { bizContent: { out_trade_no: "MISSING" } },
      { validateSign: true },
    );
    expect(result).toMatchObject({ sub_code: "ACQ.TRADE_NOT_EXIST" });
  });

  it("is not fooled by a response signed with another key: the SDK rejects a sandbox with a different Alipay key", async () => {
    const sdk = harness.sdkFor({ alipayPublicKey: generateRsaKeyPair().publicKey });
    await expect(
      sdk.exec("alipay.trade.query", { bizContent: { out_trade_no: "X" } }, { validateSign: true }),
    ).rejects.toThrow(/验签失败/);
  });
});

describe("gateway common checks", () => {
  it("rejects a request signed with the wrong key with 40002 isv.invalid-signature and shows its sign content", async () => {
    const sdk = harness.sdkFor({ privateKey: generateRsaKeyPair().privateKey });
    const result = await sdk.exec("alipay.trade.query", { bizContent: { out_trade_no: "X" } }, { validateSign: true });
    expect(result).toMatchObject({ code: "40002", msg: "Invalid Arguments", sub_code: "isv.invalid-signature" });
    expect(result.sub_msg).toContain(
      `app_id=${APP_ID}&biz_content={"out_trade_no":"X"}&charset=utf-8&method=alipay.trade.query`,
    );
  });

  it("rejects a request without method with 40001 isv.missing-method", async () => {
    const { method: _method, ...params } = common();
    const body = await rawGateway(params);
    expect(body.error_response).toMatchObject({ code: "40001", sub_code: "isv.missing-method" });
  });

  it.each([
    ["app_id", "isv.missing-app-id"],
    ["timestamp", "isv.missing-timestamp"],
    ["version", "isv.missing-version"],
  ])("rejects a request without %s with 40001 %s", async (param, subCode) => {
    const params: Record<string, string> = common();
    delete params[param];
    const body = await rawGateway(params);
    expect(body.alipay_trade_query_response).toMatchObject({ code: "40001", sub_code: subCode });
  });

  it("rejects a bad timestamp with 40002 isv.invalid-timestamp", async () => {
    const body = await rawGateway({ ...common(), timestamp: "2026/11/28 10:00" });
    expect(body.alipay_trade_query_response).toMatchObject({ code: "40002", sub_code: "isv.invalid-timestamp" });
  });

  it("rejects an impossible date as a timestamp", async () => {
    const body = await rawGateway({ ...common(), timestamp: "2026-02-30 10:00:00" });
    expect(body.alipay_trade_query_response).toMatchObject({ sub_code: "isv.invalid-timestamp" });
  });

  it("rejects an unknown app with 40002 isv.invalid-app-id", async () => {
    const sdk = harness.sdkFor({ appId: "2021999999999999" });
    const result = await sdk.exec("alipay.trade.query", { bizContent: { out_trade_no: "X" } }, { validateSign: true });
    expect(result).toMatchObject({ code: "40002", sub_code: "isv.invalid-app-id" });
  });

  it("rejects an unknown method with 40002 isv.invalid-method", async () => {
    const result = await harness.sdk.exec(
      "alipay.trade.close",
      { bizContent: { out_trade_no: "X" } },
      { validateSign: true },
    );
    expect(result).toMatchObject({ code: "40002", sub_code: "isv.invalid-method" });
  });

  it("accepts every param in the form body (gopay style) as well as in the query (SDK style)", async () => {
    const body = await rawGateway(common());
    expect(body.alipay_trade_query_response).toMatchObject({ code: "40004", sub_code: "ACQ.TRADE_NOT_EXIST" });
  });

  it("answers GET with query params", async () => {
    const params = common();
    const content = Object.keys(params)
      .sort()
      .map((key) => `${key}=${params[key as keyof typeof params]}`)
      .join("&");
    const sign = createSign("RSA-SHA256").update(content).sign(testKeys().app.privateKey, "base64");
    const response = await fetch(`${harness.url}/gateway.do?${new URLSearchParams({ ...params, sign }).toString()}`);
    expect(
      (JSON.parse(await response.text()) as { alipay_trade_query_response: unknown }).alipay_trade_query_response,
    ).toMatchObject({
      sub_code: "ACQ.TRADE_NOT_EXIST",
    });
  });
});

describe("timestamp tolerance (option timestampToleranceMinutes)", () => {
  it("rejects a timestamp further than the tolerance from the simulated clock, accepts one inside", async () => {
    const strict = await startHarness({ timestampToleranceMinutes: 15 });
    try {
      await strict.post("/sandbox/clock", { now: "2026-11-28T10:00:00+08:00" });
      const late = await rawGateway({ ...common(), timestamp: "2026-11-28 10:16:00" }, undefined, strict.url);
      expect(late.alipay_trade_query_response).toMatchObject({ code: "40002", sub_code: "isv.invalid-timestamp" });
      const inside = await rawGateway({ ...common(), timestamp: "2026-11-28 10:14:00" }, undefined, strict.url);
      expect(inside.alipay_trade_query_response).toMatchObject({ sub_code: "ACQ.TRADE_NOT_EXIST" });
    } finally {
      await strict.sandbox.close();
    }
  });
});
