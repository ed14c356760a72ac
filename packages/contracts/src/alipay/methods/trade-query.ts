import { z } from "zod";
import { alipayAmountSchema, alipayDateTimeSchema } from "../../wire-formats.ts";
import { TRADE_STATUSES } from "../constants.ts";
import { gatewayResultSchema } from "../common.ts";
import { fundBillSchema } from "./trade-pay.ts";

/** `biz_content` of `alipay.trade.query` (docs/alipay-protocol.md §9): out_trade_no or trade_no (trade_no wins). */
export const tradeQueryBizContentSchema = z
  .looseObject({
    out_trade_no: z.string().min(1).max(64).optional(),
    trade_no: z.string().min(1).max(64).optional(),
    query_options: z.array(z.string()).optional(),
    org_pid: z.string().optional(),
  })
  .refine((biz) => biz.out_trade_no !== undefined || biz.trade_no !== undefined, {
    message: "pass out_trade_no or trade_no",
    path: ["out_trade_no"],
  });
export type TradeQueryBizContent = z.infer<typeof tradeQueryBizContentSchema>;

export const tradeStatusSchema = z.enum(TRADE_STATUSES);

/** Answer of `alipay.trade.query` (§9). */
export const tradeQueryResponseSchema = gatewayResultSchema.extend({
  trade_no: z.string().optional(),
  out_trade_no: z.string().optional(),
  buyer_logon_id: z.string().optional(),
  buyer_user_id: z.string().optional(),
  buyer_open_id: z.string().optional(),
  trade_status: tradeStatusSchema.optional(),
  total_amount: alipayAmountSchema.optional(),
  receipt_amount: alipayAmountSchema.optional(),
  buyer_pay_amount: alipayAmountSchema.optional(),
  point_amount: alipayAmountSchema.optional(),
  invoice_amount: alipayAmountSchema.optional(),
  send_pay_date: alipayDateTimeSchema.optional(),
  store_id: z.string().optional(),
  store_name: z.string().optional(),
  terminal_id: z.string().optional(),
  fund_bill_list: z.array(fundBillSchema).optional(),
  passback_params: z.string().optional(),
  async_pay_apply_status: z.string().optional(),
  unpaid_reason: z.string().optional(),
});
export type TradeQueryResponse = z.infer<typeof tradeQueryResponseSchema>;
