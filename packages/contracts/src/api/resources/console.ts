import { z } from "zod";
import { calendarDateSchema, isoDateTimeSchema, yuanSchema } from "../../wire-formats.ts";

/** `GET /admin/v1/session`, and the answer of signing in. */
export const adminSessionSchema = z
  .object({
    authenticatedBy: z.enum(["key", "cookie"]),
    expiresAt: isoDateTimeSchema.nullable().meta({ description: "When the session cookie expires; null for the key" }),
  })
  .meta({ id: "AdminSession" });
export type AdminSession = z.infer<typeof adminSessionSchema>;

/**
 * The range of the overview's money figures: Asia/Shanghai calendar days, both ends included, at most 366 days;
 * without both, the 30 days that end today (the server's clock).
 */
export const overviewQuerySchema = z
  .object({ from: calendarDateSchema.optional(), to: calendarDateSchema.optional() })
  .refine((range) => (range.from === undefined) === (range.to === undefined), {
    message: "send both from and to, or neither",
    path: ["to"],
  })
  .refine((range) => !range.from || !range.to || range.from <= range.to, {
    message: "from must not be after to",
    path: ["from"],
  })
  .refine((range) => !range.from || !range.to || Date.parse(range.to) - Date.parse(range.from) <= 365 * 86_400_000, {
    message: "the range is at most 366 days",
    path: ["to"],
  });

const dailyCountSchema = z.object({ date: calendarDateSchema, count: z.number().int().nonnegative() });

export const adminOverviewSchema = z
  .object({
    from: calendarDateSchema,
    to: calendarDateSchema,
    activeAgreements: z.number().int().nonnegative(),
    mrr: yuanSchema.meta({
      description:
        "Monthly-normalised recurring amount of ACTIVE agreements: MONTH periods single/period, DAY periods " +
        "single×30/period, rounded half up to the fen",
    }),
    charged: yuanSchema.meta({ description: "Succeeded charges paid in the range" }),
    refunded: yuanSchema.meta({ description: "Refunds made in the range (0.00 until refunds exist)" }),
    net: yuanSchema.meta({ description: "charged − refunded" }),
    chargeAttempts: z.object({
      succeeded: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
    }),
    successRate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .meta({ description: "Settled attempts requested in the range that succeeded; null without any" }),
    newAgreements: z.array(dailyCountSchema).meta({ description: "Agreements signed, per day of the range" }),
    endedAgreements: z
      .array(dailyCountSchema)
      .meta({ description: "Agreements that left ACTIVE for an end state, per day of the range" }),
    attention: z.object({
      pastDueCharges: z.number().int().nonnegative(),
      failedCharges: z.number().int().nonnegative(),
      notificationMismatches: z.number().int().nonnegative(),
      reconciliationDifferences: z
        .number()
        .int()
        .nonnegative()
        .meta({ description: "Unsettled differences of the latest reconciled day of Alipay's bill" }),
      agreementsWithoutFirstDate: z.number().int().nonnegative().meta({
        description: "ACTIVE agreements whose first deduction date the sweep gave up setting (see the server's log)",
      }),
    }),
  })
  .meta({ id: "AdminOverview" });
export type AdminOverview = z.infer<typeof adminOverviewSchema>;

export const NOTIFICATION_OUTCOMES = ["APPLIED", "NO_CHANGE", "UNKNOWN_TARGET", "MISMATCH", "IGNORED"] as const;
export const notificationOutcomeSchema = z.enum(NOTIFICATION_OUTCOMES);

/** One Alipay notification as recorded (once per notify_id) with what it did. */
export const adminNotificationSchema = z
  .object({
    id: z.uuid(),
    notifyId: z.string(),
    notifyType: z.string(),
    agreementNo: z.string().nullable(),
    outTradeNo: z.string().nullable(),
    outcome: notificationOutcomeSchema,
    detail: z.string(),
    params: z.unknown().meta({ description: "The notification's parameters as received" }),
    receivedAt: isoDateTimeSchema,
  })
  .meta({ id: "AdminNotification" });
export type AdminNotification = z.infer<typeof adminNotificationSchema>;
