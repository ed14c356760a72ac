import { defined } from "@paysign/test-kit";
import { addDays, calendarDateFromUtcMidnight, compareCalendarDates } from "@paysign/contracts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCharge } from "../src/deductions/charge-engine.ts";
import { createDatabase, type Database } from "../src/db/prisma.ts";
import type { ServiceDeps } from "../src/services/deps.ts";
import type { FaultMode } from "@paysign/alipay-sandbox";
import { createPlan, sandboxTrades, setClock, shanghai, signActiveAgreement } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Property: whatever the gateway does — timeouts (the trade applied or not), 20000, 10003 (in process, settled a
// moment later), ACQ.SYSTEM_ERROR, faults on trade.query too, trade_status_sync notifications dropped, duplicated or
// reordered — every period ends with exactly one successful trade in the sandbox, and the server's charges match the
// sandbox's trades exactly (out_trade_no, trade_no, amount).
//
// How it stays well under a minute on two noisy cores: the sandbox and the API run in this process (startStack, on
// loopback), and the charge job is called directly (`runCharge`, what a pg-boss worker runs) instead of through the
// queue; every gateway call still goes through the real alipay-sdk over HTTP, and notifications through the API.
// Timeout faults hold the socket 5 ms (not 60 s) and in-process payments settle after 5 ms. 1,000 schedules: 40
// agreements on a DAY-7 plan × 25 periods, each with a random list of up to three faults (seeded: see the log); eight
// agreements are charged at once with their eight schedules' faults injected together, so the faults land on
// whichever of their calls comes first (concurrency is part of what is tested).

const AGREEMENTS = 40;
const PERIODS = 25;
/** Agreements charged concurrently; their schedules' faults are injected together and hit whichever call comes first. */
const BATCH = 8;
const SEED = Number(process.env.DEDUCTION_PROPERTY_SEED ?? 20281001);

type Fault = { method: string; mode: FaultMode; count: number; applied?: boolean };

const faultArbitrary: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    method: fc.constant("alipay.trade.pay"),
    mode: fc.constantFrom("timeout", "system-error", "acq-system-error"),
    count: fc.integer({ min: 1, max: 2 }),
    applied: fc.boolean(),
  }),
  fc.record({
    method: fc.constant("alipay.trade.pay"),
    mode: fc.constant("pay-in-process"),
    count: fc.constant(1),
  }),
  fc.record({
    method: fc.constant("alipay.trade.query"),
    mode: fc.constantFrom("timeout", "system-error", "acq-system-error"),
    count: fc.integer({ min: 1, max: 2 }),
  }),
  fc.record({
    method: fc.constant("trade_status_sync"),
    mode: fc.constantFrom("drop-notify", "duplicate-notify", "reorder-notify"),
    count: fc.constant(1),
  }),
);

