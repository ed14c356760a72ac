import { createVerify } from "node:crypto";
import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { http, monthlyPlanId, noticePlanId, signIn, weeklyPlanId } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: "1000" } });
});
afterAll(async () => {
  await stack.close();
});

/** The signStr decoded once: the sdkExecute query string, then its parameters. */
function decodeSignStr(signStr: string): Record<string, string> {
  const once = decodeURIComponent(signStr);
  return Object.fromEntries(once.split("&").map((pair) => pair.split("=").map(decodeURIComponent) as [string, string]));
}

describe("the signStr of POST /api/v1/agreements", () => {
  test("decodes once to an sdkExecute string signed with the app key, without return_url, and the sandbox signs it", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    expect(created.status).toBe(201);
    const signStr = created.body.signStr as string;
    expect(signStr).not.toMatch(/[&=]/);

    const params = decodeSignStr(signStr);
    expect(params.method).toBe("alipay.user.agreement.page.sign");
    expect(params.notify_url).toBe(`${stack.api}/alipay/notify`);
    expect(params).not.toHaveProperty("return_url");
    const { sign, ...signed } = params;
    const content = Object.keys(signed)
      .sort()
      .map((key) => `${key}=${signed[key]}`)
      .join("&");
    expect(
      createVerify("RSA-SHA256").update(content).verify(stack.appKeys.publicKey, defined(sign, "sign"), "base64"),
    ).toBe(true);

    const answer = await stack.control.signAtCenter({
      signStr,
      userId: customer.userId,
      decision: "confirm",
    });
    expect(answer.body.resultStatus).toBe("7000");
  });

  test("biz_content carries the plan's terms, channel ALIPAYAPP and a 32-character external number", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: weeklyPlanId });
    const agreement = created.body.agreement as { externalAgreementNo: string; executeTime: string };
    const biz = JSON.parse(defined(decodeSignStr(created.body.signStr as string).biz_content, "biz_content")) as Record<
      string,
      unknown
    >;
    expect(agreement.externalAgreementNo).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(biz).toMatchObject({
      personal_product_code: "CYCLE_PAY_AUTH_P",
      product_code: "GENERAL_WITHHOLDING",
      sign_scene: "INDUSTRY|DIGITAL_MEDIA",
      external_agreement_no: agreement.externalAgreementNo,
      access_params: { channel: "ALIPAYAPP" },
      period_rule_params: {
        period_type: "DAY",
        period: 7,
        execute_time: agreement.executeTime,
        single_amount: "9.90",
        total_amount: "39.60",
        total_payments: 4,
      },
    });
    expect(biz).not.toHaveProperty("agreement_effect_type");
  });

  test("a NOTICE plan asks Alipay for agreement_effect_type NOTICE", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: noticePlanId });
    const biz = JSON.parse(defined(decodeSignStr(created.body.signStr as string).biz_content, "biz_content")) as Record<
      string,
      unknown
    >;
    expect(biz.agreement_effect_type).toBe("NOTICE");
  });

  test("an inactive plan cannot be subscribed, with a reason", async () => {
    const admin = { "x-admin-key": stack.config.adminApiKey };
    const plan = await http(`${stack.api}/admin/v1/plans`, {
      headers: admin,
      body: {
        name: "Retired",
        productCode: "GENERAL_WITHHOLDING",
        signScene: "INDUSTRY|DIGITAL_MEDIA",
        periodType: "MONTH",
        period: 1,
        singleAmount: "5.00",
        active: false,
      },
    });
    expect(plan.status).toBe(201);
    const customer = await signIn(stack);
    const answer = await customer.as("/api/v1/agreements", { planId: plan.body.id });
    expect(answer.status).toBe(409);
    expect((answer.body.error as { message: string }).message).toContain("no longer offered");
    const plans = await http(`${stack.api}/api/v1/plans`);
    expect((plans.body.items as Array<{ id: string }>).map((item) => item.id)).not.toContain(plan.body.id);
  });
});

describe("rate limits", () => {
  let limited: Stack;
  beforeAll(async () => {
    limited = await startStack({ env: { RATE_LIMIT_PER_MINUTE: "3" } });
  });
  afterAll(async () => {
    await limited.close();
  });

  test("customer routes answer 429 with the error body past the limit; Alipay's notify route is never limited", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await http(`${limited.api}/api/v1/plans`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limitedAnswer = await http(`${limited.api}/api/v1/plans`);
    expect((limitedAnswer.body.error as { code: string }).code).toBe("RATE_LIMITED");
    for (let i = 0; i < 5; i++) {
      const notify = await fetch(`${limited.api}/alipay/notify`, { method: "POST", body: "notify_id=1" });
      expect(notify.status).toBe(400);
    }
  });
});
