import { z } from "zod";
import { isoDateTimeSchema, yuanSchema } from "../../wire-formats.ts";

export const REFUND_STATUSES = ["PENDING", "SUCCEEDED", "FAILED"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];
export const refundStatusSchema = z.enum(REFUND_STATUSES);

/** PAYSIGN: asked for through the admin API; OUTSIDE: made in Alipay's merchant portal, learnt from its notification. */
export const REFUND_SOURCES = ["PAYSIGN", "OUTSIDE"] as const;

/**
 * Money given back on one paid trade (docs/alipay-protocol.md §20). PENDING: asked at Alipay, its answer not known yet
 * (it is being settled with the refund query, never sent as a second refund); SUCCEEDED with `refundedAt`; FAILED with
 * Alipay's `subCode`.
 */
export const refundSchema = z
  .object({
    id: z.uuid(),
    chargeId: z.uuid(),
    agreementId: z.uuid(),
    tradeNo: z.string(),
    outRequestNo: z.string(),
    amount: yuanSchema,
    reason: z.string().nullable(),
    status: refundStatusSchema,
    source: z.enum(REFUND_SOURCES),
    subCode: z.string().nullable(),
    subMsg: z.string().nullable(),
    refundedAt: isoDateTimeSchema.nullable(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: "Refund" });
export type Refund = z.infer<typeof refundSchema>;

/** `POST /admin/v1/charges/:id/refunds`. */
export const createRefundBodySchema = z
  .strictObject({
    amount: yuanSchema.meta({ description: "At most what is left to refund on the charge's trade" }),
    reason: z.string().trim().min(1).max(256),
  })
  .meta({ id: "CreateRefundBody" });

/** `POST /admin/v1/charges/:id/refund-duplicate`: the whole extra trade goes back. */
export const refundDuplicateBodySchema = z
  .strictObject({ reason: z.string().trim().min(1).max(256).optional() })
  .meta({ id: "RefundDuplicateBody" });

/** Why a refund is refused before Alipay is asked (409 CONFLICT, `details.reason`). */
export const REFUND_REFUSALS = [
  "CHARGE_NOT_SUCCEEDED",
  "AMOUNT_OVER_REMAINING",
  "TRADE_TOO_OLD",
  "NO_DUPLICATE_TRADE",
] as const;
export type RefundRefusal = (typeof REFUND_REFUSALS)[number];

/** Money totals of an agreement: what was charged, what went back, and the difference. */
export const moneyTotalsSchema = z
  .object({ charged: yuanSchema, refunded: yuanSchema, net: yuanSchema })
  .meta({ id: "MoneyTotals" });
export type MoneyTotals = z.infer<typeof moneyTotalsSchema>;

/** A refund as the customer sees it in the agreement view. */
export const customerRefundSchema = refundSchema
  .pick({ id: true, chargeId: true, amount: true, reason: true, status: true, refundedAt: true, createdAt: true })
  .meta({ id: "CustomerRefund" });
export type CustomerRefund = z.infer<typeof customerRefundSchema>;
