import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runRefundReconcile } from "../src/refunds/refund-reconcile.ts";
import { deliverHeld, holdNextNotification, http, injectFault, type Json } from "./support/customer-client.ts";
import {
  admin,
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  sandboxTrades,
  setClock,
  shanghai,
  signActiveAgreement,
  waitFor,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Refunds end to end: the API, the real alipay-sdk over HTTP, the sandbox with Alipay's refund rules, a database of
// its own. Each test signs an agreement (monthly 19.90, D = 2028-05-08), has it charged on 05-05, then refunds.
// timeScale 1: a notification held back by a drop-notify fault stays held until the test delivers it.
let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({
    alipayTimeoutMs: 1_000,
    sandbox: { timeScale: 1 },
    env: { DEDUCTION_RECONCILE_SCHEDULE: "1m" },
  });
  planId = await createPlan(stack, monthlyAfterAWeek);
});
afterAll(async () => {
  await stack.close();
});

type Refund = Json & { id: string; status: string; amount: string; source: string; subCode: string | null };

let keys = 0;
async function refund(chargeId: string, body: Json, key = `key-${(keys += 1)}`) {
  return await http<Json & { refund: Refund; error: Json & { details: Json } }>(
    `${stack.api}/admin/v1/charges/${chargeId}/refunds`,
    { headers: { "x-admin-key": stack.config.adminApiKey, "idempotency-key": key }, body },
  );
}

async function refundsOf(chargeId: string): Promise<Refund[]> {
  const answer = await http<{ items: Refund[] }>(`${stack.api}/admin/v1/refunds?chargeId=${chargeId}`, {
    headers: { "x-admin-key": stack.config.adminApiKey },
  });
  expect(answer.status).toBe(200);
  return answer.body.items;
}

/** A paid charge: its id, trade_no, the agreement, the customer. */
async function paidCharge() {
  await setClock(stack, shanghai("2028-05-01", "09:00:00"));
  const agreement = await signActiveAgreement(stack, { planId });
  await setClock(stack, shanghai("2028-05-05"));
  await runScheduler(stack);
  await stack.sandbox.settleNotifications();
  const detail = await agreementDetail(stack, agreement.agreementId);
  const charge = defined(detail.charges[0], "the charge");
  expect(charge.status).toBe("SUCCEEDED");
  return { ...agreement, chargeId: charge.id as string, tradeNo: defined(charge.tradeNo, "the trade_no") };
}

async function tradeAtAlipay(tradeNo: string) {
  return defined(
    (await sandboxTrades(stack)).find((trade) => trade.trade_no === tradeNo),
    `trade ${tradeNo}`,
  );
}

