import { randomUUID } from "node:crypto";
import { alipayAmountToFen, fenToYuan, tryParseAlipayDateTime, yuanToFen } from "@paysign/contracts";
import type { TradeStatusSyncNotification } from "@paysign/contracts/alipay";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import { lockCharge } from "../repositories/charge-locks.ts";
import { findRefundByRequestNo, findRefundsOfTrade, insertRefund } from "../repositories/refunds.ts";
import type { Tx } from "../repositories/transaction.ts";
import { markRefundSucceeded } from "./refund-engine.ts";

type Applied = { outcome: NotificationOutcome; detail: string };

/** A notification carrying `refund_fee` is a refund's, never a payment's (docs/alipay-protocol.md §20.4). */
export function isRefundNotification(notification: TradeStatusSyncNotification): boolean {
  return notification.refund_fee !== undefined && notification.refund_fee !== "";
}

function refundedAtOf(notification: TradeStatusSyncNotification): Date {
  // gmt_refund carries milliseconds (`yyyy-MM-dd HH:mm:ss.SSS`, §20.4): the second is enough.
  const gmtRefund = notification.gmt_refund?.slice(0, 19);
  return (
    (gmtRefund && tryParseAlipayDateTime(gmtRefund)) || tryParseAlipayDateTime(notification.notify_time) || new Date(0)
  );
}

/**
 * A refund's trade_status_sync (§20.4), in the notification's own transaction under the agreement's lock: the
 * refund of `out_biz_no` (our out_request_no) leaves PENDING as SUCCEEDED; a number paysign never sent is a refund
 * made outside paysign (§20.5), recorded SUCCEEDED with source OUTSIDE and the amount the cumulative `refund_fee`
 * adds to what is already recorded as refunded on the trade.
 */
export async function applyRefundNotification(tx: Tx, notification: TradeStatusSyncNotification): Promise<Applied> {
  const tradeNo = notification.trade_no;
  const outRequestNo = notification.out_biz_no ?? tradeNo;
  const charge = await tx.charge.findFirst({
    where: { OR: [{ tradeNo }, { attempts: { some: { tradeNo } } }] },
    select: { id: true },
  });
  if (!charge) return { outcome: "UNKNOWN_TARGET", detail: `no charge paid by trade ${tradeNo}` };
  await lockCharge(tx, charge.id);
  const refundedAt = refundedAtOf(notification);
  const known = await findRefundByRequestNo(tx, { tradeNo, outRequestNo });
  if (known) {
    const applied = await markRefundSucceeded(tx, known, refundedAt);
    return applied
      ? { outcome: "APPLIED", detail: `refund ${known.id} succeeded` }
      : { outcome: "NO_CHANGE", detail: `refund ${known.id} is already ${known.status}` };
  }
  const cumulativeFen = alipayAmountToFen(notification.refund_fee ?? "") ?? 0;
  const recordedFen = (await findRefundsOfTrade(tx, tradeNo))
    .filter((refund) => refund.status === "SUCCEEDED")
    .reduce((sum, refund) => sum + yuanToFen(refund.amount.toFixed(2)), 0);
  const amountFen = cumulativeFen - recordedFen;
  if (amountFen <= 0) {
    return {
      outcome: "MISMATCH",
      detail: `refund ${outRequestNo}: refund_fee ${notification.refund_fee ?? ""} adds nothing to the ${fenToYuan(recordedFen)} recorded`,
    };
  }
  const id = randomUUID();
  await insertRefund(tx, {
    id,
    chargeId: charge.id,
    tradeNo,
    outRequestNo,
    amount: fenToYuan(amountFen),
    reason: "made outside paysign (Alipay merchant portal)",
    status: "SUCCEEDED",
    source: "OUTSIDE",
    refundedAt,
  });
  return { outcome: "APPLIED", detail: `refund ${fenToYuan(amountFen)} made outside paysign recorded as ${id}` };
}
