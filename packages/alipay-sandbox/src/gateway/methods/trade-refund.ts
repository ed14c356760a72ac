import { alipayAmountToFen, fenToYuan, formatAlipayDateTime } from "@paysign/contracts";
import { OUT_TRADE_NO_PATTERN } from "@paysign/contracts/alipay";
import { readText } from "../biz-fields.ts";
import type { MethodContext, MethodHandler } from "../method-context.ts";
import { businessFailed, success } from "../results.ts";
import { applyRefund, findRefund, refundedFen } from "../../deduction/refunds.ts";
import { tradeFields } from "../../deduction/trade-fields.ts";
import type { Trade } from "../../state/types.ts";
import { userIdTypeOf } from "../../users/user-identity.ts";

function findTrade({ deps, request }: MethodContext): Trade | undefined {
  const tradeNo = readText(request.biz, "trade_no");
  const outTradeNo = readText(request.biz, "out_trade_no");
  return Object.values(deps.store.state.trades).find(
    (candidate) =>
      candidate.appId === request.app.appId &&
      (tradeNo ? candidate.tradeNo === tradeNo : candidate.outTradeNo === outTradeNo),
  );
}

function identity(context: MethodContext, trade: Trade): Record<string, unknown> {
  const fields = tradeFields(
    trade,
    context.deps.store.state.users[trade.userId],
    userIdTypeOf(context.deps.config, trade.appId),
  );
  const { trade_no, out_trade_no, buyer_logon_id, buyer_user_id, buyer_open_id } = fields;
  return { trade_no, out_trade_no, buyer_logon_id, buyer_user_id, buyer_open_id };
}

/** alipay.trade.refund (docs/alipay-protocol.md §14.2, §20.1); the rules are deduction/refunds.ts's. */
export const tradeRefund: MethodHandler = (context) => {
  const { biz } = context.request;
  if (!readText(biz, "trade_no") && !readText(biz, "out_trade_no"))
    return businessFailed("ACQ.INVALID_PARAMETER", "out_trade_no 与 trade_no 不能同时为空");
  const amountText = readText(biz, "refund_amount");
  const amountFen = amountText === null ? undefined : alipayAmountToFen(amountText);
  if (amountFen === undefined || amountFen <= 0)
    return businessFailed("ACQ.INVALID_PARAMETER", "refund_amount 必填，单位元，最多两位小数");
  const outRequestNo = readText(biz, "out_request_no");
  if (outRequestNo !== null && !OUT_TRADE_NO_PATTERN.test(outRequestNo))
    return businessFailed("ACQ.INVALID_PARAMETER", "out_request_no 最长64位的字母、数字、下划线");
  const trade = findTrade(context);
  if (!trade) return businessFailed("ACQ.TRADE_NOT_EXIST", "交易不存在");
  const outcome = applyRefund(context.deps, trade, {
    outRequestNo,
    amountFen,
    reason: readText(biz, "refund_reason") ?? undefined,
  });
  if (!outcome.ok) return businessFailed(outcome.subCode, outcome.subMsg);
  return success({
    ...identity(context, trade),
    fund_change: outcome.fundChange ? "Y" : "N",
    refund_fee: fenToYuan(refundedFen(trade)),
    send_back_fee: fenToYuan(outcome.refund.refundAmountFen),
    gmt_refund_pay: formatAlipayDateTime(new Date(outcome.refund.refundedAt)),
  });
};

/**
 * alipay.trade.fastpay.refund.query (§20.2): 10000 whenever the trade exists; the refund's fields and
 * `refund_status` REFUND_SUCCESS only when a refund of that out_request_no was made.
 */
export const tradeRefundQuery: MethodHandler = (context) => {
  const { biz } = context.request;
  if (!readText(biz, "trade_no") && !readText(biz, "out_trade_no"))
    return businessFailed("ACQ.INVALID_PARAMETER", "out_trade_no 与 trade_no 不能同时为空");
  const outRequestNo = readText(biz, "out_request_no");
  if (!outRequestNo) return businessFailed("ACQ.INVALID_PARAMETER", "out_request_no 必填");
  const trade = findTrade(context);
  if (!trade) return businessFailed("ACQ.TRADE_NOT_EXIST", "交易不存在");
  const base = { trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, out_request_no: outRequestNo };
  const refund = findRefund(trade, outRequestNo);
  if (!refund) return success(base);
  return success({
    ...base,
    total_amount: fenToYuan(trade.totalAmountFen),
    refund_amount: fenToYuan(refund.refundAmountFen),
    refund_status: "REFUND_SUCCESS",
    ...(refund.reason ? { refund_reason: refund.reason } : {}),
    gmt_refund_pay: formatAlipayDateTime(new Date(refund.refundedAt)),
  });
};
