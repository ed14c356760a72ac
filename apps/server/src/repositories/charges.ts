import { calendarDateToUtcMidnight, type CalendarDate, type ChargeStatus } from "@paysign/contracts";
import { MERCHANT_SIDE_FAILURE_CODES } from "@paysign/contracts/alipay";
import { afterDueDateCursor, dueDateCursorOf, latestDueFirst, readPage, type Page } from "./cursor.ts";
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

const latestAttempt = { orderBy: [{ requestedAt: "desc" as const }, { outTradeNo: "desc" as const }], take: 1 };

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

/** The charge's attempts whose outcome is open; `inFlight` while a PROCESSING call's time is not up (database time). */
export function findOpenAttempts(
  db: Tx,
  chargeId: string,
): Promise<Array<{ id: string; outTradeNo: string; inFlight: boolean }>> {
  return db.$queryRaw`
    SELECT id, "outTradeNo",
      (status = 'PROCESSING' AND "inFlightUntil" IS NOT NULL AND "inFlightUntil" >= now()) AS "inFlight"
    FROM "ChargeAttempt" WHERE "chargeId" = ${chargeId}::uuid AND status IN ('PROCESSING', 'UNKNOWN')`;
}
