import { randomUUID } from "node:crypto";
import { calendarDateToUtcMidnight, fenToYuan, shanghaiDateOf, yuanToFen, type CalendarDate } from "@paysign/contracts";
import type { ChargeFacts, FoundDifference, RefundFacts } from "../domain/reconciliation-match.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { presentReconciliationDifference } from "../presenters/resources.ts";
import type { Tx } from "./transaction.ts";
import { appendWebhookEvent } from "./webhook-events.ts";

const OPEN_ATTEMPT = new Set(["PROCESSING", "UNKNOWN"]);

type ChargeWithAttempts = Prisma.ChargeGetPayload<{ include: { attempts: true } }>;

function factsOf(charge: ChargeWithAttempts): ChargeFacts {
  return {
    chargeId: charge.id,
    status: charge.status,
    amountFen: yuanToFen(charge.amount.toFixed(2)),
    tradeNo: charge.tradeNo,
    paidDay: charge.paidAt ? shanghaiDateOf(charge.paidAt) : null,
    hasOpenAttempt: charge.attempts.some((attempt) => OPEN_ATTEMPT.has(attempt.status)),
  };
}

/** The charge of every attempt whose out_trade_no is listed, keyed by that out_trade_no. */
export async function findChargesByOutTradeNos(
  db: Tx,
  outTradeNos: readonly string[],
): Promise<Map<string, ChargeFacts>> {
  const attempts = await db.chargeAttempt.findMany({
    where: { outTradeNo: { in: [...new Set(outTradeNos)] } },
    select: { outTradeNo: true, charge: { include: { attempts: true } } },
  });
  return new Map(attempts.map((attempt) => [attempt.outTradeNo, factsOf(attempt.charge)]));
}

/** Charges SUCCEEDED with a paid time inside the Asia/Shanghai day `billDate`. */
export async function findChargesPaidOn(db: Tx, billDate: CalendarDate): Promise<ChargeFacts[]> {
  const start = new Date(calendarDateToUtcMidnight(billDate).getTime() - 8 * 3_600_000);
  const end = new Date(start.getTime() + 86_400_000);
  const charges = await db.charge.findMany({
    where: { status: "SUCCEEDED", paidAt: { gte: start, lt: end } },
    include: { attempts: true },
  });
  return charges.map(factsOf);
}

/** Our refunds whose out_request_no is listed, keyed by it (a refund made outside paysign has Alipay's number). */
export async function findRefundsByOutRequestNos(
  db: Tx,
  outRequestNos: readonly string[],
): Promise<Map<string, RefundFacts>> {
  const refunds = await db.refund.findMany({
    where: { outRequestNo: { in: [...new Set(outRequestNos)] } },
    select: { outRequestNo: true, amount: true, status: true },
  });
  return new Map(
    refunds.map((refund) => [
      refund.outRequestNo,
      {
        outRequestNo: refund.outRequestNo,
        amountFen: yuanToFen(refund.amount.toFixed(2)),
        succeeded: refund.status === "SUCCEEDED",
      },
    ]),
  );
}

export type DifferenceToStore = FoundDifference & { settledAt: Date | null; settlement: string | null };

export type RunToStore = {
  billDate: CalendarDate;
  status: "COMPLETED" | "FAILED";
  tradeLines: number;
  refundLines: number;
  matchedLines: number;
  failureReason: string | null;
  startedAt: Date;
  finishedAt: Date;
  differences: readonly DifferenceToStore[];
};

const withDifferences = {
  differenceRows: { orderBy: [{ kind: "asc" as const }, { createdAt: "asc" as const }] },
} satisfies Prisma.ReconciliationRunInclude;

export type ReconciliationRunRow = Prisma.ReconciliationRunGetPayload<{ include: typeof withDifferences }>;

const yuanOrNull = (fen: number | null) => (fen === null ? null : fenToYuan(fen));

/**
 * Stores a day's run in place of any earlier one of that day (its differences go with it), and an outbound
 * `reconciliation.difference_found` event per difference stored (a run of the day again writes its differences'
 * events again, as they are new rows).
 */
