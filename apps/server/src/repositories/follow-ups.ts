import type { Tx } from "./transaction.ts";

/** PENDING agreements whose next confirmation check is due, the most overdue first. */
export async function findDueFollowUps(db: Tx, input: { now: Date; limit: number }): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Agreement"
    WHERE status = 'PENDING' AND "nextFollowUpAt" <= ${input.now}
    ORDER BY "nextFollowUpAt" LIMIT ${input.limit}`;
  return rows.map((row) => row.id);
}

/**
 * Takes a due PENDING agreement for one follow-up round: skipped (null) when another worker holds it or it is no
 * longer due; otherwise its next check is pushed out by `holdMs`, so a concurrent round does not query it again.
 */
export async function claimFollowUp(db: Tx, input: { id: string; now: Date; holdMs: number }) {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Agreement"
    WHERE id = ${input.id}::uuid AND status = 'PENDING' AND "nextFollowUpAt" <= ${input.now}
    FOR UPDATE SKIP LOCKED`;
  if (rows.length === 0) return null;
  return db.agreement.update({
    where: { id: input.id },
    data: { nextFollowUpAt: new Date(input.now.getTime() + input.holdMs) },
  });
}

/** The follow-up's next check: `count` checks made so far, the next one at `at`. */
export async function scheduleNextFollowUp(db: Tx, input: { id: string; count: number; at: Date }): Promise<void> {
  await db.agreement.update({
    where: { id: input.id },
    data: { followUpCount: input.count, nextFollowUpAt: input.at },
  });
}
