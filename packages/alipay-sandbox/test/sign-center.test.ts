import { createVerify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_ID,
  MONTHLY_BIZ,
  createUser,
  nextExternalNo,
  sdkExecuteWith,
  startHarness,
  testKeys,
  type Harness,
  type SignResult,
} from "./support/sandbox-harness.ts";

/** The signing center's `result`: the page.sign response, read as JSON. */
type PageSignAnswer = { alipay_user_agreement_page_sign_response: Record<string, string> };

let harness: Harness;
let userId: string;

beforeAll(async () => {
  harness = await startHarness({ singleAmountCap: "100.00" });
  userId = (await createUser(harness)).userId;
});
afterAll(() => harness.sandbox.close());

/** Each signing uses a fresh buyer unless told, so the ten-agreement limit does not leak between cases. */
async function sign(signStr: string, decision: "confirm" | "cancel" = "confirm", who?: string): Promise<SignResult> {
  const buyer = who ?? (await createUser(harness)).userId;
  return (await harness.post<SignResult>("/sandbox/sign-center", { signStr, userId: buyer, decision })).body;
}

function monthly(overrides: Record<string, unknown> = {}, rule: Record<string, unknown> = {}) {
  return {
    ...MONTHLY_BIZ,
    external_agreement_no: nextExternalNo(),
    ...overrides,
    period_rule_params: { ...MONTHLY_BIZ.period_rule_params, ...rule },
  };
}

async function agreementsOf(who: string) {
  const { body } = await harness.get<Array<{ alipay_user_id: string; status: string }>>("/sandbox/agreements");
  return body.filter((agreement) => agreement.alipay_user_id === who);
}

describe("signing center: signStr decoding", () => {
  it("signs a correctly encoded sdkExecute string (7000) with a result signed by the sandbox's Alipay key", async () => {
    const externalNo = nextExternalNo();
    const answer = await sign(
      sdkExecuteWith(harness.sdk, monthly({ external_agreement_no: externalNo }), {}),
      "confirm",
      userId,
    );
    expect(answer.resultStatus).toBe("7000");
    const inner = /^\{"alipay_user_agreement_page_sign_response":(\{.*\}),"sign":"([^"]+)","sign_type":"RSA2"\}$/.exec(
      answer.result,
    );
    expect(inner).not.toBeNull();
    const [, content, signature] = inner as unknown as [string, string, string];
    expect(createVerify("RSA-SHA256").update(content).verify(testKeys().alipay.publicKey, signature, "base64")).toBe(
      true,
    );
    expect(JSON.parse(content)).toMatchObject({
      code: "10000",
      app_id: APP_ID,
      external_agreement_no: externalNo,
      status: "NORMAL",
      personal_product_code: "CYCLE_PAY_AUTH_P",
      alipay_user_id: userId,
      agreement_no: expect.stringMatching(/^\d{20}$/) as unknown,
    });
  });

  it("rejects the sdkExecute output encoded only once as an invalid signature", async () => {
    const once = decodeURIComponent(sdkExecuteWith(harness.sdk, monthly(), {}));
    const answer = await sign(once);
    expect(answer).toMatchObject({ resultStatus: "7002", memo: expect.stringContaining("无效签名") as unknown });
  });

  it("rejects a pageExecute URL as an invalid signature", async () => {
    const url = harness.sdk.pageExecute("alipay.user.agreement.page.sign", "GET", { bizContent: monthly() });
    expect((await sign(url)).memo).toContain("pageExecute");
    expect((await sign(encodeURIComponent(url))).resultStatus).toBe("7002");
  });

  it("rejects a signStr whose amount was changed after signing", async () => {
    const signStr = sdkExecuteWith(harness.sdk, monthly(), {});
    const tampered = signStr.replace(
      encodeURIComponent(encodeURIComponent('"19.90"')),
      encodeURIComponent(encodeURIComponent('"1.00"')),
    );
    expect(tampered).not.toBe(signStr);
    const answer = await sign(tampered);
    expect(answer).toMatchObject({ resultStatus: "7002", memo: expect.stringContaining("验签") as unknown });
  });

  it("rejects a signStr signed with another app's key", async () => {
    const other = harness.sdkFor({ privateKey: (await import("../src/index.ts")).generateRsaKeyPair().privateKey });
    expect((await sign(sdkExecuteWith(other, monthly(), {}))).resultStatus).toBe("7002");
  });
});

