import { z } from "zod";
import { alipayAmountToFen, fenToYuan } from "../../money.ts";
import type { PeriodRule } from "../../domain/period-rule.ts";
import { PERIOD_TYPES, findPeriodRuleIssues } from "../../domain/period-rule-checks.ts";
import { alipayDateTimeSchema } from "../../wire-formats.ts";
import { ALIPAY_AGREEMENT_STATUSES } from "../../domain/alipay-agreement-status.ts";
import { ACCESS_CHANNELS, AGREEMENT_EFFECT_TYPES, DEFAULT_SIGN_SCENE, PERSONAL_PRODUCT_CODES } from "../constants.ts";
import { externalAgreementNoSchema, gatewayResultSchema, signSceneSchema, thirdPartyTypeSchema } from "../common.ts";
import { wireAmountSchema, wireIntegerSchema, wireIntegerValue } from "../wire-values.ts";

const WIRE_FIELDS = {
  period: "period",
  executeTime: "execute_time",
  singleAmount: "single_amount",
  totalAmount: "total_amount",
  totalPayments: "total_payments",
} as const;

/**
 * `period_rule_params` as Alipay reads it (docs/alipay-protocol.md §2.3): numbers or digit strings, amounts with up to two
 * decimals, and Alipay's rules: DAY ⇒ period ≥ 7, MONTH ⇒ execute_time day ≤ 28, total_amount ≥ single_amount.
 */
export const periodRuleParamsSchema = z
  .looseObject({
    period_type: z.enum(PERIOD_TYPES),
    period: wireIntegerSchema,
    execute_time: z.string().max(16),
    single_amount: wireAmountSchema,
    total_amount: wireAmountSchema.optional(),
    total_payments: wireIntegerSchema.optional(),
    scene_rule_params: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((params, ctx) => {
    const singleAmountFen = alipayAmountToFen(params.single_amount);
    if (singleAmountFen === undefined) return;
    const issues = findPeriodRuleIssues({
      periodType: params.period_type,
      period: wireIntegerValue(params.period),
      executeTime: params.execute_time,
      singleAmountFen,
      totalAmountFen: params.total_amount === undefined ? undefined : alipayAmountToFen(params.total_amount),
      totalPayments: params.total_payments === undefined ? undefined : wireIntegerValue(params.total_payments),
    });
    for (const issue of issues) {
      ctx.addIssue({ code: "custom", path: [WIRE_FIELDS[issue.field]], message: issue.message });
    }
  });
export type PeriodRuleParams = z.infer<typeof periodRuleParamsSchema>;

/** The canonical wire form of a rule this system sends: period and caps as numbers, amounts as `"19.90"`. */
export function toPeriodRuleParams(rule: PeriodRule): PeriodRuleParams {
  return {
    period_type: rule.periodType,
    period: rule.period,
    execute_time: rule.executeTime,
    single_amount: rule.singleAmount,
    ...(rule.totalAmount === undefined || rule.totalAmount === null ? {} : { total_amount: rule.totalAmount }),
    ...(rule.totalPayments === undefined || rule.totalPayments === null ? {} : { total_payments: rule.totalPayments }),
  };
}

/** Reads `period_rule_params` back into the API's form (amounts normalised to two decimals). */
export function fromPeriodRuleParams(params: PeriodRuleParams): PeriodRule {
  const toYuan = (value: string | number) => fenToYuan(alipayAmountToFen(value) ?? 0);
  return {
    periodType: params.period_type,
    period: wireIntegerValue(params.period),
    executeTime: params.execute_time,
    singleAmount: toYuan(params.single_amount),
    ...(params.total_amount === undefined ? {} : { totalAmount: toYuan(params.total_amount) }),
    ...(params.total_payments === undefined ? {} : { totalPayments: wireIntegerValue(params.total_payments) }),
  };
}

/** `biz_content` of `alipay.user.agreement.page.sign` (§2.1). */
export const pageSignBizContentSchema = z
  .looseObject({
    personal_product_code: z.string().min(1).max(64),
    access_params: z.looseObject({ channel: z.enum(ACCESS_CHANNELS) }),
    period_rule_params: periodRuleParamsSchema.optional(),
    product_code: z.string().max(64).optional(),
    sign_scene: signSceneSchema.optional(),
    external_agreement_no: externalAgreementNoSchema.optional(),
    external_logon_id: z.string().max(100).optional(),
    sign_validity_period: z
      .string()
      .regex(/^[1-9][0-9]{0,6}[dm]$/, 'a number and d or m, e.g. "2m"')
      .optional(),
    third_party_type: thirdPartyTypeSchema.optional(),
    agreement_effect_type: z.enum(AGREEMENT_EFFECT_TYPES).optional(),
    merchant_process_url: z.string().optional(),
    identity_params: z.record(z.string(), z.unknown()).optional(),
    user_age_range: z.string().optional(),
    prod_params: z.record(z.string(), z.unknown()).optional(),
    promo_params: z.string().optional(),
    sub_merchant: z.record(z.string(), z.unknown()).optional(),
    device_params: z.record(z.string(), z.unknown()).optional(),
    effect_time: z.number().int().min(0).max(86_400).optional(),
    allow_huazhi_degrade: z.string().max(10).optional(),
    pass_params: z.string().optional(),
  })
  .superRefine((biz, ctx) => {
    const periodic = biz.personal_product_code === PERSONAL_PRODUCT_CODES.CYCLE_PAY_AUTH_P;
    if (periodic && biz.period_rule_params === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["period_rule_params"],
        message: "period_rule_params is required for CYCLE_PAY_AUTH_P",
      });
    }
    if (!periodic && biz.period_rule_params !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["period_rule_params"],
        message: `period_rule_params must not be sent for ${biz.personal_product_code}`,
      });
    }
    if (biz.external_agreement_no !== undefined && (biz.sign_scene ?? DEFAULT_SIGN_SCENE) === DEFAULT_SIGN_SCENE) {
      ctx.addIssue({
        code: "custom",
        path: ["sign_scene"],
        message: "sign_scene (INDUSTRY|XXX) is required when external_agreement_no is passed",
      });
    }
  });
export type PageSignBizContent = z.infer<typeof pageSignBizContentSchema>;

/**
 * The page.sign "response" (§2.6): it never reaches the merchant server as an HTTP answer, but it is what
 * paySignCenter's `result` carries (§3) and what the server verifies.
 */
export const pageSignResponseSchema = gatewayResultSchema.extend({
  app_id: z.string().optional(),
  auth_app_id: z.string().optional(),
  charset: z.string().optional(),
  timestamp: alipayDateTimeSchema.optional(),
  agreement_no: z.string().optional(),
  external_agreement_no: z.string().optional(),
  external_logon_id: z.string().optional(),
  alipay_logon_id: z.string().optional(),
  alipay_user_id: z.string().optional(),
  alipay_open_id: z.string().optional(),
  personal_product_code: z.string().optional(),
  sign_scene: z.string().optional(),
  status: z.enum(ALIPAY_AGREEMENT_STATUSES).optional(),
  sign_time: alipayDateTimeSchema.optional(),
  valid_time: alipayDateTimeSchema.optional(),
  invalid_time: alipayDateTimeSchema.optional(),
  credit_auth_mode: z.string().optional(),
  forex_eligible: z.string().optional(),
  zm_open_id: z.string().optional(),
});
export type PageSignResponse = z.infer<typeof pageSignResponseSchema>;
