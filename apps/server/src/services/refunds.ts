import { DEFAULT_PAGE_LIMIT } from "@paysign/contracts";
import type { Page } from "../repositories/cursor.ts";
import { findRefundsPage, type RefundFilter, type RefundWithAgreement } from "../repositories/refunds.ts";
import type { ServiceDeps } from "./deps.ts";

/** Operators: refunds, newest first, filtered, one page after the cursor. */
export async function findRefunds(
  deps: ServiceDeps,
  query: RefundFilter & { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<RefundWithAgreement>> {
  const { cursor, limit, ...filter } = query;
  return await findRefundsPage(deps.db.prisma, { filter, cursor, limit: limit ?? DEFAULT_PAGE_LIMIT });
}