type RuleCase = [name: string, biz: Record<string, unknown>];

const rejected: RuleCase[] = [
  ["personal_product_code missing", monthly({ personal_product_code: undefined })],
  ["personal_product_code unknown", monthly({ personal_product_code: "CYCLE_PAY" })],
  ["product codes swapped", monthly({ product_code: "CYCLE_PAY_AUTH_P", personal_product_code: "CYCLE_PAY_AUTH" })],
  [
    "CYCLE_PAY_AUTH paired with GENERAL_WITHHOLDING_P",
    {
      product_code: "CYCLE_PAY_AUTH",
      personal_product_code: "GENERAL_WITHHOLDING_P",
      access_params: { channel: "ALIPAYAPP" },
    },
  ],
  ["access_params missing", monthly({ access_params: undefined })],
  ["access_params.channel unknown", monthly({ access_params: { channel: "H5" } })],
  ["period_rule_params missing for CYCLE_PAY_AUTH_P", { ...monthly(), period_rule_params: undefined }],
  ["period_rule_params for GENERAL_WITHHOLDING_P", monthly({ personal_product_code: "GENERAL_WITHHOLDING_P" })],
  ["period_type missing", monthly({}, { period_type: undefined })],
  ["period missing", monthly({}, { period: undefined })],
  ["execute_time missing", monthly({}, { execute_time: undefined })],
  ["single_amount missing", monthly({}, { single_amount: undefined })],
  ["period_type WEEK", monthly({}, { period_type: "WEEK" })],
  ["DAY with period 6", monthly({}, { period_type: "DAY", period: 6 })],
  ["MONTH on the 29th", monthly({}, { execute_time: "2026-12-29" })],
  ["execute_time not a real date", monthly({}, { period_type: "DAY", period: 7, execute_time: "2026-02-30" })],
  ["execute_time with a time", monthly({}, { execute_time: "2026-12-01 10:00:00" })],
  ["external_agreement_no without sign_scene", monthly({ sign_scene: undefined })],
  ["external_agreement_no with DEFAULT|DEFAULT", monthly({ sign_scene: "DEFAULT|DEFAULT" })],
  ["external_agreement_no of 33 characters", monthly({ external_agreement_no: "A".repeat(33) })],
  ["external_agreement_no with an underscore", monthly({ external_agreement_no: "SUB_1" })],
  ["single_amount over the 100.00 cap", monthly({}, { single_amount: "100.01" })],
  ["sign_validity_period malformed", monthly({ sign_validity_period: "2y" })],
];

const accepted: RuleCase[] = [
  ["DAY with period 7", monthly({}, { period_type: "DAY", period: 7 })],
  ["MONTH on the 28th", monthly({}, { execute_time: "2026-12-28" })],
  ["DAY on the 31st", monthly({}, { period_type: "DAY", period: 7, execute_time: "2026-12-31" })],
  ["period and amount as strings", monthly({}, { period: "1", single_amount: "0.1" })],
  ["single_amount as a number", monthly({}, { single_amount: 10.99 })],
  ["single_amount exactly at the cap", monthly({}, { single_amount: "100.00" })],
  [
    "external_agreement_no of 32 characters",
    monthly({ external_agreement_no: `Z${nextExternalNo()}`.padEnd(32, "9").slice(0, 32) }),
  ],
  ["CYCLE_PAY_AUTH with CYCLE_PAY_AUTH_P", monthly({ product_code: "CYCLE_PAY_AUTH" })],
  ["no product_code", monthly({ product_code: undefined })],
  [
    "GENERAL_WITHHOLDING_P without period rules",
    {
      product_code: "GENERAL_WITHHOLDING",
      personal_product_code: "GENERAL_WITHHOLDING_P",
      access_params: { channel: "ALIPAYAPP" },
    },
  ],
  [
    "no external_agreement_no and no sign_scene",
    { ...monthly(), external_agreement_no: undefined, sign_scene: undefined },
  ],
  [
    "caps and a validity period",
    monthly({ sign_validity_period: "2m" }, { total_amount: "238.80", total_payments: 12 }),
  ],
];

