import {
  calendarDateToUtcMidnight,
  compareCalendarDates,
  SHANGHAI_OFFSET_MS,
  shanghaiDateOf,
  yuanToFen,
  type CalendarDate,
} from "@paysign/contracts";
import { OUT_TRADE_NO_PATTERN } from "@paysign/contracts/alipay";
import type { Prisma } from "../generated/prisma/client.ts";

/** The instant a Shanghai calendar day begins. */
export function startOfShanghaiDay(date: CalendarDate): Date {
  return new Date(calendarDateToUtcMidnight(date).getTime() - SHANGHAI_OFFSET_MS);
}

/**
 * When to try again after a retryable failure (balance, risk, limits): the retry schedule counted from now, never
 * past D. Before D, a step that would fall after D (or a used-up schedule) becomes a last chance at the start of D;
 * on D itself only a step still on D is taken. Then the period goes past due when D ends (docs/alipay-protocol.md §11.6).
 */
export function nextRetryAt(options: {
  now: Date;
  dueDate: CalendarDate;
  failedAttempts: number;
  scheduleSeconds: readonly number[];
}): Date | null {
  const { now, dueDate } = options;
  const delay = options.scheduleSeconds[options.failedAttempts - 1];
  // Rounded down to the minute: a scheduler tick at the same wall time a day later finds the retry due.
  const candidate =
    delay === undefined ? undefined : new Date(Math.floor((now.getTime() + delay * 1000) / 60_000) * 60_000);
  if (compareCalendarDates(shanghaiDateOf(now), dueDate) >= 0) {
    return candidate && compareCalendarDates(shanghaiDateOf(candidate), dueDate) <= 0 ? candidate : null;
  }
  const lastChance = startOfShanghaiDay(dueDate);
  return candidate && candidate.getTime() < lastChance.getTime() ? candidate : lastChance;
}

/**
 * When to ask trade.query again about an unknown outcome: the reconcile schedule counted from the attempt, the last
 * step repeating for as long as Alipay gives no final answer.
 */
export function nextReconcileAt(options: { requestedAt: Date; now: Date; scheduleSeconds: readonly number[] }): Date {
  const { requestedAt, now, scheduleSeconds } = options;
  let at = requestedAt.getTime();
  for (const step of scheduleSeconds) {
    at += step * 1000;
    if (at > now.getTime()) return new Date(at);
  }
  const last = (scheduleSeconds.at(-1) ?? 60) * 1000;
  const behind = now.getTime() - at;
  return new Date(at + (Math.floor(behind / last) + 1) * last);
}

/**
 * `out_trade_no` of the n-th attempt for a charge: letters, digits and underscores, ≤ 64 (docs/alipay-protocol.md §8).
 * Derived from the charge id, so it is unique across agreements and periods, and never reused within one.
 */
export function outTradeNoFor(options: { chargeId: string; dueDate: CalendarDate; attemptNumber: number }): string {
  const value = `PS${options.dueDate.replaceAll("-", "")}_${options.chargeId.replaceAll("-", "")}_${options.attemptNumber}`;
  if (!OUT_TRADE_NO_PATTERN.test(value)) throw new Error(`out_trade_no ${value} breaks Alipay's format`);
  return value;
}

const fen = (decimal: Prisma.Decimal) => yuanToFen(decimal.toFixed(2));

/**
 * What to charge for the next period: the single amount, or what is left of total_amount when less. Undefined once
 * the agreement has used up its payments or its total (it completes then).
 */
export function nextChargeAmountFen(agreement: {
  singleAmount: Prisma.Decimal;
  totalAmount: Prisma.Decimal | null;
  totalPayments: number | null;
  paymentsCount: number;
  paidTotal: Prisma.Decimal;
}): number | undefined {
  if (agreement.totalPayments !== null && agreement.paymentsCount >= agreement.totalPayments) return undefined;
  const single = fen(agreement.singleAmount);
  if (agreement.totalAmount === null) return single;
  const left = fen(agreement.totalAmount) - fen(agreement.paidTotal);
  return left <= 0 ? undefined : Math.min(single, left);
}

/** Reached total_payments or total_amount: the agreement completes (docs/product.md §8). */
export function isUsedUp(agreement: {
  totalAmount: Prisma.Decimal | null;
  totalPayments: number | null;
  paymentsCount: number;
  paidTotal: Prisma.Decimal;
}): boolean {
  if (agreement.totalPayments !== null && agreement.paymentsCount >= agreement.totalPayments) return true;
  return agreement.totalAmount !== null && fen(agreement.paidTotal) >= fen(agreement.totalAmount);
}
