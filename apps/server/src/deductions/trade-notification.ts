import { alipayAmountToFen, fenToYuan, tryParseAlipayDateTime, yuanToFen } from "@paysign/contracts";
import type { TradeStatusSyncNotification } from "@paysign/contracts/alipay";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import type { Database } from "../db/prisma.ts";
import type { InboxRow } from "../repositories/agreement-notification-sql.ts";
import type { Tx } from "../repositories/transaction.ts";
import { recordSettledTradeNotification } from "../repositories/trade-notification-sql.ts";
import { findAttemptIdByOutTradeNo, lockAttempt } from "../repositories/charge-locks.ts";
import type { Logger } from "../logger.ts";
import { systemClock, type Clock } from "../clock.ts";
import { PAY_SETTLE_WAIT_MS, pauseBeforeRereading, paysInFlight, rereadDeadline } from "./pays-in-flight.ts";
import { settleSucceeded } from "./settle.ts";

export type TradeNotificationResult = { outcome: NotificationOutcome; detail: string };

const ALREADY_PAID = "the attempt was already settled as paid";

/**
 * A paid `trade_status_sync` of an attempt already settled as paid with this trade — most often the engine's own
 * trade, whose pay answer was settled first — recorded in one statement with the answer applyTradeStatusSync gives it
 * (NO_CHANGE), or "duplicate" for a recorded notify_id. undefined when that is not the case: nothing is written and
 * the caller runs applyTradeStatusSync, which decides every case under the agreement's lock. The notification of a
 * pay still being settled waits for that settle first, for at most PAY_SETTLE_WAIT_MS after the attempt was claimed
 * (pays-in-flight.ts): a pay of this process is awaited, the attempt of another process's (a worker's) read again at
 * pauses.
 */
export async function recordAlreadyPaidTrade(
  deps: { db: Database; logger: Logger; clock?: Clock | undefined },
  inbox: InboxRow,
  notification: TradeStatusSyncNotification,
): Promise<TradeNotificationResult | "duplicate" | undefined> {
  const { db } = deps;
  const status = notification.trade_status;
  if (status !== "TRADE_SUCCESS" && status !== "TRADE_FINISHED") return undefined;
  const fen = alipayAmountToFen(notification.total_amount);
  if (fen === undefined) return undefined;
  const trade = {
    outTradeNo: notification.out_trade_no,
    tradeNo: notification.trade_no,
    amount: fenToYuan(fen),
    agreementNo: notification.agreement_no || null,
  };
  const settledHere = await paysInFlight(db).waitForSettle(trade.outTradeNo);
  let deadline: number | undefined;
  for (let reads = 1; ; reads++) {
    const recorded = await recordSettledTradeNotification(db, {
      inbox,
      outcome: "NO_CHANGE",
      detail: ALREADY_PAID,
      trade,
    });
    if (recorded === "duplicate") return "duplicate";
    if (recorded === "recorded") return { outcome: "NO_CHANGE", detail: ALREADY_PAID };
    const since = recorded.notSettled.processingSince;
    if (since) deadline ??= rereadDeadline(since, await (deps.clock ?? systemClock).now());
    const pause = since && deadline !== undefined ? pauseBeforeRereading(deadline, reads) : undefined;
    if (pause === undefined) {
      // Logged when a wait was ended by its limit, not when there was nothing to wait for.
      if (!settledHere || (since && reads > 1)) {
        deps.logger.info(
          { notifyId: inbox.notifyId, outTradeNo: trade.outTradeNo, limitMs: PAY_SETTLE_WAIT_MS },
          "trade_status_sync: the pay answer of its trade is still unsettled (slow or lost); not waiting longer",
        );
      }
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * `trade_status_sync` (docs/alipay-protocol.md §10.4), in the notification's own transaction: a paid trade of one of our
 * attempts settles it exactly like a trade.query would. Other statuses change nothing: a closed trade is settled by
 * the reconcile job's trade.query, which also decides the next attempt.
 */
export async function applyTradeStatusSync(
  tx: Tx,
  notification: TradeStatusSyncNotification,
): Promise<TradeNotificationResult> {
  const outTradeNo = notification.out_trade_no;
  const attemptId = await findAttemptIdByOutTradeNo(tx, outTradeNo);
  if (!attemptId) return { outcome: "UNKNOWN_TARGET", detail: `no charge attempt with out_trade_no ${outTradeNo}` };
  const locked = await lockAttempt(tx, attemptId);
  if (!locked) return { outcome: "UNKNOWN_TARGET", detail: "the attempt vanished" };

  if (alipayAmountToFen(notification.total_amount) !== yuanToFen(locked.charge.amount.toFixed(2))) {
    return {
      outcome: "MISMATCH",
      detail: `total_amount ${notification.total_amount} is not the charge's ${locked.charge.amount.toFixed(2)}`,
    };
  }
  if (notification.agreement_no && locked.agreement.agreementNo !== notification.agreement_no) {
    return { outcome: "MISMATCH", detail: `agreement_no ${notification.agreement_no} is not the charge's agreement` };
  }
  if (locked.attempt.tradeNo && locked.attempt.tradeNo !== notification.trade_no) {
    return {
      outcome: "MISMATCH",
      detail: `trade_no ${notification.trade_no} is not the attempt's ${locked.attempt.tradeNo}`,
    };
  }
  const status = notification.trade_status;
  if (status !== "TRADE_SUCCESS" && status !== "TRADE_FINISHED") {
    return { outcome: "NO_CHANGE", detail: `${status}: left to trade.query` };
  }
  const paidAt =
    (notification.gmt_payment && tryParseAlipayDateTime(notification.gmt_payment)) ||
    tryParseAlipayDateTime(notification.notify_time) ||
    new Date(0);
  const applied = await settleSucceeded(tx, locked, { tradeNo: notification.trade_no, paidAt, source: "NOTIFICATION" });
  switch (applied) {
    case "applied":
      return { outcome: "APPLIED", detail: `charge ${locked.charge.id} paid by ${notification.trade_no}` };
    case "already":
      return { outcome: "NO_CHANGE", detail: ALREADY_PAID };
    case "second-success":
      return { outcome: "MISMATCH", detail: `a second paid trade for charge ${locked.charge.id}: refund one` };
  }
}