describe("signing center: biz_content rules (docs/alipay-protocol.md §2)", () => {
  it.each(rejected)("rejects %s with 7002 and a reason", async (_name, biz) => {
    const rejectUser = (await createUser(harness)).userId;
    const answer = await sign(sdkExecuteWith(harness.sdk, biz, {}), "confirm", rejectUser);
    expect(answer.resultStatus).toBe("7002");
    expect(answer.memo.length).toBeGreaterThan(0);
    expect(await agreementsOf(rejectUser)).toHaveLength(0);
  });

  it.each(accepted)("accepts %s with 7000", async (_name, biz) => {
    const answer = await sign(sdkExecuteWith(harness.sdk, biz, {}));
    expect(answer.memo).toBe("");
    expect(answer.resultStatus).toBe("7000");
  });
});

describe("signing center: outcomes", () => {
  it("creates nothing when the user cancels (6001)", async () => {
    const who = (await createUser(harness)).userId;
    const answer = await sign(sdkExecuteWith(harness.sdk, monthly(), {}), "cancel", who);
    expect(answer).toMatchObject({ resultStatus: "6001", result: "" });
    expect(await agreementsOf(who)).toHaveLength(0);
  });

  it("signs but answers 6001 when the request carries a return_url", async () => {
    const who = (await createUser(harness)).userId;
    const answer = await sign(
      sdkExecuteWith(harness.sdk, monthly(), { returnUrl: "https://merchant.example/back" }),
      "confirm",
      who,
    );
    expect(answer.resultStatus).toBe("6001");
    expect(await agreementsOf(who)).toEqual([expect.objectContaining({ status: "NORMAL" })]);
  });

  it("stores a NOTICE agreement as TEMP until sign.effect", async () => {
    const who = (await createUser(harness)).userId;
    const answer = await sign(
      sdkExecuteWith(harness.sdk, monthly({ agreement_effect_type: "NOTICE" }), {}),
      "confirm",
      who,
    );
    expect(answer.resultStatus).toBe("7000");
    expect((JSON.parse(answer.result) as PageSignAnswer).alipay_user_agreement_page_sign_response.status).toBe("TEMP");
  });

  it("rejects an unknown user with 7002", async () => {
    const answer = await sign(sdkExecuteWith(harness.sdk, monthly(), {}), "confirm", "2088000000000000");
    expect(answer).toMatchObject({ resultStatus: "7002", memo: expect.stringContaining("/sandbox/users") as unknown });
  });

  it("rejects re-signing a live external_agreement_no", async () => {
    const biz = monthly();
    expect((await sign(sdkExecuteWith(harness.sdk, biz, {}))).resultStatus).toBe("7000");
    expect((await sign(sdkExecuteWith(harness.sdk, biz, {}))).resultStatus).toBe("7002");
  });

  it("allows ten live agreements per user and app, and rejects the eleventh", async () => {
    const who = (await createUser(harness)).userId;
    for (let index = 0; index < 10; index += 1) {
      expect((await sign(sdkExecuteWith(harness.sdk, monthly(), {}), "confirm", who)).resultStatus).toBe("7000");
    }
    const eleventh = await sign(sdkExecuteWith(harness.sdk, monthly(), {}), "confirm", who);
    expect(eleventh).toMatchObject({ resultStatus: "7002", memo: expect.stringContaining("10") as unknown });
  });
});
