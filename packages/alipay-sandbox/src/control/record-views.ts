import { isExpired } from "../agreements/agreement-lookup.ts";
import { fenToYuan } from "@paysign/contracts";
import type { Agreement, NotificationRecord, SandboxUser, Trade } from "../state/types.ts";
import type {
  SandboxAgreementView,
  SandboxNotificationView,
  SandboxTradeView,
  SandboxUserView,
} from "./control-api.ts";

/** Control API views use Alipay's snake_case names, like the spec's table (`agreement_no`, `trade_status`). */
export function viewAgreement(agreement: Agreement, now: Date): SandboxAgreementView {
  const rule = agreement.periodRule;
  return {
    agreement_no: agreement.agreementNo,
    external_agreement_no: agreement.externalAgreementNo,
    app_id: agreement.appId,
    alipay_user_id: agreement.userId,
    personal_product_code: agreement.personalProductCode,
    product_code: agreement.productCode,
    sign_scene: agreement.signScene,
    status: agreement.status,
    expired: isExpired(agreement, now),
    sign_time: agreement.signTime,
    valid_time: agreement.validTime,
    invalid_time: agreement.invalidTime,
    unsign_time: agreement.unsignTime,
    notify_url: agreement.notifyUrl,
    period_type: rule?.periodType ?? null,
    period: rule?.period ?? null,
    execute_time: rule?.executeTime ?? null,
    single_amount: rule ? fenToYuan(rule.singleAmountFen) : null,
    total_amount: rule?.totalAmountFen != null ? fenToYuan(rule.totalAmountFen) : null,
    total_payments: rule?.totalPayments ?? null,
    next_deduct_date: agreement.nextDeductDate,
    deducted_count: agreement.successCount,
    deducted_amount: fenToYuan(agreement.successSumFen),
    last_deduct_time: agreement.lastDeductTime,
    modify_count: agreement.modifyCount,
  };
}

export function viewTrade(trade: Trade): SandboxTradeView {
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    agreement_no: trade.agreementNo,
    app_id: trade.appId,
    buyer_user_id: trade.userId,
    total_amount: fenToYuan(trade.totalAmountFen),
    subject: trade.subject,
    product_code: trade.productCode,
    trade_status: trade.tradeStatus,
    gmt_create: trade.gmtCreate,
    gmt_payment: trade.gmtPayment,
    refund_fee: fenToYuan((trade.refunds ?? []).reduce((sum, refund) => sum + refund.refundAmountFen, 0)),
    refunds: (trade.refunds ?? []).map((refund) => ({
      out_request_no: refund.outRequestNo,
      refund_amount: fenToYuan(refund.refundAmountFen),
      refunded_at: refund.refundedAt,
      reason: refund.reason ?? null,
    })),
  };
}

export function viewUser(user: SandboxUser): SandboxUserView {
  return { userId: user.userId, logonId: user.logonId, balance: fenToYuan(user.balanceFen) };
}

/** A notification as sent, without the raw form body. */
export function viewNotification(record: NotificationRecord): SandboxNotificationView {
  const { notifyId, notifyType, url, params, attempts, delivered } = record;
  return { notifyId, notifyType, url, params, attempts, delivered };
}
