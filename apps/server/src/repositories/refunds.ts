import { refundEventTypeOf } from "@paysign/contracts";
import type { Prisma, RefundAttempt } from "../generated/prisma/client.ts";
import type { RefundStatus } from "../generated/prisma/enums.ts";
import { presentRefund } from "../presenters/resources.ts";
import { afterCreatedAtCursor, createdAtCursorOf, newestFirst, readPage, type Page } from "./cursor.ts";
import type { RefundRow } from "./rows.ts";
import type { Tx } from "./transaction.ts";
import { appendWebhookEvent } from "./webhook-events.ts";

// Refunds are changed only under the row lock of their charge's agreement (lockCharge), like the charge itself.

/** A refund with the agreement of its charge (for the API). */
export type RefundWithAgreement = RefundRow & { charge: { agreementId: string } };

const withAgreement = { charge: { select: { agreementId: true } } } as const;

export function findRefundsOfTrade(tx: Tx, tradeNo: string): Promise<RefundRow[]> {
  return tx.refund.findMany({ where: { tradeNo }, orderBy: { createdAt: "asc" } });
}

export function findRefundByIdempotencyKey(
  tx: Tx,
  input: { chargeId: string; idempotencyKey: string },
): Promise<RefundWithAgreement | null> {
  return tx.refund.findUnique({ where: { chargeId_idempotencyKey: input }, include: withAgreement });
}

export function findRefundByRequestNo(
  tx: Tx,
  input: { tradeNo: string; outRequestNo: string },
): Promise<RefundRow | null> {
  return tx.refund.findUnique({ where: { tradeNo_outRequestNo: input } });
}

export function getRefundWithAgreement(tx: Tx, id: string): Promise<RefundWithAgreement> {
  return tx.refund.findUniqueOrThrow({ where: { id }, include: withAgreement });
}

export function findRefundById(tx: Tx, id: string): Promise<RefundRow | null> {
  return tx.refund.findUnique({ where: { id } });
}

/** A new refund; one recorded final (SUCCEEDED, made outside paysign) writes its outbound event too. */
export async function insertRefund(tx: Tx, data: Prisma.RefundUncheckedCreateInput): Promise<RefundRow> {
  const refund = await tx.refund.create({ data, include: withAgreement });
  await appendRefundEvent(tx, refund);
  return refund;
}

/**
 * Changes a refund; a final status (SUCCEEDED, FAILED) writes its outbound event, the refund as written as its data.
 * Callers leave PENDING once (they check it under the agreement's row lock, which the event's sequence takes again).
 */
export async function updateRefund(tx: Tx, id: string, data: Prisma.RefundUncheckedUpdateInput): Promise<void> {
  if (typeof data.status !== "string") {
    await tx.refund.update({ where: { id }, data });
    return;
  }
  await appendRefundEvent(tx, await tx.refund.update({ where: { id }, data, include: withAgreement }));
}

async function appendRefundEvent(tx: Tx, refund: RefundWithAgreement): Promise<void> {
  const type = refundEventTypeOf(refund.status);
  if (type) await appendWebhookEvent(tx, { type, agreementId: refund.charge.agreementId, data: presentRefund(refund) });
}

export async function insertRefundAttempt(
  tx: Tx,
  data: Prisma.RefundAttemptUncheckedCreateInput,
): Promise<RefundAttempt> {
  return await tx.refundAttempt.create({ data });
}

export async function settleRefundAttempt(
  tx: Tx,
  id: string,
  data: { status: RefundAttempt["status"]; subCode?: string | null; subMsg?: string | null; settledAt: Date },
): Promise<void> {
  await tx.refundAttempt.update({ where: { id }, data });
}

/** PENDING refunds whose next refund query is due (the reconcile job), oldest first. */
export async function findRefundsDueForQuery(tx: Tx, input: { now: Date; limit: number }): Promise<string[]> {
  const rows = await tx.refund.findMany({
    where: { status: "PENDING", nextQueryAt: { lte: input.now } },
    orderBy: { nextQueryAt: "asc" },
    take: input.limit,
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

export type RefundFilter = {
  status?: RefundStatus | undefined;
  chargeId?: string | undefined;
  agreementId?: string | undefined;
};

/** Refunds, newest first, one page after `cursor`. */
export function findRefundsPage(
  db: Tx,
  input: { filter: RefundFilter; cursor: string | undefined; limit: number },
): Promise<Page<RefundWithAgreement>> {
  const { filter } = input;
  const where = {
    AND: [
      filter.status ? { status: filter.status } : {},
      filter.chargeId ? { chargeId: filter.chargeId } : {},
      filter.agreementId ? { charge: { agreementId: filter.agreementId } } : {},
      afterCreatedAtCursor(input.cursor),
    ],
  };
  return readPage(
    input.limit,
    (take) => db.refund.findMany({ where, include: withAgreement, orderBy: newestFirst, take }),
    createdAtCursorOf,
  );
}

/** Sum of the SUCCEEDED refunds made in [start, end) (by refundedAt), yuan with two decimals. */
export async function sumRefundedBetween(db: Tx, range: { start: Date; end: Date }): Promise<string> {
  const result = await db.refund.aggregate({
    where: { status: "SUCCEEDED", refundedAt: { gte: range.start, lt: range.end } },
    _sum: { amount: true },
  });
  return result._sum.amount?.toFixed(2) ?? "0.00";
}
