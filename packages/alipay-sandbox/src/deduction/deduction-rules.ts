import { addDays, addMonths, type CalendarDate } from "@paysign/contracts";
import type { Agreement, PeriodRule } from "../state/types.ts";

export type RuleFailure = { subCode: string; subMsg: string };

/** §11.5: D advances one period from D (MONTH keeps the day of month), never from the pay date. */
export function advanceByPeriod(date: CalendarDate, rule: PeriodRule): CalendarDate {
  return rule.periodType === "DAY" ? addDays(date, rule.period) : addMonths(date, rule.period);
}

/**
 * §11.3–11.7 for a periodic agreement: amount caps first, then the window [D−N, D] in Shanghai dates.
 * A success advances D, so a second attempt in the same period lands before the next window and fails the same way.
 */
export function checkPeriodicDeduction(options: {
  agreement: Agreement;
  amountFen: number;
  today: CalendarDate;
  windowDays: number;
}): RuleFailure | null {
  const { agreement, amountFen, today, windowDays } = options;
  const rule = agreement.periodRule;
  const due = agreement.nextDeductDate;
  if (!rule || !due) return null;
  if (amountFen > rule.singleAmountFen) {
    return { subCode: "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED", subMsg: "周期扣款的单笔金额超过签约时限制" };
  }
  if (rule.totalAmountFen !== null && agreement.successSumFen + amountFen > rule.totalAmountFen) {
    return { subCode: "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED", subMsg: "周期扣款的累计金额超过签约时限制" };
  }
  if (rule.totalPayments !== null && agreement.successCount + 1 > rule.totalPayments) {
    return { subCode: "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED", subMsg: "周期扣款的总次数超过签约时限制" };
  }
  if (today < addDays(due, -windowDays) || today > due) {
    return {
      subCode: "ACQ.CYCLE_PAY_DATE_NOT_MATCH",
      subMsg: `扣款日期不在签约时的允许范围之内（${addDays(due, -windowDays)} 至 ${due}）`,
    };
  }
  return null;
}
