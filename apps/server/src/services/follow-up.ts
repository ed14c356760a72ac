import type { Agreement } from "../generated/prisma/client.ts";
import { lockAgreement } from "../repositories/agreements.ts";
import { changeAgreementStatus } from "./alipay-agreement-view.ts";
import { syncAgreement } from "./agreement-sync.ts";
import type { ServiceDeps } from "./deps.ts";

export type FollowUpReport = { checked: number; confirmed: number; abandoned: number; failed: number };

/**
 * Confirmation follow-up (product.md §7): PENDING agreements whose client reported 7001 / 6001 / 6002, or nothing,
 * are checked with agreement.query on the FOLLOW_UP_SCHEDULE back-off until Alipay confirms them; after the last
 * step they are ABANDONED. Safe with several workers: each agreement is claimed with SKIP LOCKED.
 */
export async function runDueFollowUps(deps: ServiceDeps, limit = 50): Promise<FollowUpReport> {
  const now = await deps.clock.now();
  const report: FollowUpReport = { checked: 0, confirmed: 0, abandoned: 0, failed: 0 };
  const due = await deps.db.prisma.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Agreement"
    WHERE status = 'PENDING' AND "nextFollowUpAt" <= ${now}
    ORDER BY "nextFollowUpAt" LIMIT ${limit}`;
  for (const { id } of due) {
    report.checked++;
    try {
      const outcome = await followUp(deps, id, now);
      if (outcome) report[outcome]++;
    } catch (error) {
      deps.logger.error({ err: error, agreementId: id }, "follow-up failed; it will be tried again");
    }
  }
  return report;
}

async function followUp(
  deps: ServiceDeps,
  id: string,
  now: Date,
): Promise<"confirmed" | "abandoned" | "failed" | undefined> {
  const claimed = await claim(deps, id, now);
  if (!claimed) return undefined;
  const { agreement } = await syncAgreement(deps, id, {
    source: "ALIPAY_QUERY",
    ...(claimed.clientResultStatus === "7002" ? { notSigned: "FAILED" as const } : {}),
  });
  if (agreement.status === "FAILED") return "failed";
  if (agreement.status !== "PENDING") return "confirmed";

  const schedule = deps.config.followUpScheduleSeconds;
  const count = claimed.followUpCount + 1;
  return deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, id);
    if (!locked || locked.status !== "PENDING") return undefined;
    const delay = schedule[count];
    if (delay === undefined) {
      await changeAgreementStatus(tx, {
        agreement: locked,
        to: "ABANDONED",
        event: { source: "SYSTEM", reason: `not confirmed by Alipay after ${count} checks` },
      });
      return "abandoned";
    }
    await tx.agreement.update({
      where: { id },
      data: { followUpCount: count, nextFollowUpAt: new Date(now.getTime() + delay * 1000) },
    });
    return undefined;
  });
}

/** Takes the agreement for this round: skipped when another worker holds it or it is no longer due. */
async function claim(deps: ServiceDeps, id: string, now: Date): Promise<Agreement | undefined> {
  return deps.db.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM "Agreement" WHERE id = ${id}::uuid AND status = 'PENDING' AND "nextFollowUpAt" <= ${now}
      FOR UPDATE SKIP LOCKED`;
    if (rows.length === 0) return undefined;
    // Push the next check out a little so a concurrent round does not query the same agreement again.
    return tx.agreement.update({ where: { id }, data: { nextFollowUpAt: new Date(now.getTime() + 30_000) } });
  });
}
