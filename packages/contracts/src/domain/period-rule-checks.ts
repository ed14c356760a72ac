import { tryParseCalendarDate } from "../time.ts";

/** Alipay's period types (docs/alipay-protocol.md §2.3): DAY = every `period` days, MONTH = every `period` natural months. */
export const PERIOD_TYPES = ["DAY", "MONTH"] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

/** DAY periods shorter than 7 days are refused by Alipay (§2.3: "不允许小于 7（可以等于 7）"). */
export const MIN_DAY_PERIOD = 7;
/** MONTH periods may start on day 1–28 only (§2.3: "不允许传28日之后的日期（可以传28日）"). */
export const MAX_MONTH_DAY = 28;

/** A period rule with amounts already in fen, so the wire (snake_case) and API (camelCase) forms share one check. */
export type PeriodRuleFacts = {
  periodType: PeriodType;
  period: number;
  /** `yyyy-MM-dd`; omitted for plans, which fix the date only when an agreement is created. */
  executeTime?: string | undefined;
  singleAmountFen: number;
  totalAmountFen?: number | null | undefined;
  totalPayments?: number | null | undefined;
};

export type PeriodRuleIssue = {
  field: "period" | "executeTime" | "singleAmount" | "totalAmount" | "totalPayments";
  message: string;
};

/** Every way the rule breaks Alipay's signing rules (§2.3, §11.8); empty when Alipay would accept it. */
export function findPeriodRuleIssues(rule: PeriodRuleFacts): PeriodRuleIssue[] {
  const issues: PeriodRuleIssue[] = [];
  if (!Number.isSafeInteger(rule.period) || rule.period < 1) {
    issues.push({ field: "period", message: "period must be a whole number of at least 1" });
  } else if (rule.periodType === "DAY" && rule.period < MIN_DAY_PERIOD) {
    issues.push({ field: "period", message: `a DAY period must be at least ${MIN_DAY_PERIOD} days (Alipay rule)` });
  }
  if (rule.executeTime !== undefined) {
    const date = tryParseCalendarDate(rule.executeTime);
    if (!date) {
      issues.push({ field: "executeTime", message: "executeTime must be a real date written yyyy-MM-dd" });
    } else if (rule.periodType === "MONTH" && date.day > MAX_MONTH_DAY) {
      issues.push({
        field: "executeTime",
        message: `a MONTH period must start on day ${MAX_MONTH_DAY} or earlier (Alipay rule); move it to the 1st of the next month`,
      });
    }
  }
  if (rule.singleAmountFen <= 0) {
    issues.push({ field: "singleAmount", message: "singleAmount must be above 0.00" });
  }
  if (rule.totalAmountFen != null && rule.totalAmountFen < rule.singleAmountFen) {
    issues.push({ field: "totalAmount", message: "totalAmount must be at least singleAmount" });
  }
  if (rule.totalPayments != null && (!Number.isSafeInteger(rule.totalPayments) || rule.totalPayments < 1)) {
    issues.push({ field: "totalPayments", message: "totalPayments must be a whole number of at least 1" });
  }
  return issues;
}
