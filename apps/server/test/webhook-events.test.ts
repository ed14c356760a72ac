import { randomUUID } from "node:crypto";
import { WEBHOOK_EVENT_TYPES, webhookEventSchema, type WebhookEvent } from "@paysign/contracts";
import { defined, signal } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setChargeState } from "../src/repositories/charge-writes.ts";
import { appendWebhookEvent, findFinalEvents } from "../src/repositories/webhook-events.ts";
import { http, type Json } from "./support/customer-client.ts";
import {
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  setClock,
  shanghai,
  signActiveAgreement,
  waitFor,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// The outbox and the events API: each writer's event in its own transaction, and a cursor that never skips an event
// committing late (two transactions on two connections, their order controlled by the test).
let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({ alipayTimeoutMs: 1_000, sandbox: { timeScale: 1 } });
  planId = await createPlan(stack, monthlyAfterAWeek);
});
afterAll(async () => {
  await stack.close();
});

type Page = { items: WebhookEvent[]; nextCursor: string; hasMore: boolean };

async function eventsPage(query: string): Promise<{ status: number; body: Page & Json }> {
  return await http<Page & Json>(`${stack.api}/admin/v1/events${query}`, {
    headers: { "x-admin-key": stack.config.adminApiKey },
  });
}

/** Every final event after `after`, page by page (`limit` each), and the cursor to resume from. */
async function readOn(after: string | undefined, options: { types?: string[]; limit?: number } = {}) {
  const items: WebhookEvent[] = [];
  let cursor = after;
  for (;;) {
    const params = new URLSearchParams();
    if (cursor) params.set("after", cursor);
    for (const type of options.types ?? []) params.append("type", type);
    if (options.limit) params.set("limit", String(options.limit));
    const page = await eventsPage(`?${params.toString()}`);
    expect(page.status).toBe(200);
    for (const item of page.body.items) items.push(webhookEventSchema.parse(item));
    cursor = page.body.nextCursor;
    if (!page.body.hasMore) return { items, cursor };
  }
}

/** Waits until every transaction that was running when `txid` was taken has ended (the horizon passed it). */
async function horizonPassed(): Promise<void> {
  const [{ txid }] = await stack.database.db.prisma.$queryRaw<
    [{ txid: string }]
  >`SELECT pg_current_xact_id()::text AS "txid"`;
  await waitFor(
    () =>
      stack.database.db.prisma.$queryRaw<[{ passed: boolean }]>`
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > ${txid}::bigint AS "passed"`,
    ([row]) => row.passed,
  );
}

const difference = (detail: string) => ({
  id: randomUUID(),
  kind: "MISSING_HERE" as const,
  lineType: "TRADE" as const,
  outTradeNo: null,
  tradeNo: null,
  outRequestNo: null,
  chargeId: null,
  alipayAmount: "1.00",
  ourAmount: null,
  alipayStatus: null,
  ourStatus: null,
  detail,
  suggestedAction: "look",
  settledAt: null,
  settlement: null,
});

/** A paid charge of a new agreement (monthly 19.90, D = 2028-05-08, charged on 05-05). */
async function paidCharge() {
  await setClock(stack, shanghai("2028-05-01", "09:00:00"));
  const agreement = await signActiveAgreement(stack, { planId });
  await setClock(stack, shanghai("2028-05-05"));
  await runScheduler(stack);
  await stack.sandbox.settleNotifications();
  const detail = await agreementDetail(stack, agreement.agreementId);
  const charge = defined(detail.charges[0], "the charge");
  expect(charge.status).toBe("SUCCEEDED");
  return { agreementId: agreement.agreementId, chargeId: charge.id as string };
}

