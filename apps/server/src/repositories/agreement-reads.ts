import { SIGNED_AGREEMENT_STATUSES, type AgreementStatus } from "@paysign/contracts";
import { afterCreatedAtCursor, createdAtCursorOf, newestFirst, readPage, type Page } from "./cursor.ts";
import type { AgreementEventRow, AgreementRow, ChargeAttemptRow, ChargeRow, RefundRow } from "./rows.ts";
import type { Tx } from "./transaction.ts";

/** An agreement with its charges (latest due date first, each with attempts) and its events (oldest first). */
export type AgreementWithHistory = AgreementRow & {
  charges: Array<ChargeRow & { attempts: ChargeAttemptRow[]; refunds: RefundRow[] }>;
  events: AgreementEventRow[];
};

export type AgreementFilter = {
  status?: AgreementStatus | undefined;
  customerId?: string | undefined;
  planId?: string | undefined;
  /** An exact agreement no., external agreement no. or Alipay user id. */
  q?: string | undefined;
  /** Created on or after the start of this Asia/Shanghai day. */
  createdFrom?: Date | undefined;
  /** Created before this instant (the start of the day after the last day). */
  createdBefore?: Date | undefined;
};

/** Agreements, newest first, one page after `cursor`. */
export function findAgreementsPage(
  db: Tx,
  input: { filter: AgreementFilter; cursor: string | undefined; limit: number },
): Promise<Page<AgreementRow>> {
  const { filter } = input;
  const where = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.customerId ? { customerId: filter.customerId } : {}),
    ...(filter.planId ? { planId: filter.planId } : {}),
    ...(filter.q
      ? { AND: [{ OR: [{ agreementNo: filter.q }, { externalAgreementNo: filter.q }, { alipayUserId: filter.q }] }] }
      : {}),
    ...(filter.createdFrom || filter.createdBefore
      ? {
          createdAt: {
            ...(filter.createdFrom ? { gte: filter.createdFrom } : {}),
            ...(filter.createdBefore ? { lt: filter.createdBefore } : {}),
          },
        }
      : {}),
    ...afterCreatedAtCursor(input.cursor),
  };
  return readPage(
    input.limit,
    (take) => db.agreement.findMany({ where, orderBy: newestFirst, take }),
    createdAtCursorOf,
  );
}

/**
 * The id of the customer's live agreement (TEMP, ACTIVE or PAUSED) for the plan other than `exceptId`, the oldest, or
 * null. A read without lock, for what the customer is shown.
 */
export async function findLiveAgreementId(
  db: Tx,
  input: { customerId: string; planId: string; exceptId: string },
): Promise<string | null> {
  const live = await db.agreement.findFirst({
    where: {
      customerId: input.customerId,
      planId: input.planId,
      id: { not: input.exceptId },
      status: { in: [...SIGNED_AGREEMENT_STATUSES] },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return live?.id ?? null;
}

/** A customer's own agreements, newest first (the latest 100). */
export function findCustomerAgreements(db: Tx, customerId: string): Promise<AgreementRow[]> {
  return db.agreement.findMany({ where: { customerId }, orderBy: { createdAt: "desc" }, take: 100 });
}

export function findAgreementById(db: Tx, id: string): Promise<AgreementRow | null> {
  return db.agreement.findUnique({ where: { id } });
}

/** The agreement; Prisma's not-found error when there is none (a caller that holds its id). */
export function getAgreementById(db: Tx, id: string): Promise<AgreementRow> {
  return db.agreement.findUniqueOrThrow({ where: { id } });
}

/** The agreement when it exists and, with `customerId`, belongs to that customer. */
export function findAgreementOf(db: Tx, input: { id: string; customerId?: string | undefined }) {
  return db.agreement.findFirst({
    where: { id: input.id, ...(input.customerId ? { customerId: input.customerId } : {}) },
  });
}

export async function agreementExists(db: Tx, id: string): Promise<boolean> {
  return (await db.agreement.findUnique({ where: { id }, select: { id: true } })) !== null;
}

/** The operator's view: every attempt of every charge, latest first. */
export function findAgreementWithHistory(db: Tx, id: string): Promise<AgreementWithHistory | null> {
  return db.agreement.findUnique({
    where: { id },
    include: {
      charges: {
        orderBy: { dueDate: "desc" },
        include: {
          attempts: { orderBy: { requestedAt: "desc" } },
          refunds: { orderBy: { createdAt: "asc" } },
        },
      },
      events: { orderBy: { createdAt: "asc" } },
    },
  });
}

/** The customer's view of one of their agreements: each charge with its latest attempt only. */
export function findCustomerAgreementWithHistory(
  db: Tx,
  input: { customerId: string; id: string },
): Promise<AgreementWithHistory | null> {
  return db.agreement.findFirst({
    where: { id: input.id, customerId: input.customerId },
    include: {
      charges: {
        orderBy: { dueDate: "desc" },
        include: {
          attempts: { orderBy: { requestedAt: "desc" }, take: 1 },
          refunds: { orderBy: { createdAt: "asc" } },
        },
      },
      events: { orderBy: { createdAt: "asc" } },
    },
  });
}
