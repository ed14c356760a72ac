import { compareCalendarDates, DEFAULT_PAGE_LIMIT } from "@paysign/contracts";
import { AppError } from "../errors.ts";
import { findChargesPage, type ChargeFilter, type ChargeWithLatestAttempt } from "../repositories/charges.ts";
import type { Page } from "../repositories/cursor.ts";
import type { ServiceDeps } from "./deps.ts";

/** Operators: charges, latest due date first, filtered, one page after the cursor. */
export async function findCharges(
  deps: ServiceDeps,
  query: ChargeFilter & { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<ChargeWithLatestAttempt>> {
  const { cursor, limit, ...filter } = query;
  if (filter.dueFrom && filter.dueTo && compareCalendarDates(filter.dueFrom, filter.dueTo) > 0) {
    throw new AppError("BAD_REQUEST", "dueFrom must not be after dueTo.");
  }
  return await findChargesPage(deps.db.prisma, { filter, cursor, limit: limit ?? DEFAULT_PAGE_LIMIT });
}
