import { afterEach, describe, expect, test } from "vitest";
import { worstCaseCallMs } from "../src/alipay/call-duration.ts";
import { injectFault } from "./support/customer-client.ts";
import {
  agreementDetail,
  createPlan,
  runScheduler,
  setClock,
  shanghai,
  signActiveAgreement,
  waitFor,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Attempts whose outcome is open (docs/alipay-protocol.md §15): how long a trade.pay call can still be in flight, and
// an attempt left unknown after its charge was settled some other way. Plan: every 7 days, D = 2028-05-08.

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const weekly = { name: "Weekly", periodType: "DAY", period: 7, singleAmount: "3.00", firstChargeDelayDays: 7 };

async function signedAgreement(current: Stack) {
  const planId = await createPlan(current, weekly);
  await setClock(current, shanghai("2028-05-01", "09:00:00"));
  return signActiveAgreement(current, { planId });
}

describe("an attempt whose outcome is open", () => {
  test("with a large ALIPAY_TIMEOUT_MS, the in-flight bound covers urllib's resend and its headers and body timeouts", async () => {
    const timeoutMs = 120_000;
    // The sandbox drops the first connection without an answer after 200 ms: urllib sends the request again.
    const current = (stack = await startStack({
      alipayTimeoutMs: timeoutMs,
      sandbox: { timeoutFaultMs: 200 },
      env: { DEDUCTION_LEAD_DAYS: "3" },
    }));
    const agreement = await signedAgreement(current);
    await injectFault(current, { method: "alipay.trade.pay", mode: "timeout", applied: false });
    await setClock(current, shanghai("2028-05-08", "09:00:00"));

    const before = Date.now();
    await runScheduler(current);

    const detail = await agreementDetail(current, agreement.agreementId);
    const attempts = await current.database.db.prisma.chargeAttempt.findMany({});
    // One call, two HTTP exchanges: the resent request paid, the attempt never saw the lost one.
    expect(detail.charges.map((charge) => charge.status)).toEqual(["SUCCEEDED"]);
    expect(attempts).toHaveLength(1);
    const bound = (attempts[0]?.inFlightUntil?.getTime() ?? 0) - before;
    // 2 × (undici's 10 s connect + headers timeout + body timeout) = 500 s, not timeout + 30 s = 150 s.
    expect(worstCaseCallMs(timeoutMs)).toBe(500_000);
    expect(bound).toBeGreaterThanOrEqual(500_000);
  });

  test("an UNKNOWN attempt is still asked of Alipay after a notification settled its charge", async () => {
    const current = (stack = await startStack({
      alipayTimeoutMs: 1_000,
      env: { DEDUCTION_LEAD_DAYS: "3", DEDUCTION_RECONCILE_SCHEDULE: "1m" },
    }));
    const agreement = await signedAgreement(current);
    await setClock(current, shanghai("2028-05-08", "09:00:00"));
    // The first trade.pay reaches Alipay late: trade.query finds nothing, so the period is tried again.
    await injectFault(current, { method: "alipay.trade.pay", mode: "late-processing" });
    await runScheduler(current);
    // The second try's answer and its immediate query are both lost: it is UNKNOWN.
    await injectFault(current, { method: "alipay.trade.pay", mode: "timeout", applied: false });
    await injectFault(current, { method: "alipay.trade.query", mode: "timeout" });
    await setClock(current, shanghai("2028-05-08", "09:01:00"));
    await runScheduler(current);
    // The late request is processed and its trade_status_sync arrives: the charge is paid.
    await current.control.releaseLateRequests();
    await waitFor(
      async () => (await current.control.notifications()).body,
      (all) => all.some((n) => n.notifyType === "trade_status_sync" && n.delivered),
    );

    for (const time of ["09:10:00", "09:20:00"]) {
      await setClock(current, shanghai("2028-05-08", time));
      await runScheduler(current);
    }

    const detail = await agreementDetail(current, agreement.agreementId);
    const attempts = await current.database.db.prisma.chargeAttempt.findMany({ orderBy: { requestedAt: "asc" } });
    expect(detail.charges.map((charge) => charge.status)).toEqual(["SUCCEEDED"]);
    expect(attempts.map((attempt) => attempt.status)).not.toContain("UNKNOWN");
    expect(attempts.map((attempt) => attempt.status)).not.toContain("PROCESSING");
    expect(attempts.filter((attempt) => attempt.status === "SUCCEEDED")).toHaveLength(1);
  });

  test("ACQ.CYCLE_PAY_DATE_NOT_MATCH inside the window with Alipay's D moved on: our D follows, the period is PAST_DUE", async () => {
    const current = (stack = await startStack({ alipayTimeoutMs: 1_000, env: { DEDUCTION_LEAD_DAYS: "3" } }));
    const agreement = await signedAgreement(current);
    // D moves at Alipay behind the server's back (an operator's change whose answer was lost, another system…).
    const moved = await current.alipay.call("alipay.user.agreement.executionplan.modify", {
      agreement_no: agreement.agreementNo,
      deduct_time: "2028-05-20",
    });
    expect(moved.kind).toBe("success");
    await setClock(current, shanghai("2028-05-08", "09:00:00"));
    await runScheduler(current);

    const detail = await agreementDetail(current, agreement.agreementId);
    expect(detail.nextDeductDate).toBe("2028-05-20");
    expect(detail.charges.map((charge) => [charge.dueDate, charge.status, charge.failureCode])).toEqual([
      ["2028-05-08", "PAST_DUE", "ALIPAY_DATE_MOVED"],
    ]);
  });

  for (const mode of ["system-error", "timeout"] as const) {
    test(`ACQ.CYCLE_PAY_DATE_NOT_MATCH whose trade.query gets ${mode}: nothing is aligned or stamped until Alipay answers`, async () => {
      const current = (stack = await startStack({ alipayTimeoutMs: 1_000, env: { DEDUCTION_LEAD_DAYS: "3" } }));
      const agreement = await signedAgreement(current);
      const moved = await current.alipay.call("alipay.user.agreement.executionplan.modify", {
        agreement_no: agreement.agreementNo,
        deduct_time: "2028-05-20",
      });
      expect(moved.kind).toBe("success");
      await setClock(current, shanghai("2028-05-08", "09:00:00"));
      // The §15.3 check asks trade.query about the refused out_trade_no and gets no answer: a trade it could not see
      // may have paid the period, so D must not move and the charge must not be listed PAST_DUE.
      await injectFault(current, { method: "alipay.trade.query", mode });
      await runScheduler(current);

      const detail = await agreementDetail(current, agreement.agreementId);
      expect(detail.nextDeductDate).toBe("2028-05-08");
      expect(detail.charges).toHaveLength(1);
      const charge = detail.charges[0];
      expect(charge?.failureCode).not.toBe("ALIPAY_DATE_MOVED");
      expect(charge?.status).not.toBe("PAST_DUE");
      expect(charge?.attempts.map((attempt) => [attempt.status, attempt.subCode, attempt.settledAt])).toEqual([
        ["FAILED", "ACQ.CYCLE_PAY_DATE_NOT_MATCH", expect.any(String)],
      ]);
    });
  }
});