let stack: Stack;
/** The stack's services with a pool of their own, as a worker process would have. */
let worker: ServiceDeps;
let workerDb: Database;
beforeAll(async () => {
  stack = await startStack({
    sandbox: { timeoutFaultMs: 5, payInProcessSettleMs: 5 },
    env: { DEDUCTION_LEAD_DAYS: "3", DEDUCTION_RECONCILE_SCHEDULE: "1s" },
  });
  // A throwaway database: commits need not wait for the disk (sessions opened from here on).
  const name = new URL(stack.database.url).pathname.slice(1);
  await stack.database.db.prisma.$executeRawUnsafe(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  workerDb = createDatabase({ url: stack.database.url, poolSize: 2 * BATCH, logger: console });
  worker = { ...stack.deps, db: workerDb };
});
afterAll(async () => {
  await workerDb.close();
  await stack.close();
});

describe("charging through gateway faults", () => {
  test("1,000 randomized fault schedules: at most one successful trade per period, charges match trades exactly", async () => {
    const schedules = fc.sample(fc.array(faultArbitrary, { maxLength: 3 }), {
      numRuns: AGREEMENTS * PERIODS,
      seed: SEED,
    });
    const planId = await createPlan(stack, {
      name: "Weekly for the property test",
      periodType: "DAY",
      period: 7,
      singleAmount: "3.00",
    });
    await setClock(stack, shanghai("2028-10-01", "09:00:00"));
    const agreements = [];
    for (let i = 0; i < AGREEMENTS; i++) agreements.push(await signActiveAgreement(stack, { planId }));

    const counts = new Map<string, number>();
    let runs = 0;
    for (let period = 0; period < PERIODS; period++) {
      const dueDate = addDays("2028-10-01", 7 * period);
      const today = compareCalendarDates(addDays(dueDate, -3), "2028-10-01") < 0 ? "2028-10-01" : addDays(dueDate, -3);
      await setClock(stack, shanghai(today));
      for (let first = 0; first < AGREEMENTS; first += BATCH) {
        const batch = agreements.slice(first, first + BATCH);
        const faults = batch.flatMap((_, i) => schedules[period * AGREEMENTS + first + i] ?? []);
        for (const fault of faults) {
          counts.set(`${fault.method} ${fault.mode}`, (counts.get(`${fault.method} ${fault.mode}`) ?? 0) + 1);
          await stack.control.addFault(fault);
        }
        const statuses = await Promise.all(batch.map((a) => chargeUntilSettled(a.agreementId, dueDate)));
        expect(statuses, `${dueDate} with ${JSON.stringify(faults)}`).toEqual(batch.map(() => "SUCCEEDED"));
        await stack.control.clearFaults();
        runs += batch.length;
      }
    }
    await stack.sandbox.settleNotifications();

    const trades = (await sandboxTrades(stack)).filter((trade) => trade.trade_status === "TRADE_SUCCESS");
    const charges = await stack.database.db.prisma.charge.findMany({ include: { attempts: true } });
    const byAgreementNo = new Map(agreements.map((a) => [a.agreementNo, a.agreementId]));
    const periodsCharged = new Map<string, number>();
    for (const trade of trades) {
      const attempt = charges
        .flatMap((c) => c.attempts.map((a) => ({ charge: c, attempt: a })))
        .find((x) => x.attempt.outTradeNo === trade.out_trade_no);
      expect(attempt, `sandbox trade ${trade.out_trade_no} unknown to the server`).toBeDefined();
      const key = `${byAgreementNo.get(trade.agreement_no)} ${calendarDateFromUtcMidnight(defined(attempt, "attempt").charge.dueDate)}`;
      periodsCharged.set(key, (periodsCharged.get(key) ?? 0) + 1);
    }
    expect([...periodsCharged.values()].every((n) => n === 1)).toBe(true);
    expect(periodsCharged.size).toBe(AGREEMENTS * PERIODS);

    const serverPaid = charges
      .filter((c) => c.status === "SUCCEEDED")
      .map((c) => {
        const paid = c.attempts.filter((a) => a.status === "SUCCEEDED");
        expect(paid).toHaveLength(1);
        return `${defined(paid[0], "paid[0]").outTradeNo} ${c.tradeNo} ${c.amount.toFixed(2)}`;
      })
      .sort();
    const sandboxPaid = trades.map((t) => `${t.out_trade_no} ${t.trade_no} ${t.total_amount}`).sort();
    expect(serverPaid).toEqual(sandboxPaid);
    const attempts = charges.reduce((sum, c) => sum + c.attempts.length, 0);
    const inbox = await stack.database.db.prisma.notificationInbox.groupBy({
      by: ["outcome"],
      where: { notifyType: "trade_status_sync" },
      _count: true,
    });
    console.log(
      `seed ${SEED}: ${runs} schedules (${AGREEMENTS} agreements × ${PERIODS} periods), faults ` +
        `${JSON.stringify(Object.fromEntries([...counts].sort()))}; ${attempts} attempts, ${serverPaid.length} charges ` +
        `= ${sandboxPaid.length} sandbox trades, max trades per period ${Math.max(...periodsCharged.values())}; ` +
        `trade notifications ${JSON.stringify(Object.fromEntries(inbox.map((row) => [row.outcome, row._count])))}`,
    );
  }, 300_000);
});

/** Runs the charge job for one period until it is settled, as the reconcile schedule would, without waiting for it. */
async function chargeUntilSettled(agreementId: string, dueDate: string): Promise<string> {
  let status = "NONE";
  for (let round = 0; round < 40; round++) {
    const charge = await runCharge(worker, { agreementId, dueDate });
    status = charge?.status ?? "NONE";
    if (status === "SUCCEEDED" || status === "FAILED" || status === "PAST_DUE") return status;
    if (status === "UNKNOWN") await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return status;
}
