import { z } from "zod";
import { calendarDateSchema, isoDateTimeSchema, yuanSchema } from "../../wire-formats.ts";

export const RECONCILIATION_STATUSES = ["RUNNING", "COMPLETED", "FAILED"] as const;

/**
 * What a difference between Alipay's daily bill and our records is: a line we have no record of (MISSING_HERE), a
 * payment we recorded that the bill lacks (MISSING_AT_ALIPAY), a line whose amount is not ours (AMOUNT_DIFFERS), a
 * paid line for a charge we do not hold as paid by that trade (STATUS_DIFFERS), a second paid trade for one period
 * (DUPLICATE_TRADE).
 */
export const RECONCILIATION_DIFFERENCE_KINDS = [
  "MISSING_HERE",
  "MISSING_AT_ALIPAY",
  "AMOUNT_DIFFERS",
  "STATUS_DIFFERS",
  "DUPLICATE_TRADE",
] as const;
export type ReconciliationDifferenceKind = (typeof RECONCILIATION_DIFFERENCE_KINDS)[number];

export const reconciliationDifferenceSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(RECONCILIATION_DIFFERENCE_KINDS),
    lineType: z.enum(["TRADE", "REFUND"]),
    outTradeNo: z.string().nullable(),
    tradeNo: z.string().nullable(),
    outRequestNo: z.string().nullable(),
    chargeId: z.uuid().nullable(),
    alipayAmount: yuanSchema.nullable(),
    ourAmount: yuanSchema.nullable(),
    alipayStatus: z.string().nullable(),
    ourStatus: z.string().nullable(),
    detail: z.string(),
    suggestedAction: z.string(),
    settledAt: isoDateTimeSchema.nullable().meta({ description: "Set when a trade.query settled it automatically" }),
    settlement: z.string().nullable(),
  })
  .meta({ id: "ReconciliationDifference" });
export type ReconciliationDifference = z.infer<typeof reconciliationDifferenceSchema>;

/** One day's reconciliation (an Asia/Shanghai day of Alipay's bill) with its counts. */
export const reconciliationRunSchema = z
  .object({
    billDate: calendarDateSchema,
    status: z.enum(RECONCILIATION_STATUSES),
    tradeLines: z.number().int().nonnegative(),
    refundLines: z.number().int().nonnegative(),
    matchedLines: z.number().int().nonnegative(),
    differences: z.number().int().nonnegative(),
    settled: z.number().int().nonnegative().meta({ description: "Differences a trade.query settled" }),
    failureReason: z.string().nullable(),
    startedAt: isoDateTimeSchema,
    finishedAt: isoDateTimeSchema.nullable(),
  })
  .meta({ id: "ReconciliationRun" });
export type ReconciliationRun = z.infer<typeof reconciliationRunSchema>;

export const reconciliationDetailSchema = reconciliationRunSchema
  .extend({ differenceRows: z.array(reconciliationDifferenceSchema) })
  .meta({ id: "ReconciliationDetail" });
export type ReconciliationDetail = z.infer<typeof reconciliationDetailSchema>;