/** A new session for a buyer whose first one expired while the clock moved on. */
async function freshSession(userId: string): Promise<string> {
  const code = await stack.control.createAuthCode(userId);
  const session = await http(`${stack.api}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
  expect(session.status).toBe(201);
  return session.body.token as string;
}

/** The outcomes of the trade's refund notifications in the inbox, once `count` of them were recorded. */
async function inboxOutcomes(tradeNo: string, count: number): Promise<string[]> {
  const read = async () => {
    const rows = await stack.database.db.prisma.notificationInbox.findMany({ orderBy: { receivedAt: "asc" } });
    return rows
      .filter((row) => (row.params as Record<string, string>).trade_no === tradeNo)
      .filter((row) => (row.params as Record<string, string>).refund_fee !== undefined)
      .map((row) => row.outcome);
  };
  return await waitFor(read, (outcomes) => outcomes.length >= count);
}

describe("refunds through the admin API", () => {
  test("partial + partial refunds succeed; a third over what is left is refused with the reason", async () => {
    const paid = await paidCharge();
    const first = await refund(paid.chargeId, { amount: "5.00", reason: "service outage" });
    expect(first.status).toBe(201);
    expect(first.body.refund).toMatchObject({ status: "SUCCEEDED", amount: "5.00", source: "PAYSIGN" });
    const second = await refund(paid.chargeId, { amount: "6.00", reason: "goodwill" });
    expect(second.body.refund).toMatchObject({ status: "SUCCEEDED", amount: "6.00" });
    const over = await refund(paid.chargeId, { amount: "9.00", reason: "too much" });
    expect(over.status).toBe(409);
    expect(over.body.error.details).toEqual({ reason: "AMOUNT_OVER_REMAINING", remaining: "8.90" });

    const trade = await tradeAtAlipay(paid.tradeNo);
    expect(trade.refund_fee).toBe("11.00");
    expect(trade.refunds.map((made) => made.refund_amount)).toEqual(["5.00", "6.00"]);
    expect(trade.trade_status).toBe("TRADE_SUCCESS");
    // Each refund's notification is recorded; whichever of it and the answer came second changed nothing.
    const outcomes = await inboxOutcomes(paid.tradeNo, 2);
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) expect(["APPLIED", "NO_CHANGE"]).toContain(outcome);

    const detail = await agreementDetail(stack, paid.agreementId);
    expect(detail.totals).toEqual({ charged: "19.90", refunded: "11.00", net: "8.90" });
    const charge = defined(detail.charges[0], "the charge");
    expect((charge.refunds as Refund[]).map((made) => made.amount)).toEqual(["5.00", "6.00"]);
    // The first test of the file: the day's only charge and refunds.
    const overview = await admin(stack, "/admin/v1/overview?from=2028-05-05&to=2028-05-05");
    expect(overview.body).toMatchObject({ charged: "19.90", refunded: "11.00", net: "8.90" });
    const own = await http(`${stack.api}/api/v1/agreements/${paid.agreementId}`, {
      headers: { authorization: `Bearer ${await freshSession(paid.userId)}` },
    });
    expect(own.status, own.text).toBe(200);
    expect(own.body.totals).toEqual({ charged: "19.90", refunded: "11.00", net: "8.90" });
    expect((own.body.refunds as Json[]).map((made) => made.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  test("the same Idempotency-Key answers the same refund and refunds nothing more; another body is refused", async () => {
    const paid = await paidCharge();
    const first = await refund(paid.chargeId, { amount: "2.00", reason: "r" }, "same-key");
    const again = await refund(paid.chargeId, { amount: "2.00", reason: "r" }, "same-key");
    expect(again.status).toBe(201);
    expect(again.body.refund.id).toBe(first.body.refund.id);
    const other = await refund(paid.chargeId, { amount: "3.00", reason: "r" }, "same-key");
    expect(other.status).toBe(409);
    expect((await tradeAtAlipay(paid.tradeNo)).refunds).toHaveLength(1);
  });

  test("a full refund closes the trade at Alipay; a charge not paid is refused", async () => {
    const paid = await paidCharge();
    const full = await refund(paid.chargeId, { amount: "19.90", reason: "cancelled" });
    expect(full.body.refund.status).toBe("SUCCEEDED");
    expect((await tradeAtAlipay(paid.tradeNo)).trade_status).toBe("TRADE_CLOSED");
    const none = await refund(paid.chargeId, { amount: "0.01", reason: "more" });
    expect(none.body.error.details).toMatchObject({ reason: "AMOUNT_OVER_REMAINING" });

    await setClock(stack, shanghai("2028-05-01", "09:00:00"));
    const unpaid = await signActiveAgreement(stack, { planId });
    const detail = await agreementDetail(stack, unpaid.agreementId);
    expect(detail.charges).toEqual([]);
    const missing = await refund("00000000-0000-4000-8000-000000000000", { amount: "1.00", reason: "x" });
    expect(missing.status).toBe(404);
  });

  test("a trade paid more than 90 days ago is refused before Alipay is asked", async () => {
    const paid = await paidCharge();
    await setClock(stack, shanghai("2028-08-05"));
    const late = await refund(paid.chargeId, { amount: "1.00", reason: "late" });
    expect(late.status).toBe(409);
    expect(late.body.error.details).toEqual({ reason: "TRADE_TOO_OLD" });
    expect((await tradeAtAlipay(paid.tradeNo)).refunds).toEqual([]);
  });
});

describe("a refund whose answer is lost", () => {
  test("Alipay refunded: the query at once settles it; exactly one refund at Alipay", async () => {
    const paid = await paidCharge();
    await injectFault(stack, { method: "alipay.trade.refund", mode: "timeout", applied: true });
    const lost = await refund(paid.chargeId, { amount: "4.00", reason: "lost answer" });
    expect(lost.status).toBe(201);
    expect(lost.body.refund.status).toBe("SUCCEEDED");
    const trade = await tradeAtAlipay(paid.tradeNo);
    expect(trade.refunds).toHaveLength(1);
    expect(trade.refund_fee).toBe("4.00");
  });

  test("Alipay did not refund: the query finds none, the same out_request_no is sent again; one refund", async () => {
    const paid = await paidCharge();
    await injectFault(stack, { method: "alipay.trade.refund", mode: "timeout", applied: false });
    const lost = await refund(paid.chargeId, { amount: "4.00", reason: "lost request" });
    expect(lost.body.refund.status).toBe("SUCCEEDED");
    const trade = await tradeAtAlipay(paid.tradeNo);
    expect(trade.refunds.map((made) => made.out_request_no)).toEqual([lost.body.refund.outRequestNo]);
  });

  test("the query fails too: PENDING, settled later by the reconcile job, never refunded twice", async () => {
    const paid = await paidCharge();
    await injectFault(stack, { method: "alipay.trade.refund", mode: "acq-system-error", applied: true });
    await injectFault(stack, { method: "alipay.trade.fastpay.refund.query", mode: "system-error" });
    await holdNextNotification(stack, "trade_status_sync");
    const pending = await refund(paid.chargeId, { amount: "7.00", reason: "unknown" });
    expect(pending.status).toBe(201);
    expect(pending.body.refund.status).toBe("PENDING");

    // Two minutes on: the refund query is due (1m), Alipay's retry of the held notification (4m) is not.
    await setClock(stack, shanghai("2028-05-05", "10:02:00"));
    expect(await runRefundReconcile(stack.deps)).toEqual({ asked: 1, settled: 1 });
    const [settled] = await refundsOf(paid.chargeId);
    expect(settled).toMatchObject({ status: "SUCCEEDED", amount: "7.00" });
    expect((await tradeAtAlipay(paid.tradeNo)).refunds).toHaveLength(1);
    // The held notification arrives last: recorded, nothing changes.
    expect(await deliverHeld(stack, "trade_status_sync", paid.agreementNo)).toBe("success");
    expect(await inboxOutcomes(paid.tradeNo, 1)).toEqual(["NO_CHANGE"]);
  });
});

describe("refund notifications", () => {
  test("a refund made in Alipay's merchant portal is recorded from its notification", async () => {
    const paid = await paidCharge();
    const made = await stack.control.refundInPortal(paid.tradeNo, { amount: "3.00", outRequestNo: "PORTAL1" });
    expect(made.status).toBe(200);
    expect(await inboxOutcomes(paid.tradeNo, 1)).toEqual(["APPLIED"]);
    const [outside] = await refundsOf(paid.chargeId);
    expect(outside).toMatchObject({ status: "SUCCEEDED", source: "OUTSIDE", amount: "3.00", outRequestNo: "PORTAL1" });
    // What is left takes the outside refund into account.
    const over = await refund(paid.chargeId, { amount: "17.00", reason: "over" });
    expect(over.body.error.details).toEqual({ reason: "AMOUNT_OVER_REMAINING", remaining: "16.90" });
  });

  test("a refund racing its notification applies once: the notification settles it, the later query changes nothing", async () => {
    const paid = await paidCharge();
    await injectFault(stack, { method: "alipay.trade.refund", mode: "acq-system-error", applied: true });
    await injectFault(stack, { method: "alipay.trade.fastpay.refund.query", mode: "system-error" });
    await holdNextNotification(stack, "trade_status_sync");
    const pending = await refund(paid.chargeId, { amount: "5.00", reason: "race" });
    expect(pending.body.refund.status).toBe("PENDING");

    expect(await deliverHeld(stack, "trade_status_sync", paid.agreementNo)).toBe("success");
    expect(await inboxOutcomes(paid.tradeNo, 1)).toEqual(["APPLIED"]);
    const [settled] = await refundsOf(paid.chargeId);
    expect(settled).toMatchObject({ id: pending.body.refund.id, status: "SUCCEEDED", source: "PAYSIGN" });

    // Two minutes on: the refund query is due (1m), Alipay's retry of the held notification (4m) is not.
    await setClock(stack, shanghai("2028-05-05", "10:02:00"));
    expect(await runRefundReconcile(stack.deps)).toEqual({ asked: 0, settled: 0 });
    expect(await refundsOf(paid.chargeId)).toHaveLength(1);
    expect((await tradeAtAlipay(paid.tradeNo)).refunds).toHaveLength(1);
    const detail = await agreementDetail(stack, paid.agreementId);
    expect(detail.totals).toEqual({ charged: "19.90", refunded: "5.00", net: "14.90" });
  });
});

describe("the duplicate-trade case", () => {
  test("a second paid trade of one period is refunded whole in one call; without one the call is refused", async () => {
    const paid = await paidCharge();
    const none = await http<Json & { error: Json & { details: Json } }>(
      `${stack.api}/admin/v1/charges/${paid.chargeId}/refund-duplicate`,
      { headers: { "x-admin-key": stack.config.adminApiKey, "idempotency-key": "dup-none" }, body: {} },
    );
    expect(none.status).toBe(409);
    expect(none.body.error.details).toEqual({ reason: "NO_DUPLICATE_TRADE" });

    // The books as issue #14's double payment would leave them: a second attempt of the period paid by another trade
    // (here the trade of another agreement's charge, real at Alipay, so the refund goes through the gateway).
    const other = await paidCharge();
    await stack.database.db.prisma.chargeAttempt.create({
      data: {
        id: crypto.randomUUID(),
        chargeId: paid.chargeId,
        outTradeNo: "DUPLICATE_FOR_TEST",
        status: "SUCCEEDED",
        tradeNo: other.tradeNo,
        settledAt: (await stack.database.db.prisma.charge.findUniqueOrThrow({ where: { id: other.chargeId } })).paidAt,
      },
    });
    const refunded = await http<Json & { refund: Refund }>(
      `${stack.api}/admin/v1/charges/${paid.chargeId}/refund-duplicate`,
      { headers: { "x-admin-key": stack.config.adminApiKey, "idempotency-key": "dup-1" }, body: {} },
    );
    expect(refunded.status, refunded.text).toBe(201);
    expect(refunded.body.refund).toMatchObject({ status: "SUCCEEDED", amount: "19.90", tradeNo: other.tradeNo });
    expect((await tradeAtAlipay(other.tradeNo)).trade_status).toBe("TRADE_CLOSED");
    expect((await tradeAtAlipay(paid.tradeNo)).refunds).toEqual([]);
  });
});
