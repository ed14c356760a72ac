import { randomUUID } from "node:crypto";
import { calendarDateToUtcMidnight } from "@paysign/contracts";
import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
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
} from "./support/deductions.ts";
import { QUEUES, startJobRunner } from "../src/jobs/job-runner.ts";
import { startStack, testAppId, type Stack } from "./support/stack.ts";
import { http } from "./support/customer-client.ts";

// A day of 100 charges (2028-05-05: monthly plan signed on 05-01, D = 05-08, first attempts three days before),
// 3 refunds made that day at Alipay, and one planted difference of each kind; reconciled on 05-06.
const BILL_DAY = "2028-05-05";
let stack: Stack;
let agreements: Array<Awaited<ReturnType<typeof signActiveAgreement>>>;

type Difference = {
  id: string;
  kind: string;
  lineType: string;
  outTradeNo: string | null;
  tradeNo: string | null;
  outRequestNo: string | null;
  chargeId: string | null;
  alipayAmount: string | null;
  ourAmount: string | null;
  settledAt: string | null;
  suggestedAction: string;
};

async function chargeOf(index: number) {
  const agreement = defined(agreements[index], `agreement ${index}`);
  const detail = await agreementDetail(stack, agreement.agreementId);
  const charge = defined(detail.charges[0], "its charge");
  return { ...charge, outTradeNo: charge.outTradeNo as string, id: charge.id as string };
}

beforeAll(async () => {
  stack = await startStack({
    env: {
      DEDUCTION_LEAD_DAYS: "3",
      DEDUCTION_RECONCILE_SCHEDULE: "1h",
      RATE_LIMIT_PER_MINUTE: "100000",
      RECONCILIATION_HOUR: "2",
    },
  });
  const planId = await createPlan(stack, monthlyAfterAWeek);
  await setClock(stack, shanghai("2028-05-01", "09:00:00"));
  agreements = [];
  for (let index = 0; index < 100; index++) agreements.push(await signActiveAgreement(stack, { planId }));
}, 240_000);
afterAll(async () => {
  await stack.close();
});

