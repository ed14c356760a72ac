import { createHash } from "node:crypto";
import { fenToYuan } from "@paysign/contracts";
import { maskLogonId } from "../state/ids.ts";
import type { Agreement, SandboxUser, Trade } from "../state/types.ts";
import { userFields, type UserIdType } from "../users/user-identity.ts";

function optional(name: string, value: string | null): Record<string, string> {
  return value === null ? {} : { [name]: value };
}

/** A stable merchant (seller) id per app: `2088` + 12 digits. */
function sellerIdFor(appId: string): string {
  const digits = BigInt(`0x${createHash("sha256").update(appId).digest("hex").slice(0, 15)}`).toString();
  return `2088${digits.padStart(12, "0").slice(-12)}`;
}

function agreementBase(
  agreement: Agreement,
  user: SandboxUser | undefined,
  userIdType: UserIdType,
): Record<string, string> {
  const identity = { userIdType, appId: agreement.appId, userId: agreement.userId };
  return {
    app_id: agreement.appId,
    auth_app_id: agreement.appId,
    agreement_no: agreement.agreementNo,
    ...optional("external_agreement_no", agreement.externalAgreementNo),
    personal_product_code: agreement.personalProductCode,
    sign_scene: agreement.signScene,
    ...userFields(identity, { userId: "alipay_user_id", openId: "alipay_open_id" }),
    alipay_logon_id: maskLogonId(user?.logonId ?? ""),
  };
}

/** docs/alipay-protocol.md §10.2, §19.1 (`alipay_open_id` for an open-id app). */
export function buildDutUserSignParams(
  agreement: Agreement,
  user: SandboxUser | undefined,
  userIdType: UserIdType,
): Record<string, string> {
  return {
    ...agreementBase(agreement, user, userIdType),
    ...optional("external_logon_id", agreement.externalLogonId),
    status: "NORMAL",
    sign_time: agreement.signTime,
    valid_time: agreement.validTime,
    invalid_time: agreement.invalidTime,
  };
}

/** docs/alipay-protocol.md §10.3, §19.1. */
export function buildDutUserUnsignParams(
  agreement: Agreement,
  user: SandboxUser | undefined,
  userIdType: UserIdType,
): Record<string, string> {
  return {
    ...agreementBase(agreement, user, userIdType),
    status: "UNSIGN",
    unsign_time: agreement.unsignTime ?? "",
  };
}

/**
 * docs/alipay-protocol.md §10.4, with agreement_no / external_agreement_no for agreement trades; `buyer_open_id` in
 * place of `buyer_id` for an open-id app (§19.1).
 */
export function buildTradeStatusSyncParams(options: {
  trade: Trade;
  agreement: Agreement | undefined;
  user: SandboxUser | undefined;
  userIdType: UserIdType;
}): Record<string, string> {
  const { trade, agreement, user, userIdType } = options;
  const amount = fenToYuan(trade.totalAmountFen);
  return {
    app_id: trade.appId,
    auth_app_id: trade.appId,
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    ...userFields(
      { userIdType, appId: trade.appId, userId: trade.userId },
      { userId: "buyer_id", openId: "buyer_open_id" },
    ),
    buyer_logon_id: maskLogonId(user?.logonId ?? ""),
    seller_id: sellerIdFor(trade.appId),
    trade_status: trade.tradeStatus,
    total_amount: amount,
    receipt_amount: amount,
    invoice_amount: amount,
    buyer_pay_amount: amount,
    point_amount: "0.00",
    subject: trade.subject,
    gmt_create: trade.gmtCreate,
    ...optional("gmt_payment", trade.gmtPayment),
    fund_bill_list: JSON.stringify([{ amount, fundChannel: "ALIPAYACCOUNT" }]),
    agreement_no: trade.agreementNo,
    ...optional("external_agreement_no", agreement?.externalAgreementNo ?? null),
  };
}
