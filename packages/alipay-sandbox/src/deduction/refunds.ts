import { fenToYuan, formatAlipayDateTime, tryParseAlipayDateTime } from "@paysign/contracts";
import { REFUND_WINDOW_DAYS } from "@paysign/contracts/alipay";
import { buildTradeStatusSyncParams } from "../notify/notify-params.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import type { SandboxRefund, Trade } from "../state/types.ts";
import { userIdTypeOf } from "../users/user-identity.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export type RefundRequest = {
  /** Absent: a full refund keyed by the trade_no (docs/alipay-protocol.md §20.1). */
  outRequestNo: string | null;
  amountFen: number;
  reason?: string | undefined;
};

export type RefundOutcome =
  { ok: true; refund: SandboxRefund; fundChange: boolean } | { ok: false; subCode: string; subMsg: string };

export function refundedFen(trade: Trade): number {
  return (trade.refunds ?? []).reduce((sum, refund) => sum + refund.refundAmountFen, 0);
}

function refuse(subCode: string, subMsg: string): RefundOutcome {
  return { ok: false, subCode, subMsg };
}

function sendRefundNotification(deps: SandboxDeps, trade: Trade, refund: SandboxRefund): void {
  if (!trade.notifyUrl) return;
  const { state } = deps.store;
  const base = buildTradeStatusSyncParams({
    trade,
    agreement: state.agreements[trade.agreementNo],
    user: state.users[trade.userId],
    userIdType: userIdTypeOf(deps.config, trade.appId),
  });
  // §20.4: the refund's own time with milliseconds, the cumulative refund_fee, out_biz_no = out_request_no.
  const gmtRefund = `${formatAlipayDateTime(new Date(refund.refundedAt))}.${refund.refundedAt.slice(20, 23)}`;
  deps.notifier.send({
    notifyType: "trade_status_sync",
    url: trade.notifyUrl,
    charset: trade.notifyCharset,
    params: {
      ...base,
      out_biz_no: refund.outRequestNo,
      refund_fee: fenToYuan(refundedFen(trade)),
      gmt_refund: gmtRefund,
      ...(trade.gmtClose ? { gmt_close: trade.gmtClose } : {}),
    },
  });
}

/**
 * Alipay's refund rules (docs/alipay-protocol.md §14.2, §20.1), shared by alipay.trade.refund and the control API's
 * "refund in the merchant portal": one refund per `out_request_no` per trade (a repeat with the same amount answers the
 * same refund, `fund_change` N, and moves nothing), only a paid trade, within REFUND_WINDOW_DAYS of its payment, at
 * most what is left. A refund gives the buyer's balance back, closes the trade once all is refunded, and notifies the
 * trade's notify_url.
 */
export function applyRefund(deps: SandboxDeps, trade: Trade, request: RefundRequest): RefundOutcome {
  const outRequestNo = request.outRequestNo ?? trade.tradeNo;
  const existing = (trade.refunds ?? []).find((refund) => refund.outRequestNo === outRequestNo);
  if (existing) {
    if (existing.refundAmountFen !== request.amountFen)
      return refuse("ACQ.DISCORDANT_REPEAT_REQUEST", "out_request_no 重复但退款金额不一致");
    return { ok: true, refund: existing, fundChange: false };
  }
  if (trade.tradeStatus !== "TRADE_SUCCESS") return refuse("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
  const now = deps.clock.now();
  const paidAt = trade.gmtPayment ? tryParseAlipayDateTime(trade.gmtPayment) : undefined;
  if (paidAt && now.getTime() - paidAt.getTime() > REFUND_WINDOW_DAYS * DAY_MS)
    return refuse("ACQ.TRADE_NOT_ALLOWED_REFUND", "当前交易不允许退款：已超过退款期限");
  if (request.outRequestNo === null && request.amountFen !== trade.totalAmountFen)
    return refuse("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额与原交易金额不一致");
  if (request.amountFen > trade.totalAmountFen - refundedFen(trade))
    return refuse("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额超限");

  const refund: SandboxRefund = {
    outRequestNo,
    refundAmountFen: request.amountFen,
    refundedAt: now.toISOString(),
    ...(request.reason ? { reason: request.reason } : {}),
  };
  trade.refunds = [...(trade.refunds ?? []), refund];
  const user = deps.store.state.users[trade.userId];
  if (user) user.balanceFen += request.amountFen;
  if (refundedFen(trade) === trade.totalAmountFen) {
    trade.tradeStatus = "TRADE_CLOSED";
    trade.gmtClose = formatAlipayDateTime(now);
  }
  deps.store.save();
  sendRefundNotification(deps, trade, refund);
  return { ok: true, refund, fundChange: true };
}

export function findRefund(trade: Trade, outRequestNo: string): SandboxRefund | undefined {
  return (trade.refunds ?? []).find((refund) => refund.outRequestNo === outRequestNo);
}
