import { z } from "zod";
import { calendarDateSchema } from "../../wire-formats.ts";
import { adminAuthHeadersSchema, idParamsSchema, listOf, pageOf, pageQueryShape } from "../common.ts";
import { errorResponses } from "../errors.ts";
import { route } from "../route.ts";
import {
  adminAgreementDetailSchema,
  adminAgreementSchema,
  agreementStatusSchema,
  deferBodySchema,
} from "../resources/agreement.ts";
import { chargeSchema, chargeStatusSchema } from "../resources/charge.ts";
import {
  createRefundBodySchema,
  refundDuplicateBodySchema,
  refundSchema,
  refundStatusSchema,
} from "../resources/refund.ts";
import { createPlanBodySchema, planSchema, updatePlanBodySchema } from "../resources/plan.ts";
import { agreementSearchQueryShape } from "./admin-console.ts";

const adminReadErrors = errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL", "SERVICE_UNAVAILABLE");
const adminResourceErrors = errorResponses(
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INTERNAL",
  "SERVICE_UNAVAILABLE",
);
/**
 * Actions that call Alipay: the agreement's state may forbid them (409), Alipay may not answer (502) or refuse the
 * merchant's configuration (503 MERCHANT_UNAVAILABLE).
 */
const adminAlipayActionErrors = errorResponses(
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "INTERNAL",
  "ALIPAY_UNAVAILABLE",
  "SERVICE_UNAVAILABLE",
  "MERCHANT_UNAVAILABLE",
);

const admin = { tags: ["admin"], security: "admin", headers: adminAuthHeadersSchema } as const;
const agreementAnswer = z.object({ agreement: adminAgreementSchema });

export const adminCreatePlan = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/plans",
  operationId: "adminCreatePlan",
  summary: "Define a plan (product codes, sign scene, period, amounts, caps, first-charge delay, DIRECT/NOTICE)",
  body: createPlanBodySchema,
  responses: { 201: planSchema, ...adminReadErrors },
});

export const adminListPlans = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/plans",
  operationId: "adminListPlans",
  summary: "Every plan, inactive ones included",
  responses: { 200: listOf(planSchema), ...adminReadErrors },
});

export const adminUpdatePlan = route({
  ...admin,
  method: "PATCH",
  path: "/admin/v1/plans/:id",
  operationId: "adminUpdatePlan",
  summary: "Edit or deactivate a plan; signed agreements keep their terms",
  params: idParamsSchema,
  body: updatePlanBodySchema,
  responses: { 200: planSchema, ...adminResourceErrors },
});

export const adminListAgreements = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/agreements",
  operationId: "adminListAgreements",
  summary: "Agreements, newest first, filtered and paginated by cursor",
  query: z.object({
    status: agreementStatusSchema.optional(),
    customerId: z.uuid().optional(),
    planId: z.uuid().optional(),
    ...agreementSearchQueryShape,
    ...pageQueryShape,
  }),
  responses: { 200: pageOf(adminAgreementSchema), ...adminReadErrors },
});

export const adminGetAgreement = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/agreements/:id",
  operationId: "adminGetAgreement",
  summary: "One agreement with its charges (and their attempts) and its full event log",
  params: idParamsSchema,
  responses: { 200: adminAgreementDetailSchema, ...adminResourceErrors },
});

export const adminEffectAgreement = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/agreements/:id/effect",
  operationId: "adminEffectAgreement",
  summary: "Activate a TEMP (NOTICE) agreement: alipay.user.agreement.sign.effect",
  params: idParamsSchema,
  responses: { 200: agreementAnswer, ...adminAlipayActionErrors },
});

export const adminSyncAgreement = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/agreements/:id/sync",
  operationId: "adminSyncAgreement",
  summary: "Bring the agreement in line with alipay.user.agreement.query",
  params: idParamsSchema,
  responses: { 200: agreementAnswer, ...adminAlipayActionErrors },
});

export const adminUnsignAgreement = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/agreements/:id/unsign",
  operationId: "adminUnsignAgreement",
  summary: "Stop the agreement: alipay.user.agreement.unsign",
  params: idParamsSchema,
  responses: { 200: agreementAnswer, ...adminAlipayActionErrors },
});

export const adminDeferAgreement = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/agreements/:id/defer",
  operationId: "adminDeferAgreement",
  summary: "Move the next deduction later: alipay.user.agreement.executionplan.modify",
  description: "deductDate must be after the current D; for MONTH periods its day must be 28 or earlier.",
  params: idParamsSchema,
  body: deferBodySchema,
  responses: { 200: agreementAnswer, ...adminAlipayActionErrors },
});

