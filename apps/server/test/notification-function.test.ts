import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { agreementState } from "./support/agreement-state.ts";
import { deliverHeld, injectFault, signIn, type Json } from "./support/customer-client.ts";
import { admin, createPlan, setClock, shanghai } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// A dut_user_sign's write is one element of a call of the PL/pgSQL function paysign_record_agreement_notifications
// (repositories/agreement-notification-sql.ts, statement "notify-record-for-agreements"). duplicate-agreements.test.ts
// already has two agreements of one customer and plan signed concurrently end to end (one ACTIVE, the other ABANDONED
// as DUPLICATE_OF, charged once, unsigned by the sweep); this file adds what it does not check: the outbound events
// and AgreementEvents each write leaves, the activated event's data as the admin API shows the agreement, and an
// agreement that moved between the read and the function's write. Notifications are held (lose-notify) and delivered
// by the test, so it fixes the order of events.

let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({ appGateway: false, env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
  planId = await createPlan(stack, {
    name: "Monthly (notification batch write)",
    periodType: "MONTH",
    period: 1,
    singleAmount: "9.90",
    firstChargeDelayDays: 7,
  });
});
afterAll(async () => {
  await stack.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const RECORD = "notify-record-for-agreements";

/** PENDING agreements of one customer for the plan, each signed in the sandbox; their dut_user_sign is held. */
async function signedAgreements(date: string, count: number) {
  await setClock(stack, shanghai(date, "09:00:00"));
  await injectFault(stack, { method: "dut_user_sign", mode: "lose-notify", count });
  const customer = await signIn(stack);
  const signed: Array<{ agreementId: string; agreementNo: string }> = [];
  for (let index = 0; index < count; index++) {
    const created = await customer.as("/api/v1/agreements", { planId });
    expect(created.status).toBe(201);
    const agreement = created.body.agreement as Json;
    const center = await stack.control.signAtCenter({
      signStr: created.body.signStr as string,
      userId: customer.userId,
      decision: "confirm",
    });
    expect(center.body.resultStatus).toBe("7000");
    const agreementNo = (await stack.control.agreements()).body.find(
      (found) => found.external_agreement_no === agreement.externalAgreementNo,
    )?.agreement_no;
    if (!agreementNo) throw new Error("the sandbox has no agreement for the signing");
    signed.push({ agreementId: agreement.id as string, agreementNo });
  }
  return { customerId: customer.customer.id as string, signed };
}

const outbound = (agreementId: string) =>
  stack.database.db.prisma.webhookEvent.findMany({ where: { agreementId }, orderBy: { sequence: "asc" } });

/** The agreement as GET /admin/v1/agreements lists it. */
async function listed(customerId: string, agreementId: string) {
  const answer = await admin(stack, `/admin/v1/agreements?customerId=${customerId}`);
  expect(answer.status).toBe(200);
  return (answer.body.items as Json[]).find((item) => item.id === agreementId);
}

/**
 * The agreement moved PENDING → ACTIVE by its notification, with its one `agreement.activated` outbound event, whose
 * data is the agreement as the admin API lists it.
 */
async function expectActivatedOnce(customerId: string, agreementId: string) {
  const state = await agreementState(stack, agreementId);
  expect(state.status).toBe("ACTIVE");
  expect(state.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ACTIVE NOTIFICATION"]);
  const events = await outbound(agreementId);
  expect(events.map((event) => [event.type, event.sequence])).toEqual([["agreement.activated", 1]]);
  expect(events[0]?.data).toEqual(await listed(customerId, agreementId));
}

/** Records the answer of each call of the function; `before` runs before each statement is sent. */
function recordCalls(before?: (call: number) => Promise<void>) {
  const pool = stack.database.db.sql;
  const original = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  const answers: Array<{ unchanged: boolean; inserted: boolean }> = [];
  vi.spyOn(pool, "query").mockImplementation((async (config: pg.QueryConfig | string) => {
    if (typeof config === "string" || config.name !== RECORD) return original(config as pg.QueryConfig);
    await before?.(answers.length + 1);
    const result = await original(config);
    const rows = result.rows as Array<{ unchanged: boolean; inserted: boolean }>;
    answers.push(...rows.map(({ unchanged, inserted }) => ({ unchanged, inserted })));
    return result;
  }) as never);
  return answers;
}

describe("dut_user_sign written by the notification batch write", () => {
  test("activating a PENDING agreement, no other live one: ACTIVE, one event, agreement.activated as the admin API shows it", async () => {
    const { customerId, signed } = await signedAgreements("2029-03-02", 1);
    const [only] = signed as [{ agreementId: string; agreementNo: string }];
    const answers = recordCalls();
    expect(await deliverHeld(stack, "dut_user_sign", only.agreementNo)).toBe("success");

    expect(answers).toEqual([{ unchanged: true, inserted: true }]);
    await expectActivatedOnce(customerId, only.agreementId);
  });

  test("two agreements of one customer and plan signed concurrently: each write leaves its own events", async () => {
    const { customerId, signed } = await signedAgreements("2029-04-02", 2);
    const answers = recordCalls();
    const replies = await Promise.all(signed.map((one) => deliverHeld(stack, "dut_user_sign", one.agreementNo)));
    expect(replies).toEqual(["success", "success"]);

    // Each notification is written by one call that found its agreement as read, or by a later one re-decided.
    expect(answers.filter((answer) => answer.unchanged)).toEqual([
      { unchanged: true, inserted: true },
      { unchanged: true, inserted: true },
    ]);
    const states = await Promise.all(signed.map((one) => agreementState(stack, one.agreementId)));
    expect(states.map((state) => state.status).sort()).toEqual(["ABANDONED", "ACTIVE"]);
    const liveIndex = states.findIndex((state) => state.status === "ACTIVE");
    const live = signed[liveIndex] as { agreementId: string };
    const duplicate = signed[1 - liveIndex] as { agreementId: string };

    await expectActivatedOnce(customerId, live.agreementId);
    expect(states[1 - liveIndex]?.events).toEqual(["∅→PENDING CUSTOMER", "PENDING→ABANDONED NOTIFICATION"]);
    const duplicateEvents = await outbound(duplicate.agreementId);
    expect(duplicateEvents.map((event) => [event.type, event.sequence])).toEqual([["agreement.abandoned", 1]]);
    expect(duplicateEvents[0]?.data).toEqual(await listed(customerId, duplicate.agreementId));
    const inbox = await stack.database.db.prisma.notificationInbox.findMany({
      where: { agreementNo: { in: signed.map((one) => one.agreementNo) } },
    });
    expect(inbox.map((row) => row.outcome)).toEqual(["APPLIED", "APPLIED"]);
  });

  test("the agreement changed between the read and the write: the notification is decided again and applied once", async () => {
    const { customerId, signed } = await signedAgreements("2029-05-02", 1);
    const [only] = signed as [{ agreementId: string; agreementNo: string }];
    const { prisma } = stack.database.db;
    // Before the first call only: a follow-up round reschedules the agreement (a real write; updatedAt moves).
    const answers = recordCalls(async (call) => {
      if (call !== 1) return;
      await prisma.agreement.update({
        where: { id: only.agreementId },
        data: { nextFollowUpAt: new Date(stack.sandbox.now().getTime() + 60_000) },
      });
    });
    expect(await deliverHeld(stack, "dut_user_sign", only.agreementNo)).toBe("success");

    expect(answers).toEqual([
      { unchanged: false, inserted: false },
      { unchanged: true, inserted: true },
    ]);
    await expectActivatedOnce(customerId, only.agreementId);
    const inbox = await prisma.notificationInbox.findMany({ where: { agreementNo: only.agreementNo } });
    expect(inbox.map((row) => row.outcome)).toEqual(["APPLIED"]);
  });
});
