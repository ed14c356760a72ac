import { z } from "zod";
import { alipayAmountSchema, alipayDateTimeSchema } from "../wire-formats.ts";
import { TRADE_STATUSES } from "./constants.ts";

/**
 * Asynchronous notifications (docs/alipay-protocol.md §10) as posted in the form: every value a string. Objects are
 * loose: unknown fields are kept, because the signature covers them all. Parse only after the signature verified.
 */
const notificationBaseShape = {
  notify_id: z.string().min(1),
  notify_time: alipayDateTimeSchema,
  app_id: z.string().min(1),
  auth_app_id: z.string().optional(),
  charset: z.string().optional(),
  version: z.string().optional(),
  sign_type: z.string().optional(),
  sign: z.string().min(1),
};

const agreementNotificationShape = {
  ...notificationBaseShape,
  agreement_no: z.string().min(1),
  external_agreement_no: z.string().optional(),
  personal_product_code: z.string().min(1),
  sign_scene: z.string().optional(),
  alipay_user_id: z.string().optional(),
  alipay_open_id: z.string().optional(),
  alipay_logon_id: z.string().optional(),
};

/** `dut_user_sign` (§10.2): the agreement is NORMAL. */
export const dutUserSignNotificationSchema = z.looseObject({
  ...agreementNotificationShape,
  notify_type: z.literal("dut_user_sign"),
  status: z.literal("NORMAL"),
  sign_time: alipayDateTimeSchema.optional(),
  valid_time: alipayDateTimeSchema.optional(),
  invalid_time: alipayDateTimeSchema.optional(),
  login_token: z.string().optional(),
});
export type DutUserSignNotification = z.infer<typeof dutUserSignNotificationSchema>;

/** `dut_user_unsign` (§10.3): the user or the merchant ended the agreement. */
export const dutUserUnsignNotificationSchema = z.looseObject({
  ...agreementNotificationShape,
  notify_type: z.literal("dut_user_unsign"),
  status: z.literal("UNSIGN"),
  unsign_time: alipayDateTimeSchema.optional(),
});
export type DutUserUnsignNotification = z.infer<typeof dutUserUnsignNotificationSchema>;

/** `trade_status_sync` (§10.4). `fund_bill_list` and `voucher_detail_list` arrive as JSON strings. */
export const tradeStatusSyncNotificationSchema = z.looseObject({
  ...notificationBaseShape,
  notify_type: z.literal("trade_status_sync"),
  trade_no: z.string().min(1),
  out_trade_no: z.string().min(1),
  trade_status: z.enum(TRADE_STATUSES),
  total_amount: alipayAmountSchema,
  out_biz_no: z.string().optional(),
  buyer_id: z.string().optional(),
  buyer_logon_id: z.string().optional(),
  buyer_open_id: z.string().optional(),
  seller_id: z.string().optional(),
  seller_email: z.string().optional(),
  receipt_amount: alipayAmountSchema.optional(),
  invoice_amount: alipayAmountSchema.optional(),
  buyer_pay_amount: alipayAmountSchema.optional(),
  point_amount: alipayAmountSchema.optional(),
  refund_fee: alipayAmountSchema.optional(),
  subject: z.string().optional(),
  body: z.string().optional(),
  gmt_create: alipayDateTimeSchema.optional(),
  gmt_payment: alipayDateTimeSchema.optional(),
  /** `yyyy-MM-dd HH:mm:ss.SSS`: refunds carry milliseconds. */
  gmt_refund: z.string().optional(),
  gmt_close: alipayDateTimeSchema.optional(),
  fund_bill_list: z.string().optional(),
  passback_params: z.string().optional(),
  voucher_detail_list: z.string().optional(),
  agreement_no: z.string().optional(),
  external_agreement_no: z.string().optional(),
});
export type TradeStatusSyncNotification = z.infer<typeof tradeStatusSyncNotificationSchema>;

/** Every notification this system handles, told apart by `notify_type` (§10.1). */
export const alipayNotificationSchema = z.discriminatedUnion("notify_type", [
  dutUserSignNotificationSchema,
  dutUserUnsignNotificationSchema,
  tradeStatusSyncNotificationSchema,
]);
export type AlipayNotification = z.infer<typeof alipayNotificationSchema>;

export const NOTIFY_TYPES = ["dut_user_sign", "dut_user_unsign", "trade_status_sync"] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];
