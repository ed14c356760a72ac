import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from "vitest";
import type { FaultMode } from "@paysign/alipay-sandbox";
import { agreementHistories, extraTransitions, reportLine } from "./support/histories.ts";
import { runBounded, waitFor } from "./support/http.ts";
import { seededRandom } from "./support/random.ts";
import { assertLogsClean, dumpApiLog } from "./support/scenario-logs.ts";
import {
  confirmInSandbox,
  createPlan,
  requestAgreement,
  sandboxNotifications,
  sandboxTrades,
  setClock,
  signAgreement,
  startStack,
  type Stack,
} from "./support/stack.ts";

// Alipay's gateway fails in every way that leaves the outcome unknown — a timeout after the call took effect
// (the answer never comes), 20000, 10003 pay-in-process, ACQ.SYSTEM_ERROR after the call took effect — first
// during the agreement.query that confirms a sign-result the client could not prove (7001, 6001, a 7002), then
// during trade.pay and trade.query of three periods of charges run by the API's own pg-boss workers. Nothing may be
// confirmed, failed or charged on a guess: every agreement ends as Alipay has it, every period is paid exactly once.
const CONFIRMING = 20;
const CANCELLED = 6;
const CHARGED = 16;
const PERIODS = 3;
const SEED = 0x6a7e;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    name: "gateway",
    sandbox: { timeScale: 0.0001, timeoutFaultMs: 2_000, payInProcessSettleMs: 500 },
    env: {
      DEDUCTION_LEAD_DAYS: "3",
      DEDUCTION_RECONCILE_SCHEDULE: "1s",
      FOLLOW_UP_SCHEDULE: "1s,1s,1s,1s,1s",
      FOLLOW_UP_INTERVAL_SECONDS: "1",
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

const shanghai = (date: string, time = "10:00:00") => `${date}T${time}+08:00`;
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const injectFault = async (method: string, fault: { mode: FaultMode; count: number; applied?: boolean }) => {
  const { mode, count, applied } = fault;
  const answer = await stack.control.addFault({
    method,
    mode,
    count,
    ...(applied === undefined ? {} : { applied }),
  });
  if (answer.status >= 300) throw new Error(`fault refused: ${answer.text}`);
  return count;
};

describe("gateway faults: timeouts and unknown results", () => {
  test("during sign-result queries and charges: reconciled, never confirmed on a guess, never charged twice", async () => {
    onTestFailed(() => dumpApiLog(stack, 120));
    const random = seededRandom(SEED);
    await setClock(stack, shanghai("2029-07-01"));
    const planId = await createPlan(stack, { name: "Weekly, gateway", firstChargeDelayDays: 7 });

    // 1. Sign-results the client cannot prove, while agreement.query fails. Alipay's notifications are lost in
    // this phase, so the query (at once, then on the follow-up schedule) is the only way to learn the truth.
    stack.notifyProxy.setPolicy(() => ({ drop: true }));
    let injected = 0;
    injected += await injectFault("alipay.user.agreement.query", { mode: "timeout", count: 8 });
    injected += await injectFault("alipay.user.agreement.query", { mode: "system-error", count: 8 });
    injected += await injectFault("alipay.user.agreement.query", { mode: "acq-system-error", count: 8 });
    const reports = ["7001", "6001", "7002"] as const;
    const confirming = await runBounded(Array.from({ length: CONFIRMING + CANCELLED }), 6, async (_, index) => {
      const requested = await requestAgreement(stack, { planId });
      const cancelled = index >= CONFIRMING;
      if (cancelled) {
        const answer = await stack.control.signAtCenter({
          signStr: requested.signStr,
          userId: requested.customer.userId,
          decision: "cancel",
        });
        if (answer.body.resultStatus !== "6001") throw new Error(`cancel: ${answer.text}`);
      } else {
        await confirmInSandbox(stack, requested);
      }
      const resultStatus = reports[index % reports.length] as string;
      const reported = await requested.customer.as(`/api/v1/agreements/${requested.agreementId}/sign-result`, {
        resultStatus,
      });
      return { ...requested, cancelled, resultStatus, answer: reported };
    });
    const badAnswers = confirming.filter((item) => item.answer.status !== 200);
    const byId = new Map(confirming.map((item) => [item.agreementId, item]));
    const finalStatus = (item: (typeof confirming)[number]) =>
      item.cancelled ? (item.resultStatus === "7002" ? "FAILED" : "ABANDONED") : "ACTIVE";
    await waitFor({
      what: "every agreement confirmed or closed by the follow-up",
      probe: async () => {
        const rows = await stack.db.prisma.agreement.findMany({
          where: { id: { in: [...byId.keys()] } },
          select: { id: true, status: true },
        });
        return rows.filter((row) => row.status !== finalStatus(defined(byId.get(row.id), row.id))).length;
      },
      done: (wrong) => wrong === 0,
      timeoutMs: 40_000,
      intervalMs: 250,
    });
    const queryFaultsLeft = (await stack.control.faults()).body;
    const histories = await agreementHistories(stack.db, [...byId.keys()]);
    const wrongHistories: string[] = [];
    let double = 0;
    for (const [id, history] of histories) {
      const expected = ["PENDING", finalStatus(defined(byId.get(id), id))];
      double += extraTransitions(history, expected);
      if (JSON.stringify(history.transitions) !== JSON.stringify(expected))
        wrongHistories.push(`${id}: ${JSON.stringify(history)} ≠ ${JSON.stringify(expected)}`);
    }

    // 2. Three periods of charges with trade.pay and trade.query failing in every unknown-outcome way.
    stack.notifyProxy.setPolicy(() => ({}));
    const charged = await runBounded(Array.from({ length: CHARGED }), 6, () =>
      signAgreement(stack, { planId, report: true }),
    );
    // The agreements confirmed in phase 1 are charged too (same plan, same first date).
    const chargedIds = [
      ...charged.map((agreement) => agreement.agreementId),
      ...confirming.filter((item) => !item.cancelled).map((item) => item.agreementId),
    ];
    const firstDate = addDays("2029-07-01", 7);
    const payModes: Array<{ mode: FaultMode; applied?: boolean }> = [
      { mode: "timeout", applied: true },
      { mode: "timeout", applied: false },
      { mode: "system-error", applied: false },
      { mode: "system-error", applied: true },
      { mode: "pay-in-process" },
      { mode: "acq-system-error", applied: true },
      { mode: "acq-system-error", applied: false },
    ];
    const queryModes: Array<{ mode: FaultMode }> = [
      { mode: "timeout" },
      { mode: "system-error" },
      { mode: "acq-system-error" },
    ];
    const periodSeconds: number[] = [];
    for (let period = 0; period < PERIODS; period++) {
      const dueDate = addDays(firstDate, 7 * period);
      for (const fault of payModes) {
        injected += await injectFault("alipay.trade.pay", { ...fault, count: random.int(1, 3) });
      }
      for (const fault of queryModes)
        injected += await injectFault("alipay.trade.query", { ...fault, count: random.int(1, 3) });
      const started = Date.now();
      await setClock(stack, shanghai(addDays(dueDate, -3)));
      await waitFor({
        what: `period ${period + 1} paid and settled`,
        probe: async () => {
          const paid = await stack.db.prisma.charge.count({
            where: { agreementId: { in: chargedIds }, dueDate: new Date(`${dueDate}T00:00:00Z`), status: "SUCCEEDED" },
          });
          const open = await stack.db.prisma.chargeAttempt.count({
            where: { status: { in: ["PROCESSING", "UNKNOWN"] } },
          });
          return { paid, open };
        },
        done: (state) => state.paid === chargedIds.length && state.open === 0,
        timeoutMs: 45_000,
        intervalMs: 250,
      });
      periodSeconds.push((Date.now() - started) / 1000);
    }
    const faultsLeft = (await stack.control.faults()).body;
    injected -= faultsLeft.reduce((sum, fault) => sum + fault.count, 0);
    await stack.sandbox.settleNotifications();

    const trades = (await sandboxTrades(stack)).filter((trade) => trade.trade_status === "TRADE_SUCCESS");
    const charges = await stack.db.prisma.charge.findMany({
      where: { agreementId: { in: chargedIds } },
      include: { attempts: true },
    });
    const attempts = charges.flatMap((charge) => charge.attempts);
    const perPeriod = new Map<string, number>();
    for (const trade of trades) {
      const attempt = attempts.find((candidate) => candidate.outTradeNo === trade.out_trade_no);
      const charge = charges.find((candidate) => candidate.id === attempt?.chargeId);
      const key = charge ? `${charge.agreementId} ${charge.dueDate.toISOString()}` : `orphan ${trade.out_trade_no}`;
      perPeriod.set(key, (perPeriod.get(key) ?? 0) + 1);
    }
    const doubleCharged = [...perPeriod.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    const orphans = [...perPeriod.keys()].filter((key) => key.startsWith("orphan")).length;
    const periods = chargedIds.length * PERIODS;
    const paidPeriods = charges.filter((charge) => charge.status === "SUCCEEDED").length;
    const attemptStatuses = Object.fromEntries(
      ["SUCCEEDED", "FAILED", "UNKNOWN", "PROCESSING"].map((status) => [
        status,
        attempts.filter((attempt) => attempt.status === status).length,
      ]),
    );
    const notSettled = attempts.filter((a) => a.status === "PROCESSING" || a.status === "UNKNOWN").length;

    reportLine(
      "gateway",
      {
        injected,
        survived: `${CONFIRMING + CANCELLED - wrongHistories.length}/${CONFIRMING + CANCELLED} confirmations, ${paidPeriods}/${periods} periods`,
        lost: periods - paidPeriods + orphans,
        double: double + doubleCharged,
      },
      `${injected} gateway faults (agreement.query, trade.pay, trade.query: timeout, 20000, 10003, ACQ.SYSTEM_ERROR, ` +
        `with and without effect); ${CONFIRMING} sign-results reported 7001/6001/7002 for signed agreements and ` +
        `${CANCELLED} for cancelled ones, ${badAnswers.length} answered other than 200; ${trades.length} paid trades ` +
        `for ${periods} periods; attempts ${JSON.stringify(attemptStatuses)}; periods settled in ` +
        `${periodSeconds.map((s) => s.toFixed(1)).join(", ")} s`,
    );
    expect(badAnswers.map((item) => `${item.answer.status} ${item.answer.text}`)).toEqual([]);
    expect(wrongHistories).toEqual([]);
    expect(queryFaultsLeft).toEqual([]);
    expect(double).toBe(0);
    expect(doubleCharged).toBe(0);
    expect(orphans).toBe(0);
    expect(paidPeriods).toBe(periods);
    expect(trades).toHaveLength(periods);
    expect(notSettled).toBe(0);
    expect(charges.map((charge) => charge.tradeNo).sort()).toEqual(trades.map((trade) => trade.trade_no).sort());
  });

  test("the API's logs of this scenario hold no secret", async () => {
    await sandboxNotifications(stack);
    assertLogsClean(stack);
  });
});
