import { addDays, calendarDateFromUtcMidnight, shanghaiDateOf, type ChargeStatus } from "@paysign/contracts";
import { findChargeById } from "../repositories/charges.ts";
import { findDuePeriods, findUnsettledCharges } from "../repositories/deductions-due.ts";
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
 * DEDUCTION_CONCURRENCY at once (the unknown outcomes first), and the answer says how each charge stands, in the
 * order selected.
 */
export async function runSchedulerTick(
  deps: ServiceDeps,
  options: { queue?: DeductionQueue | undefined; wait?: boolean },
): Promise<TickResult> {
  const now = await deps.clock.now();
  const today = shanghaiDateOf(now);
  const horizon = addDays(today, deps.config.deductions.leadDays);
  const charges = await findDuePeriods(deps.db.prisma, { now, today, horizon, limit: TICK_LIMIT });
  const unsettled = await findUnsettledCharges(deps.db.prisma, { now, limit: TICK_LIMIT });
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

  // Each charge is safe under any number of concurrent callers (row locks, one charge per period), so a pass runs
  // DEDUCTION_CONCURRENCY of them at once; the answer lists them in the order they were selected.
  const concurrency = deps.config.deductions.concurrency;
  const settled = await mapBounded(unsettled, concurrency, (row) => settleCharge(deps, row.chargeId));
  const charged = await mapBounded(keys, concurrency, async (key) => {
    try {
      return await runCharge(deps, key);
    } catch (error) {
      deps.logger.error({ err: error, ...key }, "charge failed; the next tick tries again");
      return null;
    }
  });
  const results = [...settled, ...charged].flatMap((charge) =>
    charge
      ? [
          {
            chargeId: charge.id,
            agreementId: charge.agreementId,
            dueDate: calendarDateFromUtcMidnight(charge.dueDate),
            status: charge.status,
          },
        ]
      : [],
  );
  return { enqueued: keys.length + unsettled.length, results };
}

/**
 * The reconcile job: settle the charge's unknown attempt with trade.query; when that shows nothing was charged and
 * the period is still open, the charge job runs on at once.
 */
export async function settleCharge(deps: ServiceDeps, chargeId: string) {
  const charge = await findChargeById(deps.db.prisma, chargeId);
  if (!charge) return null;
  const key = { agreementId: charge.agreementId, dueDate: calendarDateFromUtcMidnight(charge.dueDate) };
  try {
    const settled = await reconcileCharge(deps, chargeId);
    if (settled === "settled") return await runCharge(deps, key);
  } catch (error) {
    deps.logger.error({ err: error, chargeId }, "reconcile failed; the next tick tries again");
  }
  return findChargeById(deps.db.prisma, chargeId);
}

/**
 * `work` on every item with at most `limit` running at once; the answers in the items' order. A rejection rejects
 * the whole (after the running ones end), so `work` catches what it can recover from.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const answers = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      answers[index] = await work(items[index] as T);
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane);
  const outcomes = await Promise.allSettled(lanes);
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return answers;
}
