import { calendarDateToUtcMidnight, type CalendarDate, type ChargeStatus } from "@paysign/contracts";
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