describe("the daily reconciliation", () => {
  test("a day without a bill line reconciles to nothing", async () => {
    await setClock(stack, shanghai("2028-05-02"));
    const answer = await admin(stack, "/admin/v1/reconciliations/2028-05-01/run", {});
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "COMPLETED", tradeLines: 0, differences: 0, differenceRows: [] });
  });

  test("today cannot be reconciled yet (Alipay's bill is T+1)", async () => {
    const answer = await admin(stack, "/admin/v1/reconciliations/2028-05-02/run", {});
    expect(answer.status).toBe(400);
  });

  test("finds exactly the planted differences of 100 charges and 3 refunds, and settles the one trade.query can", async () => {
    await setClock(stack, shanghai(BILL_DAY, "10:00:00"));
    // STATUS_DIFFERS: Alipay makes the trade but its answer, its notification and the first trade.query are lost.
    await stack.control.addFault({ method: "trade_status_sync", mode: "lose-notify", count: 1 });
    await stack.control.addFault({ method: "alipay.trade.pay", mode: "acq-system-error", applied: true, count: 1 });
    await stack.control.addFault({ method: "alipay.trade.query", mode: "system-error", count: 1 });
    const unknown = await admin(
      stack,
      `/admin/v1/agreements/${defined(agreements[0], "first").agreementId}/charges`,
      {},
    );
    expect((unknown.body.charge as { status: string }).status).toBe("UNKNOWN");
    await runScheduler(stack);
    const trades = await sandboxTrades(stack);
    expect(trades.filter((trade) => trade.trade_status === "TRADE_SUCCESS")).toHaveLength(100);

    await setClock(stack, shanghai(BILL_DAY, "15:00:00"));
    const tradeNoOf = (outTradeNo: string) =>
      defined(
        trades.find((trade) => trade.out_trade_no === outTradeNo),
        outTradeNo,
      ).trade_no;
    // Three partial refunds made through paysign: their bill lines match our Refund rows by out_request_no.
    for (const index of [1, 2, 3]) {
      const refunded = await http<{ refund: { status: string } }>(
        `${stack.api}/admin/v1/charges/${(await chargeOf(index)).id}/refunds`,
        {
          headers: { "x-admin-key": stack.config.adminApiKey, "idempotency-key": `bill-${index}-${randomUUID()}` },
          body: { amount: "5.00", reason: "用户申请退款" },
        },
      );
      expect([refunded.status, refunded.body.refund.status]).toEqual([201, "SUCCEEDED"]);
    }
    // MISSING_HERE: a paid trade we never asked for.
    await stack.control.plantTrade({ appId: testAppId, outTradeNo: "STRAY0001", totalAmount: "9.90" });
    // DUPLICATE_TRADE: a second paid trade for one period.
    const doubled = await chargeOf(4);
    const duplicate = await stack.control.plantTrade({
      appId: testAppId,
      outTradeNo: doubled.outTradeNo,
      totalAmount: "19.90",
    });
    // AMOUNT_DIFFERS: our charge says 29.90 where Alipay took 19.90.
    const changed = await chargeOf(5);
    await stack.database.db.prisma.charge.update({ where: { id: changed.id }, data: { amount: "29.90" } });
    // MISSING_AT_ALIPAY: a payment recorded here that Alipay never made.
    const ghostId = randomUUID();
    await stack.database.db.prisma.charge.create({
      data: {
        id: ghostId,
        agreementId: defined(agreements[6], "seventh").agreementId,
        dueDate: calendarDateToUtcMidnight("2028-06-08"),
        amount: "19.90",
        status: "SUCCEEDED",
        tradeNo: "2028050522999999999999999999",
        paidAt: new Date(shanghai(BILL_DAY, "12:00:00")),
      },
    });
    const settleable = await chargeOf(0);

    await setClock(stack, shanghai("2028-05-06", "10:00:00"));
    const answer = await admin(stack, `/admin/v1/reconciliations/${BILL_DAY}/run`, {});

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      billDate: BILL_DAY,
      status: "COMPLETED",
      tradeLines: 102,
      refundLines: 3,
      matchedLines: 101,
      differences: 5,
      settled: 1,
    });
    const rows = answer.body.differenceRows as Difference[];
    const summary = rows
      .map((row) => [row.kind, row.lineType, row.outTradeNo ?? row.tradeNo, row.outRequestNo, row.settledAt !== null])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const expected = [
      ["AMOUNT_DIFFERS", "TRADE", changed.outTradeNo, null, false],
      ["DUPLICATE_TRADE", "TRADE", doubled.outTradeNo, null, false],
      ["MISSING_AT_ALIPAY", "TRADE", "2028050522999999999999999999", null, false],
      ["MISSING_HERE", "TRADE", "STRAY0001", null, false],
      ["STATUS_DIFFERS", "TRADE", settleable.outTradeNo, null, true],
    ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(summary).toEqual(expected);
    const byKind = (kind: string) =>
      defined(
        rows.find((row) => row.kind === kind && row.lineType === "TRADE"),
        kind,
      );
    expect(byKind("DUPLICATE_TRADE").tradeNo).toBe(duplicate.body.trade_no);
    expect([byKind("AMOUNT_DIFFERS").alipayAmount, byKind("AMOUNT_DIFFERS").ourAmount]).toEqual(["19.90", "29.90"]);
    expect(byKind("MISSING_AT_ALIPAY").chargeId).toBe(ghostId);
    for (const row of rows) expect(row.suggestedAction).not.toBe("");

    // One outbound event per difference stored, its data the difference as listed, of its charge's agreement if any.
    const outbound = await stack.database.db.prisma.webhookEvent.findMany({
      where: { type: "reconciliation.difference_found" },
    });
    const differenceEvents = outbound.filter((event) =>
      rows.some((row) => row.id === (event.data as { id: string }).id),
    );
    expect(
      differenceEvents.map((event) => event.data).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    const ghost = differenceEvents.find((event) => (event.data as { chargeId: string | null }).chargeId === ghostId);
    const ghostCharge = await stack.database.db.prisma.charge.findUniqueOrThrow({ where: { id: ghostId } });
    expect(ghost?.agreementId).toBe(ghostCharge.agreementId);
    expect(ghost?.sequence).toBeGreaterThan(0);
    expect(differenceEvents.find((event) => (event.data as { kind: string }).kind === "MISSING_HERE")).toMatchObject({
      agreementId: null,
      sequence: null,
    });

    // Settled through the engine's reconcile path: the charge is paid by Alipay's trade.
    const settled = await chargeOf(0);
    expect([settled.status, settled.tradeNo]).toEqual(["SUCCEEDED", tradeNoOf(settleable.outTradeNo)]);

    const listed = await admin(stack, "/admin/v1/reconciliations");
    expect((listed.body.items as Array<{ billDate: string }>).map((run) => run.billDate)).toEqual([
      BILL_DAY,
      "2028-05-01",
    ]);
    const read = await admin(stack, `/admin/v1/reconciliations/${BILL_DAY}`);
    expect(read.body).toEqual(answer.body);
    // The console's "needs attention" panel counts the latest day's unsettled differences.
    const overview = await admin(stack, `/admin/v1/overview?from=${BILL_DAY}&to=${BILL_DAY}`);
    expect((overview.body.attention as { reconciliationDifferences: number }).reconciliationDifferences).toBe(4);
  }, 120_000);

  test("a refund made through paysign matches its bill line by out_request_no", async () => {
    await setClock(stack, shanghai("2028-05-06", "12:00:00"));
    const charge = await chargeOf(10);
    const refunded = await http<{ refund: { outRequestNo: string; status: string } }>(
      `${stack.api}/admin/v1/charges/${charge.id}/refunds`,
      {
        headers: { "x-admin-key": stack.config.adminApiKey, "idempotency-key": `recon-${randomUUID()}` },
        body: { amount: "1.00", reason: "goodwill" },
      },
    );
    expect([refunded.status, refunded.body.refund.status]).toEqual([201, "SUCCEEDED"]);

    await setClock(stack, shanghai("2028-05-07", "10:00:00"));
    const answer = await admin(stack, "/admin/v1/reconciliations/2028-05-06/run", {});
    expect(answer.body).toMatchObject({ status: "COMPLETED", tradeLines: 0, refundLines: 1, matchedLines: 1 });
    expect(answer.body.differenceRows).toEqual([]);
  });

  test("a worker registers the daily job at RECONCILIATION_HOUR in Asia/Shanghai", async () => {
    const runner = await startJobRunner(stack.deps, { databaseUrl: stack.database.url, work: true });
    try {
      const schedules = await stack.database.db.prisma.$queryRaw<Array<{ cron: string; timezone: string }>>`
        SELECT cron, timezone FROM pgboss.schedule WHERE name = ${QUEUES.reconciliation}`;
      expect(schedules).toEqual([{ cron: "0 2 * * *", timezone: "Asia/Shanghai" }]);
    } finally {
      await runner.stop(0);
    }
  });

  test("an unknown day answers 404", async () => {
    expect((await admin(stack, "/admin/v1/reconciliations/2028-04-01")).status).toBe(404);
  });
});
