import { readText } from "../biz-fields.ts";
import type { MethodHandler } from "../method-context.ts";
import { businessFailed, success } from "../results.ts";
import { tradeFields } from "../../deduction/trade-fields.ts";
import { userIdTypeOf } from "../../users/user-identity.ts";

/** alipay.trade.query (§9): trade_no wins over out_trade_no. */
export const tradeQuery: MethodHandler = ({ deps, request }) => {
  const { state } = deps.store;
  const tradeNo = readText(request.biz, "trade_no");
  const outTradeNo = readText(request.biz, "out_trade_no");
  if (!tradeNo && !outTradeNo) return businessFailed("ACQ.INVALID_PARAMETER", "out_trade_no 与 trade_no 不能同时为空");
  const trade = Object.values(state.trades).find(
    (candidate) =>
      candidate.appId === request.app.appId &&
      (tradeNo ? candidate.tradeNo === tradeNo : candidate.outTradeNo === outTradeNo),
  );
  if (!trade) return businessFailed("ACQ.TRADE_NOT_EXIST", "交易不存在");
  const fields = tradeFields(trade, state.users[trade.userId], userIdTypeOf(deps.config, trade.appId));
  return success({ ...fields, trade_status: trade.tradeStatus, send_pay_date: trade.gmtPayment ?? undefined });
};