export async function replaceReconciliationRun(db: Tx, run: RunToStore): Promise<ReconciliationRunRow> {
  await lockDifferenceAgreements(db, run.differences);
  const billDate = calendarDateToUtcMidnight(run.billDate);
  await db.reconciliationRun.deleteMany({ where: { billDate } });
  const stored = await createRun(db, billDate, run);
  await appendDifferenceEvents(db, stored.differenceRows);
  return stored;
}

/**
 * Locks the agreements of the differences' charges, in id order, before the run writes anything: an agreement's
 * events take their sequence under its lock, and a transaction that wrote before taking it could hold an older txid
 * than a later sequence of the same agreement, listing that agreement's events out of order (repositories/webhook-events.ts).
 */
async function lockDifferenceAgreements(db: Tx, differences: readonly DifferenceToStore[]): Promise<void> {
  const chargeIds = differences.flatMap((difference) => (difference.chargeId ? [difference.chargeId] : []));
  if (chargeIds.length === 0) return;
  await db.$queryRaw`
    SELECT a."id" FROM "Agreement" a
    WHERE a."id" IN (SELECT c."agreementId" FROM "Charge" c WHERE c."id" = ANY(${chargeIds}::uuid[]))
    ORDER BY a."id" FOR UPDATE`;
}

/**
 * One event per difference, of its charge's agreement when it names a charge. Appending takes each agreement's row
 * lock (for its sequence): in agreement id order, so two runs never wait on each other's agreements in turn.
 */
async function appendDifferenceEvents(db: Tx, differences: ReconciliationRunRow["differenceRows"]): Promise<void> {
  const chargeIds = differences.flatMap((difference) => (difference.chargeId ? [difference.chargeId] : []));
  const charges = await db.charge.findMany({
    where: { id: { in: chargeIds } },
    select: { id: true, agreementId: true },
  });
  const agreementOf = new Map(charges.map((charge) => [charge.id, charge.agreementId]));
  const events = differences.map((difference) => ({
    difference,
    agreementId: (difference.chargeId && agreementOf.get(difference.chargeId)) ?? null,
  }));
  events.sort((a, b) => (a.agreementId ?? "").localeCompare(b.agreementId ?? ""));
  for (const { difference, agreementId } of events) {
    await appendWebhookEvent(db, {
      type: "reconciliation.difference_found",
      agreementId,
      data: presentReconciliationDifference(difference),
    });
  }
}

function createRun(db: Tx, billDate: Date, run: RunToStore): Promise<ReconciliationRunRow> {
  return db.reconciliationRun.create({
    data: {
      id: randomUUID(),
      billDate,
      status: run.status,
      tradeLines: run.tradeLines,
      refundLines: run.refundLines,
      matchedLines: run.matchedLines,
      differences: run.differences.length,
      settled: run.differences.filter((difference) => difference.settledAt !== null).length,
      failureReason: run.failureReason,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      differenceRows: {
        create: run.differences.map((difference) => ({
          id: randomUUID(),
          kind: difference.kind,
          lineType: difference.lineType,
          outTradeNo: difference.outTradeNo,
          tradeNo: difference.tradeNo,
          outRequestNo: difference.outRequestNo,
          chargeId: difference.chargeId,
          alipayAmount: yuanOrNull(difference.alipayAmountFen),
          ourAmount: yuanOrNull(difference.ourAmountFen),
          alipayStatus: difference.alipayStatus,
          ourStatus: difference.ourStatus,
          detail: difference.detail,
          suggestedAction: difference.suggestedAction,
          settledAt: difference.settledAt,
          settlement: difference.settlement,
        })),
      },
    },
    include: withDifferences,
  });
}

export function findReconciliationRuns(db: Tx, limit: number) {
  return db.reconciliationRun.findMany({ orderBy: { billDate: "desc" }, take: limit });
}

export function findReconciliationRun(db: Tx, billDate: CalendarDate): Promise<ReconciliationRunRow | null> {
  return db.reconciliationRun.findUnique({
    where: { billDate: calendarDateToUtcMidnight(billDate) },
    include: withDifferences,
  });
}
