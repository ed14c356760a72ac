import { MAX_TRADE_AMOUNT_FEN, OUT_TRADE_NO_PATTERN } from "@paysign/contracts/alipay";
import { isExpired } from "../../agreements/agreement-lookup.ts";
import { readObject, readText } from "../biz-fields.ts";
import type { MethodHandler } from "../method-context.ts";
import { businessFailed, payInProcess, success, type GatewayBody } from "../results.ts";
import { alipayAmountToFen, formatAlipayDateTime, shanghaiDateOf } from "@paysign/contracts";
import { buildTradeStatusSyncParams } from "../../notify/notify-params.ts";
import type { SandboxDeps } from "../../sandbox-deps.ts";
import { createTradeNo } from "../../state/ids.ts";
import type { Agreement, Trade } from "../../state/types.ts";
import { advanceByPeriod, checkPeriodicDeduction } from "../../deduction/deduction-rules.ts";
import { tradeFields } from "../../deduction/trade-fields.ts";
import { userIdTypeOf } from "../../users/user-identity.ts";

const WITHHOLDING_PRODUCTS: Record<string, readonly string[]> = {
  CYCLE_PAY_AUTH_P: ["CYCLE_PAY_AUTH", "GENERAL_WITHHOLDING"],
  GENERAL_WITHHOLDING_P: ["GENERAL_WITHHOLDING"],
};

type PayRequest = { outTradeNo: string; amountFen: number; subject: string; productCode: string; agreementNo: string };

function parsePayRequest(biz: Record<string, unknown>): PayRequest | GatewayBody {
  const outTradeNo = readText(biz, "out_trade_no");
  const amountText = readText(biz, "total_amount");
  const subject = readText(biz, "subject");
  const productCode = readText(biz, "product_code");
  const agreementNo = readText(readObject(biz, "agreement_params") ?? {}, "agreement_no");
  if (!outTradeNo || !OUT_TRADE_NO_PATTERN.test(outTradeNo)) {
    return businessFailed("ACQ.INVALID_PARAMETER", "out_trade_no 必填，最长64位的字母、数字、下划线");
  }
  if (!subject || /[/=&]/.test(subject)) {
    return businessFailed("ACQ.INVALID_PARAMETER", "subject 必填，且不能含 / = & 等特殊字符");
  }
  const amountFen = amountText === null ? undefined : alipayAmountToFen(amountText);
  if (amountFen === undefined)
    return businessFailed("ACQ.INVALID_PARAMETER", "total_amount 必填，单位元，最多两位小数");
  if (amountFen <= 0 || amountFen > MAX_TRADE_AMOUNT_FEN)
    return businessFailed("ACQ.TOTAL_FEE_EXCEED", "订单金额超过限额");
  if (!productCode || !Object.values(WITHHOLDING_PRODUCTS).flat().includes(productCode)) {
    return businessFailed(
      "ACQ.ACCESS_FORBIDDEN",
      "无权限使用接口：沙箱只支持 CYCLE_PAY_AUTH / GENERAL_WITHHOLDING 协议扣款",
    );
  }
  if (!agreementNo) return businessFailed("ACQ.INVALID_PARAMETER", "agreement_params.agreement_no 必填");
  return { outTradeNo, amountFen, subject, productCode, agreementNo };
}

function sameRequest(trade: Trade, request: PayRequest): boolean {
  return (
    trade.totalAmountFen === request.amountFen &&
    trade.productCode === request.productCode &&
    trade.agreementNo === request.agreementNo &&
    trade.subject === request.subject
  );
}

