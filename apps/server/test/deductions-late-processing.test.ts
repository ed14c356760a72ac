import { defined } from "@paysign/test-kit";
import { afterEach, describe, expect, test } from "vitest";
import { injectFault } from "./support/customer-client.ts";
import {
  agreementDetail,
  createPlan,
  runScheduler,
  sandboxDeductDate,
  sandboxTrades,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// docs/alipay-protocol.md §15: a trade.pay that reaches Alipay late — after the server gave up on its answer and after
// trade.query answered ACQ.TRADE_NOT_EXIST — is processed anyway. The sandbox's `late-processing` fault holds the
// request (the server times out after a second), answers not-found meanwhile, and processes it when the test releases
// it, so the order of events is the test's. Plan: every 7 days, D = 2028-05-08 (signed 05-01, first charge a week on).

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const weekly = { name: "Weekly", periodType: "DAY", period: 7, singleAmount: "3.00", firstChargeDelayDays: 7 };

async function start(windowDays: number): Promise<Stack> {
  stack = await startStack({
    alipayTimeoutMs: 1_000,
    sandbox: { deductionWindowDays: windowDays },
    env: {
      DEDUCTION_WINDOW_DAYS: String(windowDays),
      DEDUCTION_LEAD_DAYS: "3",
      DEDUCTION_RETRY_SCHEDULE: "1h,2h",
      DEDUCTION_RECONCILE_SCHEDULE: "1m",
    },
  });
  return stack;
}

async function paidTrades(current: Stack, agreementNo: string) {
  return (await sandboxTrades(current)).filter(
    (trade) => trade.agreement_no === agreementNo && trade.trade_status === "TRADE_SUCCESS",
  );
}

describe("a trade.pay processed after trade.query found nothing", () => {
  test("the late trade is paid first and every trade_status_sync is lost: the charge ends paid by it, D as Alipay's", async () => {
    const current = await start(5);
    const planId = await createPlan(current, weekly);
    await setClock(current, shanghai("2028-05-01", "09:00:00"));
    const agreement = await signActiveAgreement(current, { planId });

    await injectFault(current, { method: "alipay.trade.pay", mode: "late-processing" });
    await injectFault(current, { method: "trade_status_sync", mode: "lose-notify" });
    await setClock(current, shanghai("2028-05-08", "09:00:00"));
    await runScheduler(current);
    expect((await current.control.lateRequests()).body.held).toBe(1);
    expect(await paidTrades(current, agreement.agreementNo)).toHaveLength(0);

    await current.control.releaseLateRequests();
    const [late] = await paidTrades(current, agreement.agreementNo);
    const lateTrade = defined(late, "the late trade");
    for (const time of ["09:05:00", "12:00:00", "15:00:00", "23:59:00"]) {
      await setClock(current, shanghai("2028-05-08", time));
      await runScheduler(current);
    }
    await setClock(current, shanghai("2028-05-09", "09:00:00"));
    await runScheduler(current);
    await current.sandbox.settleNotifications();

    const detail = await agreementDetail(current, agreement.agreementId);
    const charge = defined(
      detail.charges.find((candidate) => candidate.dueDate === "2028-05-08"),
      "the charge due 05-08",
    );
    expect({ status: charge.status, tradeNo: charge.tradeNo }).toEqual({
      status: "SUCCEEDED",
      tradeNo: lateTrade.trade_no,
    });
    expect(detail.nextDeductDate).toBe(await sandboxDeductDate(current, agreement.agreementNo));
    expect(detail.nextDeductDate).toBe("2028-05-15");
    expect(await paidTrades(current, agreement.agreementNo)).toHaveLength(1);
  });

  test("window N ≥ period P, attempt on D: the late original never pays a second period", async () => {
    const current = await start(7);
    const planId = await createPlan(current, weekly);
    await setClock(current, shanghai("2028-05-01", "09:00:00"));
    const agreement = await signActiveAgreement(current, { planId });

    await injectFault(current, { method: "alipay.trade.pay", mode: "late-processing" });
    await setClock(current, shanghai("2028-05-08", "09:00:00"));
    await runScheduler(current);
    await setClock(current, shanghai("2028-05-08", "09:05:00"));
    await runScheduler(current);
    await current.control.releaseLateRequests();
    await setClock(current, shanghai("2028-05-08", "09:10:00"));
    await runScheduler(current);
    await current.sandbox.settleNotifications();

    expect(await paidTrades(current, agreement.agreementNo)).toHaveLength(1);
    const detail = await agreementDetail(current, agreement.agreementId);
    expect(detail.paymentsCount).toBe(1);
    expect(detail.nextDeductDate).toBe(await sandboxDeductDate(current, agreement.agreementNo));
  });
});
