import {
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
  compareCalendarDates,
  nextDeductDate,
  shanghaiDateOf,
} from "@paysign/contracts";
import type { DeductionConfig } from "../env.ts";
import type { Agreement, Charge, ChargeAttempt } from "../generated/prisma/client.ts";
import type { AgreementEventSource } from "../repositories/agreements.ts";
import type { Locked } from "../repositories/charge-locks.ts";
import { countAttempts } from "../repositories/charges.ts";
import {
  insertAttempt,
  setAgreementDeductionState,
  setChargeState,
  settleAttemptRow,
  type AgreementDeductionState,
} from "../repositories/charge-writes.ts";
import { changeAgreementStatus } from "../services/agreement-transitions.ts";
import type { Tx } from "../repositories/transaction.ts";
import { isUsedUp, nextReconcileAt, nextRetryAt } from "./deduction-policy.ts";

// Every change to a charge or its attempts happens here, inside the caller's transaction, under the row lock of the
// charge's agreement (repositories/charge-locks.ts). An attempt only leaves PROCESSING / UNKNOWN once, so a late
// answer (a pay answer after its notification, a notification after a query) changes nothing.

const unsettled = (attempt: ChargeAttempt) => attempt.status === "PROCESSING" || attempt.status === "UNKNOWN";

export type TradeSuccess = { tradeNo: string; paidAt: Date; source: AgreementEventSource };

/**
 * A trade of this attempt is paid (pay answer, trade.query or trade_status_sync): the attempt and the charge are
 * SUCCEEDED with the trade, D advances one period from D, counts and totals grow, and the agreement completes at
 * total_payments / total_amount. Applying the same success again changes nothing.
 */
export async function settleSucceeded(
  tx: Tx,
  locked: Locked,
  success: TradeSuccess,
): Promise<"applied" | "already" | "second-success"> {
  const { agreement, charge, attempt } = locked;
  if (attempt.status === "SUCCEEDED") return "already";
  if (charge.status === "SUCCEEDED" && charge.tradeNo === success.tradeNo) {
    // Another send of the out_trade_no that paid the charge (docs/alipay-protocol.md §15.1): the same trade, no more.
    await settleAttemptRow(tx, attempt.id, {
      status: "FAILED",
      subCode: "ACQ.TRADE_HAS_SUCCESS",
      subMsg: `the charge's trade ${success.tradeNo}, paid by another send of this out_trade_no`,
      settledAt: success.paidAt,
    });
    return "already";
  }
  await settleAttemptRow(tx, attempt.id, {
    status: "SUCCEEDED",
    tradeNo: success.tradeNo,
    settledAt: success.paidAt,
    subCode: null,
    subMsg: null,
  });
  // Cannot happen while attempts are made one at a time; if Alipay ever reports it, operators must see it.
  if (charge.status === "SUCCEEDED") return "second-success";
  await setChargeState(tx, charge.id, {
    status: "SUCCEEDED",
    tradeNo: success.tradeNo,
    paidAt: success.paidAt,
    failureCode: null,
    failureReason: null,
    nextAttemptAt: null,
  });
  const dueDate = calendarDateFromUtcMidnight(charge.dueDate);
  const current = agreement.nextDeductDate ? calendarDateFromUtcMidnight(agreement.nextDeductDate) : undefined;
  const patch = {
    paymentsCount: agreement.paymentsCount + 1,
    paidTotal: agreement.paidTotal.add(charge.amount),
    ...(current === dueDate
      ? {
          nextDeductDate: calendarDateToUtcMidnight(
            nextDeductDate({ periodType: agreement.periodType, period: agreement.period, current: dueDate }),
          ),
        }
      : {}),
  } satisfies AgreementDeductionState;
  const after = { ...agreement, ...patch };
  if (isUsedUp(after)) {
    const reason = `charge ${dueDate} paid (${success.tradeNo}); ${after.paymentsCount} payments, ${after.paidTotal.toFixed(2)} paid in all`;
    const result = await changeAgreementStatus(tx, {
      agreement,
      to: "COMPLETED",
      event: { source: "SCHEDULER", reason, raw: { tradeNo: success.tradeNo, chargeId: charge.id } },
      extra: patch,
    });
    if (result.changed) return "applied";
  }
  await setAgreementDeductionState(tx, agreement.id, patch);
  return "applied";
}

/** The answer was lost or ambiguous: nothing else happens to this charge until trade.query (or a notification) settles it. */
export async function settleUnknown(
  tx: Tx,
  locked: Locked,
  input: { subCode: string; subMsg: string; now: Date; config: DeductionConfig },
): Promise<void> {
  const { charge, attempt } = locked;
  if (!unsettled(attempt)) return;
  // The first unknown answer (the pay call's) is the one worth keeping; later ones only move the next check.
  const first = attempt.status === "PROCESSING";
  if (first) {
    await settleAttemptRow(tx, attempt.id, { status: "UNKNOWN", subCode: input.subCode, subMsg: input.subMsg });
  }
  if (charge.status === "SUCCEEDED") return;
  await setChargeState(tx, charge.id, {
    status: "UNKNOWN",
    ...(first ? { failureCode: input.subCode, failureReason: input.subMsg } : {}),
    nextAttemptAt: nextReconcileAt({
      requestedAt: attempt.requestedAt,
      now: input.now,
      scheduleSeconds: input.config.reconcileScheduleSeconds,
    }),
  });
}

