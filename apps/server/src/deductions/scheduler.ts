import { addDays, calendarDateFromUtcMidnight, shanghaiDateOf, type ChargeStatus } from "@paysign/contracts";
import type { ServiceDeps } from "../services/deps.ts";
import { reconcileCharge, runCharge, type ChargeKey } from "./charge-engine.ts";

/** Where the scheduler hands work to: pg-boss queues, or nothing (then `runSchedulerTick` runs it inline). */
export type DeductionQueue = {
  /** One job per (agreement, D) at a time across every worker; false when one is already queued or running. */
  enqueueCharge(key: ChargeKey): Promise<boolean>;
  /** One job per charge at a time. */
  enqueueReconcile(chargeId: string): Promise<boolean>;
};

export type TickResult = {
  enqueued: number;
  results: Array<{ chargeId: string; agreementId: string; dueDate: string; status: ChargeStatus }>;
};

const TICK_LIMIT = 1_000;

/**
 * One scheduler pass (docs/product.md §8): ACTIVE agreements whose next date D is within the lead days (or already
 * past, to mark it PAST_DUE) and whose charge for D is missing or due again, and charges whose outcome is unknown
 * and due for a trade.query. With a queue and without `wait`, each becomes a singleton job; otherwise they run here,
 * one after another, and the answer says how each charge stands.
 */
export async function runSchedulerTick(
  deps: ServiceDeps,
  options: { queue?: DeductionQueue | undefined; wait?: boolean },
): Promise<TickResult> {
  const now = await deps.clock.now();
  const today = shanghaiDateOf(now);
  const horizon = addDays(today, deps.config.deductions.leadDays);
  const charges = await deps.db.prisma.$queryRaw<Array<{ agreementId: string; dueDate: Date }>>`
    SELECT a.id AS "agreementId", a."nextDeductDate" AS "dueDate"
    FROM "Agreement" a
    LEFT JOIN "Charge" c ON c."agreementId" = a.id AND c."dueDate" = a."nextDeductDate"
    WHERE a.status = 'ACTIVE' AND a."agreementNo" IS NOT NULL
      AND a."nextDeductDate" IS NOT NULL AND a."nextDeductDate" <= ${horizon}::date
      AND (c.id IS NULL
        OR (c.status = 'PENDING' AND (c."nextAttemptAt" <= ${now} OR a."nextDeductDate" < ${today}::date)))
    ORDER BY a."nextDeductDate", a.id
    LIMIT ${TICK_LIMIT}`;
  const unsettled = await deps.db.prisma.$queryRaw<Array<{ chargeId: string; agreementId: string; dueDate: Date }>>`
    SELECT c.id AS "chargeId", c."agreementId", c."dueDate"
    FROM "Charge" c
    WHERE (c.status = 'UNKNOWN' AND c."nextAttemptAt" <= ${now})
      OR (c.status = 'PROCESSING' AND EXISTS (
        SELECT 1 FROM "ChargeAttempt" t
        WHERE t."chargeId" = c.id AND t.status = 'PROCESSING' AND t."inFlightUntil" < now()))
    ORDER BY c."nextAttemptAt" NULLS FIRST, c.id
    LIMIT ${TICK_LIMIT}`;
  const keys = charges.map((row) => ({
    agreementId: row.agreementId,
    dueDate: calendarDateFromUtcMidnight(row.dueDate),
  }));
  const { queue } = options;

  if (queue && !options.wait) {
    for (const key of keys) await queue.enqueueCharge(key);
    for (const row of unsettled) await queue.enqueueReconcile(row.chargeId);
    return { enqueued: keys.length + unsettled.length, results: [] };
  }

  const results: TickResult["results"] = [];
  const report = (charge: { id: string; agreementId: string; dueDate: Date; status: ChargeStatus } | null) => {
    if (charge) {
      results.push({
        chargeId: charge.id,
        agreementId: charge.agreementId,
        dueDate: calendarDateFromUtcMidnight(charge.dueDate),
        status: charge.status,
      });
    }
  };
  for (const row of unsettled) {
    report(await settleCharge(deps, row.chargeId));
  }
  for (const key of keys) {
    try {
      report(await runCharge(deps, key));
    } catch (error) {
      deps.logger.error({ err: error, ...key }, "charge failed; the next tick tries again");
    }
  }
  return { enqueued: keys.length + unsettled.length, results };
}

/**
 * The reconcile job: settle the charge's unknown attempt with trade.query; when that shows nothing was charged and
 * the period is still open, the charge job runs on at once.
 */
export async function settleCharge(deps: ServiceDeps, chargeId: string) {
  const charge = await deps.db.prisma.charge.findUnique({ where: { id: chargeId } });
  if (!charge) return null;
  const key = { agreementId: charge.agreementId, dueDate: calendarDateFromUtcMidnight(charge.dueDate) };
  try {
    const settled = await reconcileCharge(deps, chargeId);
    if (settled === "settled") return await runCharge(deps, key);
  } catch (error) {
    deps.logger.error({ err: error, chargeId }, "reconcile failed; the next tick tries again");
  }
  return deps.db.prisma.charge.findUnique({ where: { id: chargeId } });
}
