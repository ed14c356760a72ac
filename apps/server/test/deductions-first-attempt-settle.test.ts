import { defined, signal } from "@paysign/test-kit";
import type pg from "pg";
import { afterEach, describe, expect, test, vi } from "vitest";
import { runCharge } from "../src/deductions/charge-engine.ts";
import { paysInFlight } from "../src/deductions/pays-in-flight.ts";
import { injectFault, type Json } from "./support/customer-client.ts";
import { admin, createPlan, setClock, shanghai, signActiveAgreement } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// A period's first attempt paid by its trade.pay answer is settled in one raw statement
// (repositories/charge-settle-sql.ts, named "charge-settle-first-attempt-paid") when the agreement is still as the
// one-statement claim read it; otherwise nothing is written and the locked Prisma path (deductions/settle.ts) decides.
//
// Which path ran is observed, not mocked: the raw statements go through the shared pool's `query` (Prisma's adapter
// checks out its own clients), so a pass-through spy on `db.sql.query` sees each named statement and its real answer
// from the real database. The fallback tests use the same spy to order real events: the lost trade_status_sync is
// delivered (and applied by the server) just before the settle statement runs, exactly the race the fallback is for.
// Every test has a stack of its own; trade_status_sync is lost unless a test delivers it, so the notification never
// races the pay answer.

let stack: Stack | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await stack?.close();
  stack = undefined;
});

const SETTLE = "charge-settle-first-attempt-paid";
const TRADE_NOTIFY = "trade-notify-record-settled";

const plans = {
  month: { name: "Monthly", periodType: "MONTH", period: 1, singleAmount: "19.90", firstChargeDelayDays: 7 },
  day: { name: "Weekly", periodType: "DAY", period: 7, singleAmount: "3.00", firstChargeDelayDays: 7 },
  once: {
    name: "Two payments",
    periodType: "MONTH",
    period: 1,
    singleAmount: "5.00",
    totalPayments: 1,
    firstChargeDelayDays: 7,
  },
} satisfies Record<string, Json>;

type Statement = { name: string | undefined; values: unknown[]; settled?: boolean; answer?: unknown };
type Hooks = {
  /** Runs just before the settle statement is sent, with it. */
  before?: (config: pg.QueryConfig) => Promise<void>;
  /** Runs just after the settle statement answered. */
  after?: () => Promise<void>;
  /** Runs after each answer of the trade notification's statement. */
  onTradeNotify?: () => void;
};

/**
 * Records every named raw statement sent on the pool, with the `settled` answer of the settle statement and the
 * answer row of the trade notification's statement.
 */
function recordStatements(current: Stack, hooks: Hooks = {}): Statement[] {
  const pool = current.database.db.sql;
  const original = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  const statements: Statement[] = [];
  vi.spyOn(pool, "query").mockImplementation((async (config: pg.QueryConfig | string) => {
    if (typeof config === "string") return original({ text: config });
    const statement: Statement = { name: config.name, values: config.values ?? [] };
    statements.push(statement);
    if (config.name === TRADE_NOTIFY) {
      const result = await original(config);
      statement.answer = result.rows[0];
      hooks.onTradeNotify?.();
      return result;
    }
    if (config.name !== SETTLE) return original(config);
    await hooks.before?.(config);
    const result = await original(config);
    statement.settled = (result.rows[0] as { settled: boolean }).settled;
    await hooks.after?.();
    return result;
  }) as never);
  return statements;
}

const settleAnswers = (statements: Statement[]) =>
  statements.filter((statement) => statement.name === SETTLE).map((statement) => statement.settled);

async function start(): Promise<Stack> {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
  return stack;
}

/** An ACTIVE agreement of `plan` signed 2028-05-01, its first charge due 2028-05-08; trade_status_sync lost. */
async function dueAgreement(current: Stack, plan: Json) {
  const planId = await createPlan(current, plan);
  await setClock(current, shanghai("2028-05-01", "09:00:00"));
  const agreement = await signActiveAgreement(current, { planId, notificationFirst: true });
  await injectFault(current, { method: "trade_status_sync", mode: "lose-notify" });
  await setClock(current, shanghai("2028-05-08", "09:00:00"));
  const { agreement: before, agreementEvents: eventsBefore } = await stateOf(current, agreement.agreementId);
  return { ...agreement, before, eventsBefore };
}

