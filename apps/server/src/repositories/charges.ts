import { calendarDateToUtcMidnight, type CalendarDate, type ChargeStatus } from "@paysign/contracts";
import { MERCHANT_SIDE_FAILURE_CODES } from "@paysign/contracts/alipay";
import { afterDueDateCursor, dueDateCursorOf, latestDueFirst, readPage, type Page } from "./cursor.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ChargeAttemptRow, ChargeRow } from "./rows.ts";
import type { Tx } from "./transaction.ts";

/** A charge with its latest attempt only (the one whose out_trade_no the API shows). */
export type ChargeWithLatestAttempt = ChargeRow & { attempts: ChargeAttemptRow[] };

export type ChargeFilter = {
  status?: ChargeStatus | undefined;
  agreementId?: string | undefined;
  dueFrom?: CalendarDate | undefined;
  dueTo?: CalendarDate | undefined;
  failureCode?: string | undefined;
  /** merchant: the failure code is one of `MERCHANT_SIDE_FAILURE_CODES` (docs/alipay-protocol.md §16). */
  refusedBy?: "merchant" | undefined;
};

/** The charge's latest attempt (whose out_trade_no the charge resource shows). */
export const latestAttempt = { orderBy: [{ requestedAt: "desc" as const }, { outTradeNo: "desc" as const }], take: 1 };

/** Charges, latest due date first, one page after `cursor`. */
export function findChargesPage(
  db: Tx,
  input: { filter: ChargeFilter; cursor: string | undefined; limit: number },
): Promise<Page<ChargeWithLatestAttempt>> {
  const { filter } = input;
  const where = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.agreementId ? { agreementId: filter.agreementId } : {}),
    AND: [
      filter.dueFrom ? { dueDate: { gte: calendarDateToUtcMidnight(filter.dueFrom) } } : {},
      filter.dueTo ? { dueDate: { lte: calendarDateToUtcMidnight(filter.dueTo) } } : {},
      filter.failureCode ? { failureCode: filter.failureCode } : {},
      filter.refusedBy === "merchant" ? { failureCode: { in: [...MERCHANT_SIDE_FAILURE_CODES] } } : {},
      afterDueDateCursor(input.cursor),
    ],
  };
  return readPage(
    input.limit,
    (take) => db.charge.findMany({ where, include: { attempts: latestAttempt }, orderBy: latestDueFirst, take }),
    dueDateCursorOf,
  );
}

export function getChargeWithLatestAttempt(db: Tx, id: string): Promise<ChargeWithLatestAttempt> {
  return db.charge.findUniqueOrThrow({ where: { id }, include: { attempts: latestAttempt } });
}

/** The charge of one period, if it was created. */
export function findChargeForPeriod(db: Tx, input: { agreementId: string; dueDate: Date }): Promise<ChargeRow | null> {
  return db.charge.findUnique({ where: { agreementId_dueDate: input } });
}

export function findChargeById(db: Tx, id: string): Promise<ChargeRow | null> {
  return db.charge.findUnique({ where: { id } });
}

/** The charge of one period while an attempt's outcome is open (PROCESSING or UNKNOWN), if any. */
export function findUnsettledChargeForPeriod(
  db: Tx,
  input: { agreementId: string; dueDate: Date },
): Promise<ChargeRow | null> {
  return db.charge.findFirst({ where: { ...input, status: { in: ["PROCESSING", "UNKNOWN"] } } });
}

/** How many attempts the charge has had; with `failedExcept`, only FAILED ones whose sub_code is not listed. */
export function countAttempts(db: Tx, input: { chargeId: string; failedExcept?: readonly string[] }): Promise<number> {
  const { chargeId, failedExcept } = input;
  return db.chargeAttempt.count({
    where: { chargeId, ...(failedExcept ? { status: "FAILED", subCode: { notIn: [...failedExcept] } } : {}) },
  });
}

/**
 * The charge's attempts whose outcome must still be asked of Alipay: PROCESSING or UNKNOWN (`inFlight` while a
 * PROCESSING call's time is not up, database time), and — once the period's last day D has ended (`now`, business
 * time) — the last send of a number trade.query had not found, on a charge left unpaid, until it was asked after D.
 */
export function findOpenAttempts(
  db: Tx,
  input: { chargeId: string; now: Date },
): Promise<Array<{ id: string; outTradeNo: string; inFlight: boolean }>> {
  return db.$queryRaw`
    SELECT t.id, t."outTradeNo",
      (t.status = 'PROCESSING' AND t."inFlightUntil" IS NOT NULL AND t."inFlightUntil" >= now()) AS "inFlight"
    FROM "ChargeAttempt" t JOIN "Charge" c ON c.id = t."chargeId"
    WHERE t."chargeId" = ${input.chargeId}::uuid
      AND (t.status IN ('PROCESSING', 'UNKNOWN') OR (${notFoundUnchecked(input.now)}))
    ORDER BY t."requestedAt"`;
}

/**
 * SQL condition on attempt `t` of charge `c`: the last send of its out_trade_no, found not to exist, on a charge that
 * ended unpaid, not asked again since its period's last day D ended — and D has ended by `now`.
 */
function notFoundUnchecked(now: Date) {
  return Prisma.sql`c.status IN ('PAST_DUE', 'FAILED') AND t.status = 'FAILED'
    AND t."subCode" = 'ACQ.TRADE_NOT_EXIST'
    AND t."settledAt" < ((c."dueDate" + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
    AND ${now} >= ((c."dueDate" + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
    AND NOT EXISTS (SELECT 1 FROM "ChargeAttempt" later
      WHERE later."outTradeNo" = t."outTradeNo" AND later."requestedAt" > t."requestedAt")`;
}

/** The out_trade_no the charge's next attempt re-sends (its last one, unless Alipay closed it), and how many it used. */
export async function findLiveTradeNumber(
  db: Tx,
  input: { chargeId: string; closedCodes: readonly string[] },
): Promise<{ outTradeNo: string | undefined; used: number }> {
  const rows = await db.chargeAttempt.findMany({
    where: { chargeId: input.chargeId },
    select: { outTradeNo: true, status: true, subCode: true },
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
  });
  const used = new Set(rows.map((row) => row.outTradeNo)).size;
  const last = rows[0];
  const closed = last?.status === "FAILED" && last.subCode !== null && input.closedCodes.includes(last.subCode);
  return { outTradeNo: last && !closed ? last.outTradeNo : undefined, used };
}

/** Every out_trade_no the charge used, each with its latest attempt. */
export async function findTradeNumbers(
  db: Tx,
  chargeId: string,
): Promise<Array<{ attemptId: string; outTradeNo: string }>> {
  const rows = await db.chargeAttempt.findMany({
    where: { chargeId },
    select: { id: true, outTradeNo: true },
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
  });
  const latest = new Map<string, string>();
  for (const row of rows) if (!latest.has(row.outTradeNo)) latest.set(row.outTradeNo, row.id);
  return [...latest].map(([outTradeNo, attemptId]) => ({ attemptId, outTradeNo }));
}
