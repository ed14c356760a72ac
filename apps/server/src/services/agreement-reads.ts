import { DEFAULT_PAGE_LIMIT } from "@paysign/contracts";
import { shanghaiDayStart } from "./shanghai-days.ts";
import { notFound } from "../errors.ts";
import {
  findAgreementsPage,
  findAgreementWithHistory,
  findCustomerAgreements,
  findCustomerAgreementWithHistory,
  type AgreementFilter,
  type AgreementWithHistory,
} from "../repositories/agreement-reads.ts";
import type { Page } from "../repositories/cursor.ts";
import type { AgreementRow } from "../repositories/rows.ts";
import type { ServiceDeps } from "./deps.ts";

/** Operators: agreements, newest first, filtered (creation days are Asia/Shanghai days), one page after the cursor. */
export async function findAgreements(
  deps: ServiceDeps,
  query: Omit<AgreementFilter, "createdFrom" | "createdBefore"> & {
    createdFrom?: string | undefined;
    createdTo?: string | undefined;
    cursor?: string | undefined;
    limit?: number | undefined;
  },
): Promise<Page<AgreementRow>> {
  const { cursor, limit, createdFrom, createdTo, ...rest } = query;
  const filter: AgreementFilter = {
    ...rest,
    createdFrom: createdFrom === undefined ? undefined : shanghaiDayStart(createdFrom),
    createdBefore: createdTo === undefined ? undefined : shanghaiDayStart(createdTo, 1),
  };
  return await findAgreementsPage(deps.db.prisma, { filter, cursor, limit: limit ?? DEFAULT_PAGE_LIMIT });
}

/**
 * An agreement and its charges are read by several statements: one snapshot keeps them consistent (never a charge
 * SUCCEEDED beside the next deduction date it already advanced from).
 */
const ONE_SNAPSHOT = { isolationLevel: "RepeatableRead" } as const;

/** Operators: one agreement with every charge attempt and its full event log. */
export async function getAgreementWithHistory(deps: ServiceDeps, id: string): Promise<AgreementWithHistory> {
  const agreement = await deps.db.prisma.$transaction((tx) => findAgreementWithHistory(tx, id), ONE_SNAPSHOT);
  if (!agreement) throw notFound("Agreement");
  return agreement;
}

export async function getOwnAgreement(
  deps: ServiceDeps,
  customerId: string,
  id: string,
): Promise<AgreementWithHistory> {
  const agreement = await deps.db.prisma.$transaction(
    (tx) => findCustomerAgreementWithHistory(tx, { customerId, id }),
    ONE_SNAPSHOT,
  );
  if (!agreement) throw notFound("Agreement");
  return agreement;
}

export function listOwnAgreements(deps: ServiceDeps, customerId: string): Promise<AgreementRow[]> {
  return findCustomerAgreements(deps.db.prisma, customerId);
}