/** §8: out_trade_no is checked before everything else, as Alipay's trade system looks the order up first. */
function answerExistingTrade(deps: SandboxDeps, trade: Trade, request: PayRequest): GatewayBody {
  if (!sameRequest(trade, request)) return businessFailed("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
  const fields = tradeFields(trade, deps.store.state.users[trade.userId], userIdTypeOf(deps.config, trade.appId));
  switch (trade.tradeStatus) {
    case "TRADE_SUCCESS":
      return businessFailed("ACQ.TRADE_HAS_SUCCESS", "交易已被支付", fields);
    case "WAIT_BUYER_PAY":
      return payInProcess(fields);
    case "TRADE_CLOSED":
      return businessFailed("ACQ.TRADE_HAS_CLOSE", "交易已经关闭");
    default: {
      const unreachable: never = trade.tradeStatus;
      return unreachable;
    }
  }
}

function checkAgreement(agreement: Agreement | undefined, request: PayRequest, now: Date): GatewayBody | null {
  if (!agreement || agreement.status === "UNSIGN") {
    return businessFailed("ACQ.AGREEMENT_NOT_EXIST", "用户协议不存在或已解约");
  }
  const allowed = WITHHOLDING_PRODUCTS[agreement.personalProductCode] ?? [];
  const productMatches = agreement.productCode
    ? agreement.productCode === request.productCode
    : allowed.includes(request.productCode);
  if (!productMatches) return businessFailed("ACQ.AGREEMENT_ERROR", "协议信息异常：product_code 与签约产品不匹配");
  if (isExpired(agreement, now)) return businessFailed("ACQ.AGREEMENT_INVALID", "用户协议已失效");
  if (agreement.status === "TEMP" || agreement.status === "STOP")
    return businessFailed("ACQ.AGREEMENT_STATUS_NOT_NORMAL", "用户协议状态非NORMAL");
  return null;
}

function notifyTrade(deps: SandboxDeps, trade: Trade): void {
  if (!trade.notifyUrl) return;
  const { state } = deps.store;
  deps.notifier.send({
    notifyType: "trade_status_sync",
    url: trade.notifyUrl,
    charset: trade.notifyCharset,
    params: buildTradeStatusSyncParams({
      trade,
      agreement: state.agreements[trade.agreementNo],
      user: state.users[trade.userId],
      userIdType: userIdTypeOf(deps.config, trade.appId),
    }),
  });
}

function settleLater(deps: SandboxDeps, trade: Trade): void {
  const timer = setTimeout(() => {
    deps.timers.delete(timer);
    trade.tradeStatus = "TRADE_SUCCESS";
    trade.gmtPayment = formatAlipayDateTime(deps.clock.now());
    deps.store.save();
    notifyTrade(deps, trade);
  }, deps.config.payInProcessSettleMs);
  deps.timers.add(timer);
}

/**
 * alipay.trade.pay with agreement_params (§8, §11, check order of §12). Failures create no trade, so the same
 * out_trade_no may be retried. Under a `pay-in-process` fault the trade is created WAIT_BUYER_PAY with its effects
 * (balance, D, counts) applied at once, answered 10003, and settles as TRADE_SUCCESS after payInProcessSettleMs.
 */
export const tradePay: MethodHandler = ({ deps, request, now, payInProcess: inProcess }) => {
  const { state } = deps.store;
  const parsed = parsePayRequest(request.biz);
  if ("code" in parsed) return parsed;
  const appId = request.app.appId;
  const existing = Object.values(state.trades).find((t) => t.appId === appId && t.outTradeNo === parsed.outTradeNo);
  if (existing) return answerExistingTrade(deps, existing, parsed);
  const found = state.agreements[parsed.agreementNo];
  const agreement = found && found.appId === appId ? found : undefined;
  const agreementError = checkAgreement(agreement, parsed, now);
  if (agreementError || !agreement)
    return agreementError ?? businessFailed("ACQ.AGREEMENT_NOT_EXIST", "用户协议不存在");
  const ruleFailure = checkPeriodicDeduction({
    agreement,
    amountFen: parsed.amountFen,
    today: shanghaiDateOf(now),
    windowDays: deps.config.deductionWindowDays,
  });
  if (ruleFailure) return businessFailed(ruleFailure.subCode, ruleFailure.subMsg);
  const user = state.users[agreement.userId];
  if (!user || user.balanceFen < parsed.amountFen)
    return businessFailed("ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足");

  const paidAt = formatAlipayDateTime(now);
  const trade: Trade = {
    tradeNo: createTradeNo(now),
    outTradeNo: parsed.outTradeNo,
    appId,
    agreementNo: agreement.agreementNo,
    userId: user.userId,
    totalAmountFen: parsed.amountFen,
    subject: parsed.subject,
    productCode: parsed.productCode,
    tradeStatus: inProcess ? "WAIT_BUYER_PAY" : "TRADE_SUCCESS",
    gmtCreate: paidAt,
    gmtPayment: inProcess ? null : paidAt,
    notifyUrl: request.params.notify_url || null,
    ...(request.charset ? { notifyCharset: request.charset } : {}),
  };
  state.trades[trade.tradeNo] = trade;
  user.balanceFen -= parsed.amountFen;
  agreement.successCount += 1;
  agreement.successSumFen += parsed.amountFen;
  agreement.lastDeductTime = paidAt;
  if (agreement.periodRule && agreement.nextDeductDate) {
    agreement.nextDeductDate = advanceByPeriod(agreement.nextDeductDate, agreement.periodRule);
  }
  deps.store.save();
  if (inProcess) {
    settleLater(deps, trade);
    return payInProcess(tradeFields(trade, user, userIdTypeOf(deps.config, trade.appId)));
  }
  notifyTrade(deps, trade);
  return success(tradeFields(trade, user, userIdTypeOf(deps.config, trade.appId)));
};