export const adminChargeAgreement = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/agreements/:id/charges",
  operationId: "adminChargeAgreement",
  summary: "Charge the current period now (inside the window, never twice for a period)",
  params: idParamsSchema,
  responses: { 200: z.object({ charge: chargeSchema }), ...adminAlipayActionErrors },
});

export const adminRunScheduler = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/scheduler/run",
  operationId: "adminRunScheduler",
  summary: "Run one scheduler tick now; with wait, also run the charges it enqueued and report them",
  body: z.strictObject({ wait: z.boolean().optional() }),
  responses: {
    200: z.object({
      enqueued: z.number().int().nonnegative(),
      results: z
        .array(
          z.object({
            chargeId: z.uuid(),
            agreementId: z.uuid(),
            dueDate: calendarDateSchema,
            status: chargeStatusSchema,
          }),
        )
        .meta({ description: "Empty unless wait was true" }),
    }),
    ...adminReadErrors,
  },
});

export const adminListCharges = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/charges",
  operationId: "adminListCharges",
  summary: "Charges, by due date, filtered and paginated by cursor",
  query: z.object({
    status: chargeStatusSchema.optional(),
    agreementId: z.uuid().optional(),
    dueFrom: calendarDateSchema.optional(),
    dueTo: calendarDateSchema.optional(),
    failureCode: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({ description: "Only charges whose failureCode is this sub_code (e.g. ACQ.MERCHANT_STATUS_NOT_NORMAL)" }),
    refusedBy: z
      .enum(["merchant"])
      .optional()
      .meta({ description: "merchant: only charges whose last refusal was on the merchant's side" }),
    ...pageQueryShape,
  }),
  responses: { 200: pageOf(chargeSchema), ...adminReadErrors },
});

const idempotencyHeaders = adminAuthHeadersSchema.extend({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .meta({ description: "Required: the same key answers the same refund again, never a second refund" }),
});

const refundRefusalDescription =
  "409 CONFLICT with details.reason: CHARGE_NOT_SUCCEEDED, AMOUNT_OVER_REMAINING, TRADE_TOO_OLD (paid more than " +
  "90 days ago, docs/alipay-protocol.md §20.3) or NO_DUPLICATE_TRADE; IDEMPOTENCY_MISMATCH when the key was used " +
  "with another body. A refund whose answer was lost comes back PENDING and is settled by the refund query.";

export const adminRefundCharge = route({
  ...admin,
  headers: idempotencyHeaders,
  method: "POST",
  path: "/admin/v1/charges/:id/refunds",
  operationId: "adminRefundCharge",
  summary: "Refund all or part of a paid charge at Alipay (alipay.trade.refund)",
  description: refundRefusalDescription,
  params: idParamsSchema,
  body: createRefundBodySchema,
  responses: { 201: z.object({ refund: refundSchema }), ...adminAlipayActionErrors },
});

export const adminRefundDuplicateTrade = route({
  ...admin,
  headers: idempotencyHeaders,
  method: "POST",
  path: "/admin/v1/charges/:id/refund-duplicate",
  operationId: "adminRefundDuplicateTrade",
  summary: "Refund in full the second paid trade of the charge's period (the duplicate-trade case)",
  description: refundRefusalDescription,
  params: idParamsSchema,
  body: refundDuplicateBodySchema,
  responses: { 201: z.object({ refund: refundSchema }), ...adminAlipayActionErrors },
});

export const adminListRefunds = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/refunds",
  operationId: "adminListRefunds",
  summary: "Refunds, newest first, filtered and paginated by cursor",
  query: z.object({
    status: refundStatusSchema.optional(),
    chargeId: z.uuid().optional(),
    agreementId: z.uuid().optional(),
    ...pageQueryShape,
  }),
  responses: { 200: pageOf(refundSchema), ...adminReadErrors },
});

export const adminRoutes = {
  adminCreatePlan,
  adminListPlans,
  adminUpdatePlan,
  adminListAgreements,
  adminGetAgreement,
  adminEffectAgreement,
  adminSyncAgreement,
  adminUnsignAgreement,
  adminDeferAgreement,
  adminChargeAgreement,
  adminRunScheduler,
  adminListCharges,
  adminRefundCharge,
  adminRefundDuplicateTrade,
  adminListRefunds,
} as const;