/** Everything the settle writes, straight from the database. */
async function stateOf(current: Stack, agreementId: string) {
  const { prisma } = current.database.db;
  return {
    agreement: await prisma.agreement.findUniqueOrThrow({ where: { id: agreementId } }),
    charges: await prisma.charge.findMany({ where: { agreementId }, include: { attempts: true } }),
    agreementEvents: await prisma.agreementEvent.findMany({ where: { agreementId }, orderBy: { createdAt: "asc" } }),
    webhookEvents: await prisma.webhookEvent.findMany({ where: { agreementId }, orderBy: { sequence: "asc" } }),
  };
}

/** The one charge of the period paid once, as both paths leave it; answers the charge row. */
async function expectPaidOnce(current: Stack, agreement: Awaited<ReturnType<typeof dueAgreement>>, next: string) {
  const state = await stateOf(current, agreement.agreementId);
  expect(state.charges).toHaveLength(1);
  const { attempts, ...charge } = defined(state.charges[0], "the charge");
  const trade = defined(
    (await current.control.trades()).body.find((found) => found.agreement_no === agreement.agreementNo),
    "the sandbox's trade",
  );
  expect(trade.trade_status).toBe("TRADE_SUCCESS");
  expect(charge).toMatchObject({
    status: "SUCCEEDED",
    tradeNo: trade.trade_no,
    failureCode: null,
    nextAttemptAt: null,
  });
  expect(charge.paidAt).toBeInstanceOf(Date);
  expect(attempts).toHaveLength(1);
  expect(attempts[0]).toMatchObject({ status: "SUCCEEDED", tradeNo: trade.trade_no, subCode: null, subMsg: null });
  expect(attempts[0]?.settledAt).toEqual(charge.paidAt);
  expect(state.agreement).toMatchObject({ status: "ACTIVE", paymentsCount: 1 });
  expect(state.agreement.paidTotal.toFixed(2)).toBe(charge.amount.toFixed(2));
  expect(state.agreement.nextDeductDate?.toISOString().slice(0, 10)).toBe(next);
  expect(state.agreement.eventSequence).toBe(agreement.before.eventSequence + 1);
  const succeeded = state.webhookEvents.filter((event) => event.type === "charge.succeeded");
  expect(succeeded).toHaveLength(1);
  expect(succeeded[0]?.sequence).toBe(state.agreement.eventSequence);
  const listed = await admin(current, `/admin/v1/charges?agreementId=${agreement.agreementId}`);
  expect(listed.status).toBe(200);
  expect(succeeded[0]?.data).toEqual((listed.body.items as Json[])[0]);
  return { charge, state };
}

/** The notify_id of the trade_status_sync the sandbox lost (dueAgreement's fault), for a test to deliver. */
async function lostTradeStatusSync(current: Stack): Promise<string> {
  const log = (await current.control.notifications()).body;
  const sync = defined(
    log.find((entry) => entry.notifyType === "trade_status_sync" && !entry.delivered),
    "the lost trade_status_sync",
  );
  return sync.notifyId;
}

/**
 * A settle hook (Hooks.before) that redelivers the lost trade_status_sync just before the settle statement and holds
 * the statement until `until` (or the delivery's answer); `answered` is that redelivery.
 */
function deliverBeforeSettle(current: Stack, until: Promise<void>) {
  const delivery: {
    before: () => Promise<void>;
    answered?: ReturnType<typeof current.control.redeliverNotification>;
  } = {
    before: async () => {
      delivery.answered = current.control.redeliverNotification(await lostTradeStatusSync(current));
      await Promise.race([until, delivery.answered]);
    },
  };
  return delivery;
}

