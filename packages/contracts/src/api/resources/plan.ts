import { z } from "zod";
import { periodCountSchema, plainTextSchema } from "../../wire-formats.ts";
import { industrySignSceneSchema } from "../../alipay/common.ts";
import { PERSONAL_PRODUCT_CODES, PRODUCT_CODES } from "../../alipay/constants.ts";
import { periodTypeSchema, refinePeriodRule } from "../../domain/period-rule.ts";
import { isoDateTimeSchema, positiveYuanSchema, yuanSchema } from "../../wire-formats.ts";

/**
 * Plans are periodic: `personal_product_code` is always CYCLE_PAY_AUTH_P (plain withholding has no period rule and
 * no place in a subscription), with `product_code` CYCLE_PAY_AUTH (周期扣款) or GENERAL_WITHHOLDING (商家扣款)
 * (docs/alipay-protocol.md §0).
 */
export const planProductCodeSchema = z.enum([PRODUCT_CODES.CYCLE_PAY_AUTH, PRODUCT_CODES.GENERAL_WITHHOLDING]);
export const planPersonalProductCodeSchema = z.literal(PERSONAL_PRODUCT_CODES.CYCLE_PAY_AUTH_P);
export const effectTypeSchema = z
  .enum(["DIRECT", "NOTICE"])
  .meta({ description: "DIRECT: active once signed; NOTICE: TEMP until the merchant calls sign.effect" });
export const signValidityPeriodSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,6}[dm]$/, 'a number and d (days) or m (months), e.g. "12m"');

export const planSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    productCode: planProductCodeSchema,
    personalProductCode: planPersonalProductCodeSchema,
    signScene: industrySignSceneSchema,
    periodType: periodTypeSchema,
    period: z.number().int().positive(),
    singleAmount: yuanSchema,
    totalAmount: yuanSchema.nullable(),
    totalPayments: z.number().int().positive().nullable(),
    firstChargeDelayDays: z.number().int().nonnegative(),
    effectType: effectTypeSchema,
    signValidityPeriod: signValidityPeriodSchema.nullable(),
    active: z.boolean(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: "Plan" });
export type Plan = z.infer<typeof planSchema>;

const planInputShape = {
  name: plainTextSchema.trim().min(1).max(100),
  description: plainTextSchema.max(1000).optional(),
  productCode: planProductCodeSchema,
  personalProductCode: planPersonalProductCodeSchema.optional(),
  signScene: industrySignSceneSchema,
  periodType: periodTypeSchema,
  period: periodCountSchema,
  singleAmount: positiveYuanSchema,
  totalAmount: yuanSchema.nullish(),
  totalPayments: periodCountSchema.nullish(),
  firstChargeDelayDays: z.number().int().min(0).max(365).optional(),
  effectType: effectTypeSchema.optional(),
  signValidityPeriod: signValidityPeriodSchema.nullish(),
  active: z.boolean().optional(),
};

/** `POST /admin/v1/plans`. Alipay's period rules apply (DAY ⇒ period ≥ 7; totalAmount ≥ singleAmount). */
export const createPlanBodySchema = z
  .strictObject(planInputShape)
  .superRefine(refinePeriodRule)
  .meta({ id: "CreatePlanBody" });
export type CreatePlanBody = z.infer<typeof createPlanBodySchema>;

/**
 * `PATCH /admin/v1/plans/:id`: any subset (deactivate with `{ "active": false }`). Rules that tie fields together
 * (DAY ⇒ period ≥ 7, totalAmount ≥ singleAmount) need the stored plan: the server checks the merged plan with
 * `findPeriodRuleIssues`. Edits reach new agreements only; signed agreements keep their terms.
 */
export const updatePlanBodySchema = z
  .strictObject({
    name: planInputShape.name.optional(),
    description: planInputShape.description,
    productCode: planProductCodeSchema.optional(),
    signScene: industrySignSceneSchema.optional(),
    periodType: periodTypeSchema.optional(),
    period: planInputShape.period.optional(),
    singleAmount: positiveYuanSchema.optional(),
    totalAmount: planInputShape.totalAmount,
    totalPayments: planInputShape.totalPayments,
    firstChargeDelayDays: planInputShape.firstChargeDelayDays,
    effectType: effectTypeSchema.optional(),
    signValidityPeriod: planInputShape.signValidityPeriod,
    active: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "send at least one field to change")
  .meta({ id: "UpdatePlanBody" });
export type UpdatePlanBody = z.infer<typeof updatePlanBodySchema>;
