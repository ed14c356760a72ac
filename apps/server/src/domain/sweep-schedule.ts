import { addDays, calendarDateFromUtcMidnight, parseAlipayDateTime } from "@paysign/contracts";
import type { Config } from "../env.ts";
import type { Agreement } from "../generated/prisma/client.ts";
import type { AgreementStatus } from "../generated/prisma/enums.ts";
import { nextDeductDateAfter, type LifecyclePlan } from "./agreement-lifecycle.ts";

/** AGREEMENT_SWEEP_INTERVAL_HOURS and DEDUCTION_LEAD_DAYS, the two settings the sweep's schedule follows. */
export type SweepSchedule = { intervalHours: number; leadDays: number };

/** The sweep's schedule settings from the configuration. */
export function sweepScheduleOf(config: Pick<Config, "jobs" | "deductions">): SweepSchedule {
  return { intervalHours: config.jobs.agreementSweepIntervalHours, leadDays: config.deductions.leadDays };
}

/**
 * When the agreement sweep (services/agreement-sweep.ts) next asks Alipay about an agreement whose state at Alipay was
 * just learnt (by the sweep's own agreement.query, or a verified notification): `intervalHours` from `now`, or earlier
 * for an ACTIVE agreement with D (`nextDeductDate`, UTC midnight of the Shanghai date): the start (Asia/Shanghai) of
 * the day before D's charge window opens (D − `leadDays` − 1), when that is still ahead.
 */
export function nextSweepAfter(
  agreement: { status: AgreementStatus; nextDeductDate: Date | null },
  now: Date,
  schedule: SweepSchedule,
): Date {
  const slow = new Date(now.getTime() + schedule.intervalHours * 3_600_000);
  if (agreement.status !== "ACTIVE" || !agreement.nextDeductDate) return slow;
  const windowOpens = addDays(calendarDateFromUtcMidnight(agreement.nextDeductDate), -schedule.leadDays);
  const before = parseAlipayDateTime(`${addDays(windowOpens, -1)} 00:00:00`);
  return before > now && before < slow ? before : slow;
}

/**
 * The sweep's next look at an agreement a signing has just made ACTIVE (from PENDING or TEMP), when Alipay itself
 * reported it (a verified dut_user_sign or paySignCenter result, or an agreement.query): it told what the sweep's
 * query would, so the schedule above applies when it has D, and it is due at once without D (the sweep sets its first
 * date, docs/alipay-protocol.md §17.1). Undefined (left as it is) for any other transition: a TEMP agreement is asked
 * until it takes effect, a re-delivered dut_user_sign that moves a PAUSED agreement back must not hold off the sweep
 * that corrects it, and an ABANDONED duplicate is unsigned at once (§17.5).
 */
export function sweepAfterSigning(
  agreement: Pick<Agreement, "executeTime" | "nextDeductDate">,
  plan: Extract<LifecyclePlan, { kind: "transition" }>,
  at: { now: Date; schedule: SweepSchedule },
): Date | undefined {
  if (plan.to !== "ACTIVE" || (plan.from !== "PENDING" && plan.from !== "TEMP")) return undefined;
  const nextDeductDate = nextDeductDateAfter(agreement, plan.changes);
  if (!nextDeductDate) return at.now;
  return nextSweepAfter({ status: "ACTIVE", nextDeductDate }, at.now, at.schedule);
}
