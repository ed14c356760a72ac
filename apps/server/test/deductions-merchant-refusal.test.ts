import { defined } from "@paysign/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { injectFault } from "./support/customer-client.ts";
import {
  admin,
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  sandboxDeductDate,
  sandboxTrades,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Alipay refuses trade.pay on the merchant's side (docs/alipay-protocol.md §16): the customer can do nothing, the
// operator can, so the charge is retried inside the window and, when D passes, listed PAST_DUE with the sub_code.
// Plan: monthly, first charge 7 days after signing on 05-01 (D = 2028-05-08), first attempt on D − 3 = 05-05.
let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({ env: { DEDUCTION_LEAD_DAYS: "3", DEDUCTION_MERCHANT_RETRY_SCHEDULE: "30m,1d" } });
  planId = await createPlan(stack, monthlyAfterAWeek);
});
afterEach(async () => {
  await stack.control.clearFaults();
});
afterAll(async () => {
  await stack.close();
});

async function signedOnTheFirst() {
  await setClock(stack, shanghai("2028-05-01", "09:00:00"));
  return signActiveAgreement(stack, { planId });
}

async function tickAt(...times: Array<[string, string]>) {
  for (const [day, time] of times) {
    await setClock(stack, shanghai(day, time));
    await runScheduler(stack);
  }
}

const chargeOf = async (agreementId: string) =>
  defined((await agreementDetail(stack, agreementId)).charges[0], "the charge due 2028-05-08");

const merchantRefusal = (subCode: string, count: number) =>
  injectFault(stack, { method: "alipay.trade.pay", mode: "merchant-refusal", subCode, count });

describe("a refusal on the merchant's side", () => {
  test("is retried inside the window on the merchant schedule and the period is paid once the cause clears", async () => {
    const agreement = await signedOnTheFirst();
    await merchantRefusal("ACQ.MERCHANT_STATUS_NOT_NORMAL", 2);

    await tickAt(["2028-05-05", "10:00:00"]);
    const refused = await chargeOf(agreement.agreementId);
    expect([refused.status, refused.failureCode]).toEqual(["PENDING", "ACQ.MERCHANT_STATUS_NOT_NORMAL"]);
    expect(stack.logs.some((line) => line.includes('"level":50') && line.includes("merchant's side"))).toBe(true);

    await tickAt(["2028-05-05", "10:30:00"], ["2028-05-06", "10:30:00"]);

    const detail = await agreementDetail(stack, agreement.agreementId);
    expect(detail.charges.map((charge) => [charge.status, charge.attempts.length])).toEqual([["SUCCEEDED", 3]]);
    expect(detail.nextDeductDate).toBe("2028-06-08");
    expect(await sandboxDeductDate(stack, agreement.agreementNo)).toBe("2028-06-08");
  });

  test("that lasts past D leaves the period PAST_DUE with the sub_code, listed for the operator", async () => {
    const agreement = await signedOnTheFirst();
    await merchantRefusal("ACQ.BEYOND_PAY_RESTRICTION", 100);

    await tickAt(
      ["2028-05-05", "10:00:00"],
      ["2028-05-05", "10:30:00"],
      ["2028-05-06", "10:30:00"],
      ["2028-05-07", "10:30:00"],
      ["2028-05-08", "10:30:00"],
      ["2028-05-09", "10:30:00"],
    );

    const charge = await chargeOf(agreement.agreementId);
    expect([charge.status, charge.failureCode, charge.attempts.length]).toEqual([
      "PAST_DUE",
      "ACQ.BEYOND_PAY_RESTRICTION",
      5,
    ]);
    const trades = await sandboxTrades(stack);
    expect(trades.filter((trade) => trade.agreement_no === agreement.agreementNo)).toEqual([]);
    const listed = await admin(stack, "/admin/v1/charges?status=PAST_DUE&refusedBy=merchant");
    expect((listed.body.items as Array<{ id: string }>).map((item) => item.id)).toContain(charge.id);
    const byCode = await admin(stack, "/admin/v1/charges?failureCode=ACQ.BEYOND_PAY_RESTRICTION");
    expect((byCode.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([charge.id]);
  });
});
