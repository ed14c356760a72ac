import { lockAgreement } from "../repositories/agreements.ts";
import { claimFollowUp, findDueFollowUps, scheduleNextFollowUp } from "../repositories/follow-ups.ts";
import { changeAgreementStatus } from "./agreement-transitions.ts";
import { syncAgreement } from "./agreement-sync.ts";
import type { ServiceDeps } from "./deps.ts";

export type FollowUpReport = { checked: number; confirmed: number; abandoned: number; failed: number };

/**
 * Confirmation follow-up (docs/product.md §7): PENDING agreements whose client reported 7001 / 6001 / 6002, or nothing,
 * are checked with agreement.query on the FOLLOW_UP_SCHEDULE back-off until Alipay confirms them; after the last
 * step they are ABANDONED. Safe with several workers: each agreement is claimed with SKIP LOCKED.
 */
export async function runDueFollowUps(deps: ServiceDeps, limit = 50): Promise<FollowUpReport> {
  const now = await deps.clock.now();
  const report: FollowUpReport = { checked: 0, confirmed: 0, abandoned: 0, failed: 0 };
  const due = await findDueFollowUps(deps.db.prisma, { now, limit });
  for (const id of due) {
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
  // Pushed out a little so a concurrent round does not query the same agreement again.
  const claimed = await deps.db.prisma.$transaction((tx) => claimFollowUp(tx, { id, now, holdMs: 30_000 }));
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
    await scheduleNextFollowUp(tx, { id, count, at: new Date(now.getTime() + delay * 1000) });
    return undefined;
  });
}