/** What the agreement becomes after a definitive trade.pay failure (docs/alipay-protocol.md §8, §11.11). */
const agreementAfter: Record<string, "UNSIGNED" | "EXPIRED" | "COMPLETED" | "SYNC"> = {
  "ACQ.AGREEMENT_NOT_EXIST": "UNSIGNED",
  "ACQ.AGREEMENT_INVALID": "EXPIRED",
  "ACQ.AGREEMENT_STATUS_NOT_NORMAL": "SYNC",
  "ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED": "COMPLETED",
  "ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED": "COMPLETED",
};

/** Codes recorded when an unknown outcome turned out not to have charged; they do not count as failed tries. */
const NOT_CHARGED_CODES = ["ACQ.TRADE_NOT_EXIST", "TRADE_CLOSED"] as const;

export type FailureKind =
  /** Alipay said no for now (balance, risk, limits, window not open yet): retry on the schedule inside the window. */
  | "retryable"
  /**
   * Alipay refused on the merchant's side (docs/alipay-protocol.md §16): retry on the merchant schedule, its last step
   * repeating, inside the window; PAST_DUE with the sub_code once D has passed.
   */
  | "merchant-side"
  /** Alipay said no for good: the charge fails; agreement-level codes move the agreement. */
  | "definitive"
  /** An unknown outcome turned out not to have charged (no such trade, or closed): try again at once. */
  | "not-charged";

/** The attempt did not charge. Returns "sync" when the agreement's state must be asked of Alipay (after commit). */
export async function settleFailed(
  tx: Tx,
  locked: Locked,
  input: { kind: FailureKind; subCode: string; subMsg: string; now: Date; config: DeductionConfig },
): Promise<"sync" | undefined> {
  const { agreement, charge, attempt } = locked;
  if (!unsettled(attempt)) return undefined;
  await settleAttemptRow(tx, attempt.id, {
    status: "FAILED",
    subCode: input.subCode,
    subMsg: input.subMsg,
    settledAt: input.now,
  });
  if (charge.status === "SUCCEEDED") return undefined;
  const failure = { failureCode: input.subCode, failureReason: input.subMsg };
  if (input.kind === "definitive") {
    await setChargeState(tx, charge.id, { status: "FAILED", nextAttemptAt: null, ...failure });
    return moveAgreement(tx, agreement, input.subCode);
  }
  const dueDate = calendarDateFromUtcMidnight(charge.dueDate);
  if (compareCalendarDates(shanghaiDateOf(input.now), dueDate) > 0) {
    await setChargeState(tx, charge.id, { status: "PAST_DUE", nextAttemptAt: null, ...failure });
    return undefined;
  }
  const failedAttempts = await countAttempts(tx, { chargeId: charge.id, failedExcept: NOT_CHARGED_CODES });
  const merchant = input.kind === "merchant-side";
  const schedule = merchant ? input.config.merchantRetryScheduleSeconds : input.config.retryScheduleSeconds;
  const nextAttemptAt =
    input.kind === "not-charged"
      ? input.now
      : nextRetryAt({
          now: input.now,
          dueDate,
          failedAttempts: merchant ? Math.min(failedAttempts, schedule.length) : failedAttempts,
          scheduleSeconds: schedule,
        });
  await setChargeState(tx, charge.id, { status: "PENDING", nextAttemptAt, ...failure });
  return undefined;
}

async function moveAgreement(tx: Tx, agreement: Agreement, subCode: string): Promise<"sync" | undefined> {
  const to = agreementAfter[subCode];
  if (!to) return undefined;
  if (to === "SYNC") return "sync";
  await changeAgreementStatus(tx, {
    agreement,
    to,
    event: { source: "SCHEDULER", reason: `alipay.trade.pay: ${subCode}`, raw: { subCode } },
  });
  return undefined;
}

/** A new attempt for the charge, PROCESSING, its pay call bounded by `inFlightSeconds`. */
export async function createAttempt(
  tx: Tx,
  input: { charge: Charge; outTradeNo: string; now: Date; inFlightSeconds: number },
): Promise<ChargeAttempt> {
  const attempt = await insertAttempt(tx, {
    chargeId: input.charge.id,
    outTradeNo: input.outTradeNo,
    requestedAt: input.now,
    // Real time, not business time: it bounds an HTTP call. Compared with the database's now(); the margin
    // added by the caller covers clock differences between hosts.
    inFlightUntil: new Date(Date.now() + input.inFlightSeconds * 1000),
  });
  await setChargeState(tx, input.charge.id, {
    status: "PROCESSING",
    nextAttemptAt: null,
    failureCode: null,
    failureReason: null,
  });
  return attempt;
}
