import { createSign, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runDueFollowUps } from "../src/services/follow-up.ts";
import { advanceClock, agreementState, waitFor } from "./support/agreement-state.ts";
import {
  deliverHeld,
  holdNextNotification,
  http,
  monthlyPlanId,
  noticePlanId,
  signIn,
} from "./support/customer-client.ts";
import { setClock, shanghai } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Each result code of my.paySignCenter ends in the right state (issue #5). Notifications are dropped where a test
// must show that another source (the verified result, the query) confirmed the agreement; the sandbox retries them
// minutes later in real time (timeScale 1), after the test.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sandbox: { timeScale: 1 } });
  // A fixed morning: an agreement's execute_time (its creation day) is still today when it is confirmed.
  await setClock(stack, shanghai("2026-12-10"));
});
afterAll(async () => {
  await stack.close();
});

type Customer = Awaited<ReturnType<typeof signIn>>;

async function subscribe(customer: Customer, planId = monthlyPlanId) {
  const created = await customer.as("/api/v1/agreements", { planId });
  expect(created.status).toBe(201);
  return { id: (created.body.agreement as { id: string }).id, signStr: created.body.signStr as string };
}

const signAtAlipay = (customer: Customer, signStr: string, decision: "confirm" | "cancel" = "confirm") =>
  stack.control.signAtCenter({ signStr, userId: customer.userId, decision });

/** What the mini program forwards: exactly paySignCenter's resultStatus and result. */
const reportOf = (answer: { body: Record<string, unknown> }) => ({
  resultStatus: answer.body.resultStatus,
  result: answer.body.result,
});

const dropNextSignNotification = () => holdNextNotification(stack, "dut_user_sign");

