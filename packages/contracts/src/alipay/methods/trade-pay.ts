import { z } from "zod";
import { alipayAmountToFen } from "../../money.ts";
import { alipayAmountSchema, alipayDateTimeSchema } from "../../wire-formats.ts";
import { gatewayResultSchema, outTradeNoSchema } from "../common.ts";

/** 0.01 to 100,000,000 yuan (docs/alipay-protocol.md §8, ACQ.TOTAL_FEE_EXCEED). */
export const MAX_TRADE_AMOUNT_FEN = 100_000_000_00;

export const tradeAmountSchema = alipayAmountSchema.refine((value) => {
  const fen = alipayAmountToFen(value) ?? 0;
  return fen >= 1 && fen <= MAX_TRADE_AMOUNT_FEN;
}, "total_amount must be between 0.01 and 100000000.00");

export const agreementParamsSchema = z.looseObject({
  agreement_no: z.string().min(1),
  apply_token: z.string().optional(),
  auth_confirm_no: z.string().optional(),
  deduct_permission: z.string().optional(),
});

/** `biz_content` of `alipay.trade.pay` for an agreement deduction (§8). */
export const tradePayBizContentSchema = z.looseObject({
  out_trade_no: outTradeNoSchema,
  total_amount: tradeAmountSchema,
  subject: z
    .string()
    .min(1)
    .max(256)
    .refine((value) => !/[/=&]/.test(value), "subject must not contain / = or &"),
  product_code: z.string().min(1).max(64),
  agreement_params: agreementParamsSchema,
  body: z.string().max(128).optional(),
  timeout_express: z.string().optional(),
  time_expire: z.string().optional(),
  is_async_pay: z.boolean().optional(),
  query_options: z.array(z.string()).optional(),
  passback_params: z.string().optional(),
  extend_params: z.record(z.string(), z.unknown()).optional(),
  seller_id: z.string().optional(),
  store_id: z.string().optional(),
  operator_id: z.string().optional(),
  terminal_id: z.string().optional(),
});
export type TradePayBizContent = z.infer<typeof tradePayBizContentSchema>;

/** `fund_bill_list` items in answers (snake_case `fund_channel`; notifications use camelCase, §10.4). */
export const fundBillSchema = z.looseObject({ amount: alipayAmountSchema, fund_channel: z.string() });

/** Answer of `alipay.trade.pay` (§8). */
export const tradePayResponseSchema = gatewayResultSchema.extend({
  trade_no: z.string().optional(),
  out_trade_no: z.string().optional(),
  buyer_logon_id: z.string().optional(),
  buyer_user_id: z.string().optional(),
  buyer_open_id: z.string().optional(),
  total_amount: alipayAmountSchema.optional(),
  receipt_amount: alipayAmountSchema.optional(),
  buyer_pay_amount: alipayAmountSchema.optional(),
  point_amount: alipayAmountSchema.optional(),
  invoice_amount: alipayAmountSchema.optional(),
  discount_amount: alipayAmountSchema.optional(),
  mdiscount_amount: alipayAmountSchema.optional(),
  gmt_payment: alipayDateTimeSchema.optional(),
  fund_bill_list: z.array(fundBillSchema).optional(),
  store_name: z.string().optional(),
  voucher_detail_list: z.array(z.record(z.string(), z.unknown())).optional(),
  async_payment_mode: z.string().optional(),
  async_pay_apply_status: z.string().optional(),
  can_turn_to_app_pay: z.string().optional(),
});
export type TradePayResponse = z.infer<typeof tradePayResponseSchema>;
