import type { Tx } from "./transaction.ts";

// The agreements the sweep (services/agreement-sweep.ts) asks Alipay about: signed, paused or TEMP ones (a pause, a
// resume or a user unsign may never be notified; a TEMP one left so would block its customer's plan), and ABANDONED ones Alipay reports signed (to unsign them), each when its
// `nextSweepAt` is due or was never set.
const dueCondition = `
  "agreementNo" IS NOT NULL
  AND ("status" IN ('ACTIVE', 'PAUSED', 'TEMP') OR ("status" = 'ABANDONED' AND "alipayStatus" IS NOT NULL))
  AND ("nextSweepAt" IS NULL OR "nextSweepAt" <= $1::timestamptz)`;

/** Agreements due for a sweep, the most overdue first (never swept before the rest). */
export async function findDueSweeps(db: Tx, input: { now: Date; limit: number }): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
    `SELECT id FROM "Agreement" WHERE ${dueCondition} ORDER BY "nextSweepAt" NULLS FIRST, id LIMIT $2`,
    input.now,
    input.limit,
  );
  return rows.map((row) => row.id);
}

/**
 * Takes a due agreement for one sweep (SKIP LOCKED, like the confirmation follow-up): null when another worker holds
 * it or it is no longer due; otherwise its next sweep is pushed out by `holdMs`, so a concurrent round skips it.
 */
export async function claimSweep(db: Tx, input: { id: string; now: Date; holdMs: number }): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
    `SELECT id FROM "Agreement" WHERE id = $2::uuid AND ${dueCondition} FOR UPDATE SKIP LOCKED`,
    input.now,
    input.id,
  );
  if (rows.length === 0) return false;
  await scheduleNextSweep(db, { id: input.id, at: new Date(input.now.getTime() + input.holdMs) });
  return true;
}

export async function scheduleNextSweep(db: Tx, input: { id: string; at: Date }): Promise<void> {
  await db.agreement.update({ where: { id: input.id }, data: { nextSweepAt: input.at } });
}

/** Sets the first deduction date D the sweep read from Alipay, only while the locked agreement is ACTIVE without one. */
export async function setFirstDeductDate(db: Tx, input: { id: string; date: Date }): Promise<boolean> {
  const { count } = await db.agreement.updateMany({
    where: { id: input.id, status: "ACTIVE", nextDeductDate: null },
    data: { nextDeductDate: input.date },
  });
  return count === 1;
}

/** Counts one more sweep that could not set the agreement's first deduction date; returns the new count. */
export async function countFirstDateAttempt(db: Tx, id: string): Promise<number> {
  const updated = await db.agreement.update({
    where: { id },
    data: { firstDateAttempts: { increment: 1 } },
    select: { firstDateAttempts: true },
  });
  return updated.firstDateAttempts;
}

/** ACTIVE agreements still without a first deduction date after `attempts` sweeps tried to set it. */
export async function countAgreementsWithoutFirstDate(db: Tx, attempts: number): Promise<number> {
  return db.agreement.count({
    where: { status: "ACTIVE", nextDeductDate: null, firstDateAttempts: { gte: attempts } },
  });
}
