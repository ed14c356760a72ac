import {
  addDays,
  addMonths,
  compareCalendarDates,
  formatCalendarDate,
  parseCalendarDate,
  type CalendarDate,
} from "../time.ts";
import { MAX_MONTH_DAY, type PeriodType } from "./period-rule-checks.ts";

/**
 * `execute_time` for a new agreement: the signing day (Shanghai) plus the plan's first-charge delay. A MONTH
 * schedule cannot start on day 29–31 (docs/alipay-protocol.md §2.3); such a day moves forward to the 1st of the next
 * month — never back, which would put D before the intended first charge.
 */
export function firstDeductDate(options: {
  periodType: PeriodType;
  signingDate: CalendarDate;
  firstChargeDelayDays: number;
}): CalendarDate {
  const date = addDays(options.signingDate, options.firstChargeDelayDays);
  const { year, month, day } = parseCalendarDate(date);
  if (options.periodType === "DAY" || day <= MAX_MONTH_DAY) return date;
  return addMonths(formatCalendarDate({ year, month, day: 1 }), 1);
}

/** D after a successful deduction: one period later, counted from D, not from the day it was paid (§11.5). */
export function nextDeductDate(options: {
  periodType: PeriodType;
  period: number;
  current: CalendarDate;
}): CalendarDate {
  return options.periodType === "DAY"
    ? addDays(options.current, options.period)
    : addMonths(options.current, options.period);
}

/**
 * Where `today` stands against the window [D − windowDays, D] (docs/alipay-protocol.md §11.3; windowDays = 5 by the
 * 2024 docs, configurable): BEFORE (too early), OPEN, or MISSED (after D: only executionplan.modify resumes).
 */
export function deductWindowPosition(options: {
  today: CalendarDate;
  deductDate: CalendarDate;
  windowDays: number;
}): "BEFORE" | "OPEN" | "MISSED" {
  if (compareCalendarDates(options.today, options.deductDate) > 0) return "MISSED";
  return compareCalendarDates(options.today, addDays(options.deductDate, -options.windowDays)) < 0 ? "BEFORE" : "OPEN";
}
