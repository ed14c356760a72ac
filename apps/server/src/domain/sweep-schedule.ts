import { addDays, calendarDateFromUtcMidnight, parseAlipayDateTime } from "@paysign/contracts";
import type { AgreementStatus } from "../generated/prisma/enums.ts";

/** AGREEMENT_SWEEP_INTERVAL_HOURS and DEDUCTION_LEAD_DAYS, the two settings the sweep's schedule follows. */
export type SweepSchedule = { intervalHours: number; leadDays: number };

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