describe("the events API", () => {
  test("the cursor is gap-free: an event committed after a later-started one's is listed, before it", async () => {
    await horizonPassed();
    const start = (await readOn(undefined)).cursor;
    const prisma = stack.database.db.prisma;
    const a = difference("A");
    const b = difference("B");
    const aIsWritten = signal();
    const aMayCommit = signal();
    // A writes its event first (its transaction id is the older) and stays open.
    const transactionA = prisma.$transaction(
      async (tx) => {
        await appendWebhookEvent(tx, { type: "reconciliation.difference_found", agreementId: null, data: a });
        aIsWritten.resolve();
        await aMayCommit.promise;
      },
      { timeout: 60_000 },
    );
    await aIsWritten.promise;
    // B writes and commits while A is open.
    await prisma.$transaction((tx) =>
      appendWebhookEvent(tx, { type: "reconciliation.difference_found", agreementId: null, data: b }),
    );
    const committed = await prisma.webhookEvent.findMany({ where: { data: { path: ["id"], equals: b.id } } });
    expect(committed).toHaveLength(1);

    const whileAIsOpen = await readOn(start);
    expect(whileAIsOpen.items.map((event) => event.data.id)).toEqual([]);

    aMayCommit.resolve();
    await transactionA;
    await horizonPassed();
    const afterA = await readOn(whileAIsOpen.cursor);
    expect(afterA.items.map((event) => (event.data as { detail: string }).detail)).toEqual(["A", "B"]);
    expect(afterA.items.map((event) => [event.agreementId, event.sequence])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  test("an agreement's story: activated, charge.succeeded, refund.succeeded in sequence, data as the admin API shows it", async () => {
    await horizonPassed();
    const start = (await readOn(undefined)).cursor;
    const paid = await paidCharge();
    const refund = await http<Json & { refund: Json }>(`${stack.api}/admin/v1/charges/${paid.chargeId}/refunds`, {
      headers: { "x-admin-key": stack.config.adminApiKey, "idempotency-key": randomUUID() },
      body: { amount: "5.00", reason: "goodwill" },
    });
    expect(refund.status).toBe(201);
    await stack.sandbox.settleNotifications();
    await horizonPassed();

    const mine = (await readOn(start)).items.filter((event) => event.agreementId === paid.agreementId);
    expect(mine.map((event) => [event.type, event.sequence])).toEqual([
      ["agreement.activated", 1],
      ["charge.succeeded", 2],
      ["refund.succeeded", 3],
    ]);
    const [activated, charged, refunded] = mine;
    expect(activated?.data).toMatchObject({ id: paid.agreementId, status: "ACTIVE", paymentsCount: 0 });
    const charges = await http<{ items: Json[] }>(`${stack.api}/admin/v1/charges?agreementId=${paid.agreementId}`, {
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(charged?.data).toEqual(charges.body.items[0]);
    expect(refunded?.data).toEqual(refund.body.refund);

    // One event by id, as listed; an unknown id is 404.
    const one = await http(`${stack.api}/admin/v1/events/${defined(refunded, "refunded").id}`, {
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(one.body).toEqual(refunded);
    const none = await http(`${stack.api}/admin/v1/events/${randomUUID()}`, {
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(none.status).toBe(404);

    // The type filter, and paging one event at a time, see the same events.
    const onlyRefunds = await readOn(start, { types: ["refund.succeeded", "refund.failed"] });
    expect(onlyRefunds.items.map((event) => event.type)).toEqual(["refund.succeeded"]);
    const all = await readOn(start);
    const byOnes = await readOn(start, { limit: 1 });
    expect(byOnes.items.map((event) => event.id)).toEqual(all.items.map((event) => event.id));
    expect(byOnes.cursor).toBe(all.cursor);
  });

  test("a final status written in a transaction that rolls back leaves no event and no sequence taken", async () => {
    const paid = await paidCharge();
    const before = await stack.database.db.prisma.agreement.findUniqueOrThrow({ where: { id: paid.agreementId } });
    await expect(
      stack.database.db.prisma.$transaction(async (tx) => {
        await setChargeState(tx, paid.chargeId, { status: "FAILED", nextAttemptAt: null });
        const written = await tx.webhookEvent.count({
          where: { agreementId: paid.agreementId, type: "charge.failed" },
        });
        expect(written).toBe(1);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const events = await stack.database.db.prisma.webhookEvent.findMany({ where: { agreementId: paid.agreementId } });
    expect(events.map((event) => event.type)).toEqual(["agreement.activated", "charge.succeeded"]);
    const after = await stack.database.db.prisma.agreement.findUniqueOrThrow({ where: { id: paid.agreementId } });
    expect(after.eventSequence).toBe(before.eventSequence);
  });

  test("a cursor not given out here, or an unknown type, is a 400", async () => {
    expect((await eventsPage("?after=bm90LWEtY3Vyc29y")).status).toBe(400);
    expect((await eventsPage("?type=agreement.updated")).status).toBe(400);
  });

  test("events are in numeric (txid, position) order, also where a txid has more digits than the one before", async () => {
    // Two final events whose txids cross a digit boundary (9, then 10): compared as text, "10" sorts before "9".
    const { prisma } = stack.database.db;
    const ids = [randomUUID(), randomUUID()];
    const data = JSON.stringify({ marker: true });
    await prisma.$executeRaw`
      INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
      VALUES (${ids[0]}::uuid, 'charge.failed', NULL, NULL, ${data}::jsonb, 9),
             (${ids[1]}::uuid, 'charge.failed', NULL, NULL, ${data}::jsonb, 10)`;
    try {
      const rows = await findFinalEvents(prisma, { after: { txid: "8", position: "0" }, types: undefined, limit: 2 });
      expect(rows.map((row) => row.id)).toEqual(ids);
    } finally {
      await prisma.webhookEvent.deleteMany({ where: { id: { in: ids } } });
    }
  });

  test("an unknown type's 400 lists the valid types", async () => {
    for (const query of ["?type=nope", "?type=charge.succeeded&type=nope"]) {
      const answer = await eventsPage(query);
      expect(answer.status, query).toBe(400);
      const message = (answer.body as unknown as { error: { message: string } }).error.message;
      expect(message, query).toContain(`one of ${WEBHOOK_EVENT_TYPES.join(", ")}`);
    }
  });

  test("a cursor whose numbers do not fit a bigint is the cursor's own 400, never reaching the database", async () => {
    const logged = stack.logs.length;
    for (const place of ["99999999999999999999.1", "1.99999999999999999999", "9223372036854775808.0"]) {
      const answer = await eventsPage(`?after=${Buffer.from(place).toString("base64url")}`);
      expect(answer.status, place).toBe(400);
      const message = (answer.body as unknown as { error: { message: string } }).error.message;
      expect(message, place).toBe("The cursor is not one this API gave out; start again without after.");
    }
    // The largest bigint is still a cursor (past every event: an empty page).
    const largest = await eventsPage(`?after=${Buffer.from("9223372036854775807.0").toString("base64url")}`);
    expect(largest.status).toBe(200);
    expect(largest.body.items).toEqual([]);
    expect(stack.logs.slice(logged).join("\n")).not.toMatch(/"level":(40|50)/);
  });
});
