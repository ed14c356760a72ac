import { z } from "zod";
import { externalAgreementNoSchema } from "../../alipay/common.ts";
import { ALIPAY_AGREEMENT_STATUSES } from "../../domain/alipay-agreement-status.ts";
import { AGREEMENT_STATUSES } from "../../domain/agreement-status.ts";
import { PAY_SIGN_RESULT_STATUSES, SIGN_OUTCOMES } from "../../domain/pay-sign-result.ts";
import { periodTypeSchema } from "../../domain/period-rule.ts";
import { calendarDateSchema, isoDateTimeSchema, yuanSchema } from "../../wire-formats.ts";
import { chargeSchema, chargeWithAttemptsSchema } from "./charge.ts";
import { customerRefundSchema, moneyTotalsSchema } from "./refund.ts";
import { effectTypeSchema } from "./plan.ts";

export const agreementStatusSchema = z.enum(AGREEMENT_STATUSES);
export const paySignResultStatusSchema = z.enum(PAY_SIGN_RESULT_STATUSES);

/** An agreement as its customer sees it. Terms are copied from the plan at creation and never change after. */
export const agreementSchema = z
  .object({
    id: z.uuid(),
    externalAgreementNo: externalAgreementNoSchema,
    status: agreementStatusSchema,
    planId: z.uuid(),
    agreementNo: z.string().nullable().meta({ description: "Alipay's agreement number, once known" }),
    periodType: periodTypeSchema,
    period: z.number().int().positive(),
    singleAmount: yuanSchema,
    totalAmount: yuanSchema.nullable(),
    totalPayments: z.number().int().positive().nullable(),
    executeTime: calendarDateSchema.meta({ description: "First deduction date sent to Alipay" }),
    nextDeductDate: calendarDateSchema.nullable().meta({ description: "D, once active" }),
    paymentsCount: z.number().int().nonnegative(),
    signedAt: isoDateTimeSchema.nullable(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: "Agreement" });
export type Agreement = z.infer<typeof agreementSchema>;

/**
 * `details` of the 409 CONFLICT that POST /api/v1/agreements answers when the customer already holds a live agreement
 * (TEMP, ACTIVE or PAUSED: signed at Alipay) for the plan: that agreement.
 */
export const liveAgreementConflictDetailsSchema = z
  .object({ liveAgreement: agreementSchema })
  .meta({ id: "LiveAgreementConflictDetails" });
export type LiveAgreementConflictDetails = z.infer<typeof liveAgreementConflictDetailsSchema>;

/** Who or what caused a transition. */
export const AGREEMENT_EVENT_SOURCES = [
  "NOTIFICATION",
  "ALIPAY_QUERY",
  "CLIENT_RESULT",
  "CUSTOMER",
  "ADMIN",
  "SCHEDULER",
  "SYSTEM",
] as const;

export const agreementEventSchema = z
  .object({
    id: z.uuid(),
    agreementId: z.uuid(),
    fromStatus: agreementStatusSchema.nullable(),
    toStatus: agreementStatusSchema,
    source: z.enum(AGREEMENT_EVENT_SOURCES),
    reason: z.string(),
    createdAt: isoDateTimeSchema,
  })
  .meta({ id: "AgreementEvent" });
export type AgreementEvent = z.infer<typeof agreementEventSchema>;

export const agreementDetailSchema = agreementSchema
  .extend({
    charges: z.array(chargeSchema),
    events: z.array(agreementEventSchema),
    // Optional for clients built before refunds; this server always sends both.
    refunds: z.array(customerRefundSchema).optional(),
    totals: moneyTotalsSchema.optional(),
  })
  .meta({ id: "AgreementDetail" });
export type AgreementDetail = z.infer<typeof agreementDetailSchema>;

/** An agreement as operators see it: Alipay's side and the follow-up state too. */
export const adminAgreementSchema = agreementSchema
  .extend({
    customerId: z.uuid(),
    alipayUserId: z.string().nullable(),
    alipayStatus: z.enum(ALIPAY_AGREEMENT_STATUSES).nullable(),
    productCode: z.string(),
    personalProductCode: z.string(),
    signScene: z.string(),
    effectType: effectTypeSchema,
    paidTotal: yuanSchema,
    validAt: isoDateTimeSchema.nullable(),
    invalidAt: isoDateTimeSchema.nullable(),
    clientResultStatus: paySignResultStatusSchema.nullable(),
    followUpCount: z.number().int().nonnegative(),
    nextFollowUpAt: isoDateTimeSchema.nullable(),
    nextSweepAt: isoDateTimeSchema.nullable().meta({
      description:
        "When the agreement sweep next asks Alipay about it (docs/alipay-protocol.md §17); null: its next round",
    }),
  })
  .meta({ id: "AdminAgreement" });
export type AdminAgreement = z.infer<typeof adminAgreementSchema>;

/** An event with the raw input that caused it (a notification's params, a query answer…); operators only. */
export const adminAgreementEventSchema = agreementEventSchema
  .extend({ raw: z.unknown().nullable() })
  .meta({ id: "AdminAgreementEvent" });

export const adminAgreementDetailSchema = adminAgreementSchema
  .extend({
    charges: z.array(chargeWithAttemptsSchema),
    events: z.array(adminAgreementEventSchema),
    totals: moneyTotalsSchema,
  })
  .meta({ id: "AdminAgreementDetail" });
export type AdminAgreementDetail = z.infer<typeof adminAgreementDetailSchema>;

/** `POST /api/v1/agreements`. */
export const createAgreementBodySchema = z.strictObject({ planId: z.uuid() }).meta({ id: "CreateAgreementBody" });
export type CreateAgreementBody = z.infer<typeof createAgreementBodySchema>;

export const createdAgreementSchema = z
  .object({
    agreement: agreementSchema,
    signStr: z.string().meta({
      description: "Pass to my.paySignCenter({ signStr }) as is: it is already encoded for it (do not encode again)",
    }),
  })
  .meta({ id: "CreatedAgreement" });
export type CreatedAgreement = z.infer<typeof createdAgreementSchema>;

/** `POST /api/v1/agreements/:id/sign-result`: exactly what my.paySignCenter returned. */
export const signResultBodySchema = z
  .strictObject({
    resultStatus: paySignResultStatusSchema,
    result: z.string().max(16_384).optional().meta({ description: "paySignCenter's result string, untouched" }),
  })
  .meta({ id: "SignResultBody" });
export type SignResultBody = z.infer<typeof signResultBodySchema>;

export const signResultAnswerSchema = z
  .object({
    agreement: agreementSchema,
    outcome: z.enum(SIGN_OUTCOMES).meta({ description: "What the client shows (SIGN_OUTCOME_LABELS)" }),
    liveAgreementId: z
      .uuid()
      .optional()
      .meta({
        description:
          "Present when this agreement is not live but the customer holds a live one (TEMP, ACTIVE or PAUSED) for the " +
          "same plan, e.g. this one was signed as its duplicate and is being unsigned: show that agreement instead",
      }),
  })
  .meta({ id: "SignResultAnswer" });
export type SignResultAnswer = z.infer<typeof signResultAnswerSchema>;

/** `POST /admin/v1/agreements/:id/defer` → executionplan.modify. Later than D only; MONTH ⇒ day ≤ 28. */
export const deferBodySchema = z
  .strictObject({ deductDate: calendarDateSchema, memo: z.string().max(200).optional() })
  .meta({ id: "DeferBody" });
export type DeferBody = z.infer<typeof deferBodySchema>;
