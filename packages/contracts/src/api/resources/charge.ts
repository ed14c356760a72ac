import { z } from "zod";
import { CHARGE_STATUSES } from "../../domain/charge-status.ts";
import { calendarDateSchema, isoDateTimeSchema, yuanSchema } from "../../wire-formats.ts";
import { refundSchema } from "./refund.ts";

export const chargeStatusSchema = z.enum(CHARGE_STATUSES);

/** One deduction for one period (due date D). `outTradeNo` is that of the latest attempt, null before any. */
export const chargeSchema = z
  .object({
    id: z.uuid(),
    agreementId: z.uuid(),
    dueDate: calendarDateSchema,
    amount: yuanSchema,
    status: chargeStatusSchema,
    outTradeNo: z.string().nullable(),
    tradeNo: z.string().nullable(),
    paidAt: isoDateTimeSchema.nullable(),
    failureCode: z.string().nullable(),
    failureReason: z.string().nullable(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: "Charge" });
export type Charge = z.infer<typeof chargeSchema>;

export const CHARGE_ATTEMPT_STATUSES = ["PROCESSING", "SUCCEEDED", "FAILED", "UNKNOWN"] as const;

/** One `alipay.trade.pay` call, with its own out_trade_no. */
export const chargeAttemptSchema = z
  .object({
    id: z.uuid(),
    outTradeNo: z.string(),
    status: z.enum(CHARGE_ATTEMPT_STATUSES),
    subCode: z.string().nullable(),
    subMsg: z.string().nullable(),
    tradeNo: z.string().nullable(),
    requestedAt: isoDateTimeSchema,
    settledAt: isoDateTimeSchema.nullable(),
  })
  .meta({ id: "ChargeAttempt" });
export type ChargeAttempt = z.infer<typeof chargeAttemptSchema>;

export const chargeWithAttemptsSchema = chargeSchema
  .extend({ attempts: z.array(chargeAttemptSchema), refunds: z.array(refundSchema) })
  .meta({ id: "ChargeWithAttempts" });
export type ChargeWithAttempts = z.infer<typeof chargeWithAttemptsSchema>;