/** The redelivered notification answered `success`, the settle statement settled, and it left one inbox row. */
async function expectRecordedAfterSettle(
  current: Stack,
  input: {
    agreement: Awaited<ReturnType<typeof dueAgreement>>;
    returned: unknown;
    statements: Statement[];
    sent: Awaited<ReturnType<Stack["control"]["redeliverNotification"]>>;
  },
) {
  expect(input.sent.body.attempts.at(-1)?.body).toBe("success");
  expect(settleAnswers(input.statements)).toEqual([true]);
  const { charge } = await expectPaidOnce(current, input.agreement, "2028-06-08");
  expect(input.returned).toEqual(charge);
  const inbox = await current.database.db.prisma.notificationInbox.findMany({
    where: { notifyType: "trade_status_sync" },
  });
  expect(inbox).toMatchObject([{ outcome: "NO_CHANGE", detail: "the attempt was already settled as paid" }]);
}

const chargeOf = (agreementId: string) => ({ agreementId, dueDate: "2028-05-08" as const });

describe("a period's first attempt paid by its pay answer", () => {
  test.each([
    ["MONTH", plans.month, "2028-06-08"],
    ["DAY", plans.day, "2028-05-15"],
  ] as const)("%s plan: settled in the one statement, leaving what the locked path leaves", async (_, plan, next) => {
    const current = await start();
    const agreement = await dueAgreement(current, plan);
    const statements = recordStatements(current);
    const returned = await runCharge(current.deps, chargeOf(agreement.agreementId));

    expect(settleAnswers(statements)).toEqual([true]);
    const { charge, state } = await expectPaidOnce(current, agreement, next);
    expect(returned).toEqual(charge);
    expect(state.agreementEvents).toEqual(agreement.eventsBefore);
  });

  test("stale expected counts: the statement answers false and writes nothing; the real one then settles", async () => {
    const current = await start();
    const agreement = await dueAgreement(current, plans.month);
    const pool = current.database.db.sql;
    let probe: { settled: boolean | undefined; before: unknown; after: unknown } | undefined;
    const statements = recordStatements(current, {
      before: async (config) => {
        // $4 is the paymentsCount the claim read: the probe sends one the agreement does not have.
        const stale = (config.values ?? []).map((value: unknown, index) => (index === 3 ? Number(value) + 1 : value));
        const before = await stateOf(current, agreement.agreementId);
        const answer = await pool.query<{ settled: boolean }>({ text: config.text, values: stale });
        probe = { settled: answer.rows[0]?.settled, before, after: await stateOf(current, agreement.agreementId) };
      },
    });
    const returned = await runCharge(current.deps, chargeOf(agreement.agreementId));

    const { settled, before, after } = defined(probe, "the stale probe");
    expect(settled).toBe(false);
    expect(after).toEqual(before);
    expect(settleAnswers(statements)).toEqual([true]);
    const { charge } = await expectPaidOnce(current, agreement, "2028-06-08");
    expect(returned).toEqual(charge);
  });

  test("trade_status_sync arriving while the pay is settled here waits for it, then is recorded in one statement", async () => {
    const current = await start();
    const agreement = await dueAgreement(current, plans.month);
    const pays = paysInFlight(current.deps.db);
    const waitForSettle = pays.waitForSettle.bind(pays);
    const waiting = signal();
    vi.spyOn(pays, "waitForSettle").mockImplementation((outTradeNo) => {
      waiting.resolve();
      return waitForSettle(outTradeNo);
    });
    // The notification reaches the server and waits before the settle statement is sent: the order of the race the
    // wait is for, made certain.
    const delivery = deliverBeforeSettle(current, waiting.promise);
    const statements = recordStatements(current, { before: delivery.before });
    const returned = await runCharge(current.deps, chargeOf(agreement.agreementId));
    const sent = await defined(delivery.answered, "the redelivery");

    // The notification's one statement found the attempt settled and wrote its inbox row: no locked transaction.
    const recorded = statements.filter((statement) => statement.name === TRADE_NOTIFY);
    expect(recorded.map((statement) => statement.answer)).toEqual([
      { settled: true, inserted: true, processingSince: null },
    ]);
    await expectRecordedAfterSettle(current, { agreement, returned, statements, sent });
  });

  // As when the pay was sent by another process (a worker): this process has no settle to wait for in memory.
  test("trade_status_sync of another process's pay reads the attempt again until it is settled, then one statement", async () => {
    const current = await start();
    const agreement = await dueAgreement(current, plans.month);
    vi.spyOn(paysInFlight(current.deps.db), "waitForSettle").mockResolvedValue(true);
    const firstRead = signal();
    // The notification's first read finds the attempt PROCESSING before the settle statement is sent.
    const delivery = deliverBeforeSettle(current, firstRead.promise);
    const statements = recordStatements(current, { before: delivery.before, onTradeNotify: firstRead.resolve });
    const returned = await runCharge(current.deps, chargeOf(agreement.agreementId));
    const sent = await defined(delivery.answered, "the redelivery");

    // Read until settled: at least once before the settle statement, then the one that recorded the inbox row.
    const answers = statements.filter((s) => s.name === TRADE_NOTIFY).map((statement) => statement.answer);
    expect(answers.length).toBeGreaterThanOrEqual(2);
    for (const answer of answers.slice(0, -1)) {
      expect(answer).toMatchObject({ settled: false, inserted: false });
      expect((answer as { processingSince: unknown }).processingSince).toBeInstanceOf(Date);
    }
    expect(answers.at(-1)).toEqual({ settled: true, inserted: true, processingSince: null });
    await expectRecordedAfterSettle(current, { agreement, returned, statements, sent });
  });

  // As when another process's pay is not settled within PAY_SETTLE_WAIT_MS: the notification stops reading and is
  // applied under the locks.
  test("trade_status_sync applied between claim and settle: the statement writes nothing, the charge is paid once", async () => {
    const current = await start();
    const agreement = await dueAgreement(current, plans.month);
    vi.spyOn(paysInFlight(current.deps.db), "waitForSettle").mockResolvedValue(true);
    let around: { before: unknown; after: unknown } | undefined;
    const statements = recordStatements(current, {
      before: async () => {
        const sent = await current.control.redeliverNotification(await lostTradeStatusSync(current));
        expect(sent.body.attempts.at(-1)?.body).toBe("success");
        around = { before: await stateOf(current, agreement.agreementId), after: undefined };
      },
      after: async () => {
        around = { before: around?.before, after: await stateOf(current, agreement.agreementId) };
      },
    });
    const returned = await runCharge(current.deps, chargeOf(agreement.agreementId));

    expect(settleAnswers(statements)).toEqual([false]);
    const { before, after } = defined(around, "the delivered notification");
    expect((before as Awaited<ReturnType<typeof stateOf>>).agreement.paymentsCount).toBe(1);
    expect(after).toEqual(before);
    const { charge } = await expectPaidOnce(current, agreement, "2028-06-08");
    expect(returned).toEqual(charge);
  });

  test("a payment that completes the agreement takes the locked path: COMPLETED with its events", async () => {
    const current = await start();
    const agreement = await dueAgreement(current, plans.once);
    const statements = recordStatements(current);
    const returned = await runCharge(current.deps, chargeOf(agreement.agreementId));

    expect(statements.map((statement) => statement.name)).not.toContain(SETTLE);
    const state = await stateOf(current, agreement.agreementId);
    expect(state.agreement).toMatchObject({ status: "COMPLETED", paymentsCount: 1 });
    expect(state.agreement.paidTotal.toFixed(2)).toBe("5.00");
    expect(state.charges).toHaveLength(1);
    const { attempts, ...charge } = defined(state.charges[0], "the charge");
    expect(charge.status).toBe("SUCCEEDED");
    expect(attempts.map((attempt) => attempt.status)).toEqual(["SUCCEEDED"]);
    expect(returned).toEqual(charge);
    expect(state.agreementEvents.slice(agreement.eventsBefore.length)).toMatchObject([
      { fromStatus: "ACTIVE", toStatus: "COMPLETED", source: "SCHEDULER" },
    ]);
    const sequence = agreement.before.eventSequence;
    const added = state.webhookEvents.filter((event) => (event.sequence ?? 0) > sequence);
    expect(added.map((event) => event.type).sort()).toEqual(["agreement.completed", "charge.succeeded"]);
    expect(added.map((event) => event.sequence)).toEqual([sequence + 1, sequence + 2]);
    expect(state.agreement.eventSequence).toBe(sequence + 2);
  });
});
