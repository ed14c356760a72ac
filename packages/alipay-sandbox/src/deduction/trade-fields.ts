import { fenToYuan } from "@paysign/contracts";
import { maskLogonId } from "../state/ids.ts";
import type { SandboxUser, Trade } from "../state/types.ts";
import { userFields, type UserIdType } from "../users/user-identity.ts";

/** §8/§9 response fields of a trade; `buyer_open_id` in place of `buyer_user_id` for an open-id app (§19.1). */
export function tradeFields(
  trade: Trade,
  user: SandboxUser | undefined,
  userIdType: UserIdType,
): Record<string, unknown> {
  const amount = fenToYuan(trade.totalAmountFen);
  const paid = trade.tradeStatus === "TRADE_SUCCESS";
  return {
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: maskLogonId(user?.logonId ?? ""),
    ...userFields(
      { userIdType, appId: trade.appId, userId: trade.userId },
      { userId: "buyer_user_id", openId: "buyer_open_id" },
    ),
    total_amount: amount,
    receipt_amount: paid ? amount : "0.00",
    buyer_pay_amount: paid ? amount : "0.00",
    point_amount: "0.00",
    invoice_amount: paid ? amount : "0.00",
    ...(trade.gmtPayment ? { gmt_payment: trade.gmtPayment } : {}),
    fund_bill_list: paid ? [{ amount, fund_channel: "ALIPAYACCOUNT" }] : [],
  };
}
