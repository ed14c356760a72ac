import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { injectFault } from "./support/customer-client.ts";
import {
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  sandboxTrades,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// alipay.trade.pay whose answer never comes within the server's timeout (the sandbox holds the request for a minute,
// the server gives up after a second): the attempt is UNKNOWN and alipay.trade.query is asked at once, and the
// customer is charged once either way. Plan: monthly, first charge 7 days after signing (D = 2028-05-08, first try
// 05-05).
let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({
    alipayTimeoutMs: 1_000,
    env: { DEDUCTION_LEAD_DAYS: "3", DEDUCTION_RETRY_SCHEDULE: "6h,1d" },
  });
  planId = await createPlan(stack, monthlyAfterAWeek);
});
afterAll(async () => {
  await stack.close();
});

const payTimesOut = (applied: boolean) => injectFault(stack, { method: "alipay.trade.pay", mode: "timeout", applied });

async function chargeOf(agreementId: string) {
  const detail = await agreementDetail(stack, agreementId);
  const charge = defined(
    detail.charges.find((candidate) => candidate.dueDate === "2028-05-08"),
    "the charge due 2028-05-08",
  );
  const attempts = [...(charge.attempts as Array<{ status: string; subCode: string | null }>)]
    .reverse()
    .map((attempt) => `${attempt.status} ${attempt.subCode ?? ""}`.trim());
  return { status: charge.status, tradeNo: charge.tradeNo, attempts, nextDeductDate: detail.nextDeductDate };
}

/** Faults the sandbox has not used yet: empty once the held trade.pay took its fault. */
async function faultsLeft() {
  return (await stack.control.faults()).body;
}

async function tradesOf(agreementNo: string) {
  return (await sandboxTrades(stack)).filter((trade) => trade.agreement_no === agreementNo);
}

describe("trade.pay whose answer is lost", () => {
  test("Alipay took the payment: the query at once finds the trade; one trade, the period paid", async () => {
    await setClock(stack, shanghai("2028-05-01", "09:00:00"));
    const agreement = await signActiveAgreement(stack, { planId });
    await payTimesOut(true);

    await setClock(stack, shanghai("2028-05-05"));
    await runScheduler(stack);
    expect(await faultsLeft()).toEqual([]);
    const trades = await tradesOf(agreement.agreementNo);
    expect(trades).toHaveLength(1);
    expect(await chargeOf(agreement.agreementId)).toEqual({
      status: "SUCCEEDED",
      tradeNo: defined(trades[0], "trades[0]").trade_no,
      attempts: ["SUCCEEDED"],
      nextDeductDate: "2028-06-08",
    });
  });

  test("the request was not processed: the query finds no trade, the next try pays; one trade", async () => {
    await setClock(stack, shanghai("2028-05-01", "09:00:00"));
    const agreement = await signActiveAgreement(stack, { planId });
    await payTimesOut(false);

    await setClock(stack, shanghai("2028-05-05"));
    await runScheduler(stack);
    expect(await faultsLeft()).toEqual([]);
    expect(await tradesOf(agreement.agreementNo)).toEqual([]);
    expect(await chargeOf(agreement.agreementId)).toMatchObject({
      status: "PENDING",
      attempts: ["FAILED ACQ.TRADE_NOT_EXIST"],
    });

    await setClock(stack, shanghai("2028-05-05", "16:30:00"));
    await runScheduler(stack);
    const trades = await tradesOf(agreement.agreementNo);
    expect(trades).toHaveLength(1);
    expect(await chargeOf(agreement.agreementId)).toEqual({
      status: "SUCCEEDED",
      tradeNo: defined(trades[0], "trades[0]").trade_no,
      attempts: ["FAILED ACQ.TRADE_NOT_EXIST", "SUCCEEDED"],
      nextDeductDate: "2028-06-08",
    });
  });
});
