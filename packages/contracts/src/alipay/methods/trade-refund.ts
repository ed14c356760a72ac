import { z } from "zod";
import { alipayAmountToFen } from "../../money.ts";
import { alipayAmountSchema, alipayDateTimeSchema } from "../../wire-formats.ts";
import { gatewayResultSchema, outTradeNoSchema } from "../common.ts";
import { MAX_TRADE_AMOUNT_FEN } from "./trade-pay.ts";

/**
 * How many days after its payment a trade can still be refunded (docs/alipay-protocol.md §20.3): the contract's
 * refund period; three months is the shortest Alipay documents, so both sides use it. Later refunds are refused with
 * `ACQ.TRADE_NOT_ALLOWED_REFUND`.
 */
export const REFUND_WINDOW_DAYS = 90;

/** `out_request_no`: like out_trade_no, 1 to 64 letters, digits and underscores (§14.2). */
export const outRequestNoSchema = outTradeNoSchema;

const refundAmountSchema = alipayAmountSchema.refine((value) => {
  const fen = alipayAmountToFen(value) ?? 0;
  return fen >= 1 && fen <= MAX_TRADE_AMOUNT_FEN;
}, "refund_amount must be between 0.01 and 100000000.00");

const tradeReference = {
  out_trade_no: z.string().min(1).max(64).optional(),
  trade_no: z.string().min(1).max(64).optional(),
};

/** `biz_content` of `alipay.trade.refund` (docs/alipay-protocol.md §14.2, §20.1). */
export const tradeRefundBizContentSchema = z
  .looseObject({
    ...tradeReference,
    refund_amount: refundAmountSchema,
    refund_reason: z.string().max(256).optional(),
    out_request_no: outRequestNoSchema.optional(),
    query_options: z.array(z.string()).optional(),
  })
  .refine((biz) => biz.out_trade_no !== undefined || biz.trade_no !== undefined, {
    message: "pass out_trade_no or trade_no",
    path: ["out_trade_no"],
  });
export type TradeRefundBizContent = z.infer<typeof tradeRefundBizContentSchema>;

/**
 * Answer of `alipay.trade.refund` (§14.2, §20.1): `fund_change` Y when this call moved money, N when it repeated an
 * `out_request_no` already refunded; `refund_fee` is the trade's cumulative refunded amount.
 */
export const tradeRefundResponseSchema = gatewayResultSchema.extend({
  trade_no: z.string().optional(),
  out_trade_no: z.string().optional(),
  buyer_logon_id: z.string().optional(),
  buyer_user_id: z.string().optional(),
  buyer_open_id: z.string().optional(),
  fund_change: z.enum(["Y", "N"]).optional(),
  refund_fee: alipayAmountSchema.optional(),
  send_back_fee: alipayAmountSchema.optional(),
  gmt_refund_pay: alipayDateTimeSchema.optional(),
});
export type TradeRefundResponse = z.infer<typeof tradeRefundResponseSchema>;

/** `biz_content` of `alipay.trade.fastpay.refund.query` (§14.2, §20.2): `out_request_no` is required. */
export const refundQueryBizContentSchema = z
  .looseObject({
    ...tradeReference,
    out_request_no: z.string().min(1).max(64),
    query_options: z.array(z.string()).optional(),
  })
  .refine((biz) => biz.out_trade_no !== undefined || biz.trade_no !== undefined, {
    message: "pass out_trade_no or trade_no",
    path: ["out_trade_no"],
  });
export type RefundQueryBizContent = z.infer<typeof refundQueryBizContentSchema>;

/**
 * Answer of `alipay.trade.fastpay.refund.query` (§20.2): code 10000 only says the query ran. The refund happened when
 * `refund_status` is `REFUND_SUCCESS`, or (older answers without it) when `refund_amount` comes back at all.
 */
export const refundQueryResponseSchema = gatewayResultSchema.extend({
  trade_no: z.string().optional(),
  out_trade_no: z.string().optional(),
  out_request_no: z.string().optional(),
  total_amount: alipayAmountSchema.optional(),
  refund_amount: alipayAmountSchema.optional(),
  refund_status: z.string().optional(),
  refund_reason: z.string().optional(),
  gmt_refund_pay: alipayDateTimeSchema.optional(),
});
export type RefundQueryResponse = z.infer<typeof refundQueryResponseSchema>;

/** Whether a refund query's answer shows the refund done (§20.2). */
export function isRefundQueryDone(response: RefundQueryResponse): boolean {
  if (response.refund_status !== undefined) return response.refund_status === "REFUND_SUCCESS";
  return response.refund_amount !== undefined;
}