describe("confirming a signature", () => {
  test("7000 with a verified result → ACTIVE, confirmed by the result itself", async () => {
    const customer = await signIn(stack);
    const { id, signStr } = await subscribe(customer);
    await dropNextSignNotification();
    const signed = await signAtAlipay(customer, signStr);
    expect(signed.body.resultStatus).toBe("7000");

    const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, reportOf(signed));
    expect(reported.status).toBe(200);
    expect(reported.body.outcome).toBe("SIGNED");
    const state = await agreementState(stack, id);
    expect(state.status).toBe("ACTIVE");
    expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE CLIENT_RESULT"]);
    expect(state.agreementNo).toMatch(/^\d{20}$/);
    expect(state.agreement.nextDeductDate).toEqual(state.agreement.executeTime);
  });

  test("7000 with a forged result stays PENDING until Alipay says otherwise", async () => {
    const customer = await signIn(stack);
    const { id, signStr } = await subscribe(customer);
    const agreement = await agreementState(stack, id);
    const forger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const response = JSON.stringify({
      code: "10000",
      msg: "Success",
      app_id: stack.alipay.appId,
      external_agreement_no: agreement.agreement.externalAgreementNo,
      agreement_no: "20249999999999999999",
      status: "NORMAL",
    });
    const sign = createSign("RSA-SHA256").update(response).sign(forger, "base64");
    const forged = `{"alipay_user_agreement_page_sign_response":${response},"sign":"${sign}","sign_type":"RSA2"}`;

    const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, {
      resultStatus: "7000",
      result: forged,
    });
    expect(reported.body.outcome).toBe("CONFIRMING");
    expect((await agreementState(stack, id)).status).toBe("PENDING");
    expect(stack.logs.join("\n")).toContain("paySignCenter result signature does not verify");

    await signAtAlipay(customer, signStr);
    const confirmed = await waitFor(
      () => agreementState(stack, id),
      (state) => state.status === "ACTIVE",
    );
    expect(confirmed.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE NOTIFICATION"]);
  });

  test.each(["7001", "6001"] as const)(
    "%s after a real signing → ACTIVE through agreement.query",
    async (resultStatus) => {
      const customer = await signIn(stack);
      const { id, signStr } = await subscribe(customer);
      await dropNextSignNotification();
      await signAtAlipay(customer, signStr);

      const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, { resultStatus });
      expect(reported.body.outcome).toBe("SIGNED");
      const state = await agreementState(stack, id);
      expect(state.status).toBe("ACTIVE");
      expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE ALIPAY_QUERY"]);
    },
  );

  test("6001 without signing → ABANDONED once the follow-up schedule runs out", async () => {
    const customer = await signIn(stack);
    const { id, signStr } = await subscribe(customer);
    const cancelled = await signAtAlipay(customer, signStr, "cancel");
    expect(cancelled.body.resultStatus).toBe("6001");
    const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, { resultStatus: "6001" });
    expect(reported.body.outcome).toBe("CONFIRMING");

    // FOLLOW_UP_SCHEDULE is 15s,1m,5m in the stack: three checks, then ABANDONED.
    const states: string[] = [];
    for (const step of [16_000, 61_000, 301_000]) {
      await advanceClock(stack, step);
      await runDueFollowUps(stack.deps);
      states.push((await agreementState(stack, id)).status);
    }
    expect(states).toEqual(["PENDING", "PENDING", "ABANDONED"]);
    expect((await agreementState(stack, id)).events.at(-1)).toBe("PENDING→ABANDONED SYSTEM");
  });

  test("6002 (network) keeps the agreement PENDING and tells the client to retry", async () => {
    const customer = await signIn(stack);
    const { id } = await subscribe(customer);
    const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, { resultStatus: "6002" });
    expect(reported.body.outcome).toBe("RETRY");
    expect((await agreementState(stack, id)).status).toBe("PENDING");
  });

  test("a NOTICE plan signs to TEMP, and the merchant's effect makes it ACTIVE", async () => {
    const customer = await signIn(stack);
    const { id, signStr } = await subscribe(customer, noticePlanId);
    const signed = await signAtAlipay(customer, signStr);
    const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, reportOf(signed));
    expect(reported.body.outcome).toBe("SIGNED");
    expect((await agreementState(stack, id)).status).toBe("TEMP");

    // Alipay sends dut_user_sign when the agreement takes effect; held back here so that it arrives after the answer.
    await holdNextNotification(stack, "dut_user_sign");
    const effect = await http(`${stack.api}/admin/v1/agreements/${id}/effect`, {
      method: "POST",
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(effect.status).toBe(200);
    expect((effect.body.agreement as { status: string }).status).toBe("ACTIVE");
    const agreementNo = (effect.body.agreement as { agreementNo: string }).agreementNo;
    expect(await deliverHeld(stack, "dut_user_sign", agreementNo)).toBe("success");
    const state = await agreementState(stack, id);
    expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→TEMP CLIENT_RESULT", "TEMP→ACTIVE ADMIN"]);
  });
});

describe("silence", () => {
  test("a client that never reports is confirmed by the follow-up query", async () => {
    const customer = await signIn(stack);
    const { id, signStr } = await subscribe(customer);
    await dropNextSignNotification();
    await signAtAlipay(customer, signStr);
    expect((await agreementState(stack, id)).status).toBe("PENDING");

    await advanceClock(stack, 16_000);
    const report = await runDueFollowUps(stack.deps);
    expect(report.confirmed).toBeGreaterThanOrEqual(1);
    expect((await agreementState(stack, id)).events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE ALIPAY_QUERY"]);
  });
});

describe("a plan over Alipay's amount cap", () => {
  let capped: Stack;
  beforeAll(async () => {
    capped = await startStack({ sandbox: { singleAmountCap: "10.00" } });
  });
  afterAll(async () => {
    await capped.close();
  });

  test("7002 → FAILED once the query confirms nothing was signed", async () => {
    const customer = await signIn(capped);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    const id = (created.body.agreement as { id: string }).id;
    const signed = await capped.control.signAtCenter({
      signStr: created.body.signStr as string,
      userId: customer.userId,
      decision: "confirm",
    });
    expect(signed.body.resultStatus).toBe("7002");
    const reported = await customer.as(`/api/v1/agreements/${id}/sign-result`, { resultStatus: "7002" });
    expect(reported.body.outcome).toBe("FAILED");
    expect((await agreementState(capped, id)).events).toEqual(["∅→PENDING CUSTOMER", "PENDING→FAILED ALIPAY_QUERY"]);
  });
});
