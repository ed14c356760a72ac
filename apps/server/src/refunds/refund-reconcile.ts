import { findRefundsDueForQuery } from "../repositories/refunds.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { reconcileRefund } from "./refund-engine.ts";

const BATCH = 50;

/**
 * One pass of the refund reconcile job (queue `refund-reconcile`): every PENDING refund whose next query is due is
 * asked with the refund query (refund-engine.ts reconcileRefund), oldest first. Returns how many were settled.
 */
export async function runRefundReconcile(deps: ServiceDeps): Promise<{ asked: number; settled: number }> {
  const due = await findRefundsDueForQuery(deps.db.prisma, { now: await deps.clock.now(), limit: BATCH });
  let settled = 0;
  for (const refundId of due) {
    try {
      if ((await reconcileRefund(deps, refundId)) === "settled") settled += 1;
    } catch (error) {
      deps.logger.warn({ err: error, refundId }, "refund reconcile failed; asked again on the next pass");
    }
  }
  return { asked: due.length, settled };
}
