import { z } from "zod";
import { isYuan, yuanToFen } from "../money.ts";
import { calendarDateSchema, periodCountSchema, positiveYuanSchema, yuanSchema } from "../wire-formats.ts";
import { PERIOD_TYPES, findPeriodRuleIssues, type PeriodRuleFacts } from "./period-rule-checks.ts";

export const periodTypeSchema = z.enum(PERIOD_TYPES);

const periodRuleShape = {
  periodType: periodTypeSchema,
  period: periodCountSchema.meta({ description: "Units per cycle; DAY ⇒ at least 7" }),
  executeTime: calendarDateSchema.meta({ description: "First deduction date; MONTH ⇒ day ≤ 28" }),
  singleAmount: positiveYuanSchema,
  totalAmount: yuanSchema.nullish(),
  totalPayments: periodCountSchema.nullish(),
};

type RuleFields = Omit<PeriodRuleFacts, "singleAmountFen" | "totalAmountFen"> & {
  singleAmount: string;
  totalAmount?: string | null | undefined;
};

/** Adds Alipay's period rules (docs/alipay-protocol.md §2.3) as issues on the camelCase fields. */
export function refinePeriodRule(rule: RuleFields, ctx: z.RefinementCtx): void {
  if (!isYuan(rule.singleAmount)) return;
  const totalAmount = rule.totalAmount;
  const issues = findPeriodRuleIssues({
    ...rule,
    singleAmountFen: yuanToFen(rule.singleAmount),
    totalAmountFen: totalAmount == null || !isYuan(totalAmount) ? undefined : yuanToFen(totalAmount),
  });
  for (const issue of issues) {
    ctx.addIssue({ code: "custom", path: [issue.field], message: issue.message });
  }
}

/**
 * A periodic deduction rule as this API writes it. Amounts use the two-decimal form (`"19.90"`; `"19.9"` is
 * refused), while Alipay itself also reads `"19.9"`: this system always sends the canonical form.
 */
export const periodRuleSchema = z.object(periodRuleShape).superRefine(refinePeriodRule).meta({ id: "PeriodRule" });
export type PeriodRule = z.infer<typeof periodRuleSchema>;
