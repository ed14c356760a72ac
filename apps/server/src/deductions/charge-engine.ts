import {
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
  compareCalendarDates,
  deductWindowPosition,
  fenToYuan,
  shanghaiDateOf,
  tryParseAlipayDateTime,
  yuanToFen,
  type CalendarDate,
} from "@paysign/contracts";
import { isMerchantConfigurationFailure, isMerchantSideRefusal } from "@paysign/contracts/alipay";
import type { AlipayCallResult } from "../alipay/alipay-client.ts";
import type { Charge } from "../generated/prisma/client.ts";
import { lockAgreement } from "../repositories/agreements.ts";
import type { Tx } from "../repositories/transaction.ts";
import { syncAgreement } from "../services/agreement-sync.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { requireAlipay } from "../services/require-alipay.ts";
import { alignWithAlipayDate } from "./align-period.ts";
import { nextChargeAmountFen, outTradeNoFor } from "./deduction-policy.ts";
import { settleStaleDeferClaim } from "./defer.ts";
import { createAttempt, settleFailed, settleSucceeded, settleUnknown, type FailureKind } from "./settle.ts";
import { lockAttempt } from "../repositories/charge-locks.ts";
import {
  findChargeForPeriod,
  findLiveTradeNumber,
  findOpenAttempts,
  findTradeNumbers,
} from "../repositories/charges.ts";
import { insertCharge, setChargeState, settleAttemptRow } from "../repositories/charge-writes.ts";
import { readChargeTarget } from "../repositories/charge-claim-sql.ts";
import { claimFirstAttemptFast, inFlightSeconds, settleFirstAttemptPaidFast, type Claim } from "./first-attempt.ts";
import { paysInFlight } from "./pays-in-flight.ts";

/** Sub_codes after which Alipay will never pay that out_trade_no: the next attempt takes a new one (§15.1). */
const CLOSED_CODES = ["TRADE_CLOSED", "ACQ.TRADE_HAS_CLOSE"] as const;

/** One period of one agreement: the unit of work of the charge job. */
export type ChargeKey = { agreementId: string; dueDate: CalendarDate };

const terminalCharge = new Set(["SUCCEEDED", "PAST_DUE"]);

/**
 * Moves one period's charge forward by one step, safely under any number of concurrent callers:
 * 1. an attempt whose outcome is unknown is reconciled first (trade.query); while it stays unknown nothing else
 *    happens;
 * 2. under the agreement's and the charge's row locks: the charge is created for (agreement, D) if needed, a
 *    missed window marks it PAST_DUE, and a due charge gets a new attempt — only when every earlier attempt is known
 *    to have failed — which re-sends the charge's out_trade_no until Alipay has closed it (docs/alipay-protocol.md §15);
 * 3. outside the transaction, trade.pay; its answer is settled under the locks again.
 * `force` (an operator's "charge now") ignores the retry schedule and a definitive failure of this period.
 */
export async function runCharge(
  deps: ServiceDeps,
  key: ChargeKey,
  options: { force?: boolean } = {},
): Promise<Charge | null> {
  requireAlipay(deps);
  const target = await readChargeTarget(deps.db, key);
  if (target?.hasCharge) {
    const existing = await findCharge(deps, key);
    const settled = existing ? await reconcileCharge(deps, existing.id) : "settled";
    if (settled === "unsettled") return findCharge(deps, key);
  }
  const now = await deps.clock.now();
  const first = target && !target.hasCharge ? await claimFirstAttemptFast(deps, { key, target, now }) : undefined;
  const claim =
    first ??
    (await deps.db.prisma.$transaction((tx) => claimAttempt(deps, tx, { key, now, force: options.force ?? false })));
  if (!claim) {
    await settleStaleDeferClaim(deps, key.agreementId);
    return findCharge(deps, key);
  }
  return (await payAttempt(deps, claim)) ?? findCharge(deps, key);
}

function findCharge(deps: ServiceDeps, key: ChargeKey): Promise<Charge | null> {
  return findChargeForPeriod(deps.db.prisma, {
    agreementId: key.agreementId,
    dueDate: calendarDateToUtcMidnight(key.dueDate),
  });
}

async function claimAttempt(
  deps: ServiceDeps,
  tx: Tx,
  claim: { key: ChargeKey; now: Date; force: boolean },
): Promise<Claim | undefined> {
  const { key, now, force } = claim;
  const agreement = await lockAgreement(tx, key.agreementId);
  if (!agreement) return undefined;
  const current = agreement.nextDeductDate ? calendarDateFromUtcMidnight(agreement.nextDeductDate) : undefined;
  const dueDate = calendarDateToUtcMidnight(key.dueDate);
  let charge = await findChargeForPeriod(tx, { agreementId: agreement.id, dueDate });
  if (!charge) {
    // Only the current period of an active agreement gets a charge.
    if (agreement.status !== "ACTIVE" || current !== key.dueDate || !agreement.agreementNo) return undefined;
    const amountFen = nextChargeAmountFen(agreement);
    if (amountFen === undefined) return undefined;
    charge = await insertCharge(tx, {
      agreementId: agreement.id,
      dueDate,
      amount: fenToYuan(amountFen),
      nextAttemptAt: now,
    });
  }
  if (terminalCharge.has(charge.status) || (charge.status === "FAILED" && !force)) return undefined;
  if (charge.status === "PROCESSING" || charge.status === "UNKNOWN") return undefined;

  if (agreement.status !== "ACTIVE") {
    if (agreement.status === "PAUSED" || agreement.status === "TEMP") return undefined;
    await setChargeState(tx, charge.id, {
      status: "FAILED",
      nextAttemptAt: null,
      failureCode: `AGREEMENT_${agreement.status}`,
      failureReason: `the agreement is ${agreement.status}; no further attempts`,
    });
    return undefined;
  }
  if (current && charge.status === "PENDING" && compareCalendarDates(current, key.dueDate) > 0) {
    // D moved past this period without it (a defer that raced its attempt): closed as the defer itself would have.
    await setChargeState(tx, charge.id, {
      status: "FAILED",
      nextAttemptAt: null,
      failureCode: "DEFERRED",
      failureReason: `the deduction moved to ${current}`,
    });
    return undefined;
  }
  if (current !== key.dueDate || !agreement.agreementNo) return undefined;
  // A defer is moving D at Alipay, or its outcome is unknown (deductions/defer.ts): no attempt until it settles.
  if (agreement.deferClaimedUntil) return undefined;

  const today = shanghaiDateOf(now);
  const position = deductWindowPosition({
    today,
    deductDate: key.dueDate,
    windowDays: deps.config.deductions.windowDays,
  });
  if (position === "MISSED") {
    await setChargeState(tx, charge.id, {
      status: "PAST_DUE",
      nextAttemptAt: null,
      failureCode: charge.failureCode ?? "WINDOW_MISSED",
      failureReason: charge.failureReason ?? `no successful deduction by ${key.dueDate}`,
    });
    return undefined;
  }
  if (position === "BEFORE") return undefined;
  if (!force && (charge.nextAttemptAt === null || charge.nextAttemptAt.getTime() > now.getTime())) return undefined;

  // §15.1: the same out_trade_no until Alipay closed it; a closed trade can never be paid, so a new one is safe.
  const live = await findLiveTradeNumber(tx, { chargeId: charge.id, closedCodes: CLOSED_CODES });
  const outTradeNo =
    live.outTradeNo ?? outTradeNoFor({ chargeId: charge.id, dueDate: key.dueDate, attemptNumber: live.used + 1 });
  const attempt = await createAttempt(tx, {
    charge,
    outTradeNo,
    now,
    inFlightSeconds: inFlightSeconds(deps),
  });
  return {
    chargeId: charge.id,
    agreementId: agreement.id,
    attemptId: attempt.id,
    outTradeNo,
    amountFen: yuanToFen(charge.amount.toFixed(2)),
    agreementNo: agreement.agreementNo,
    productCode: agreement.productCode,
    dueDate: key.dueDate,
  };
}

/**
 * alipay.trade.pay for an agreement deduction (docs/alipay-protocol.md §8), then its answer settled under the locks.
 * Answers the charge as written when the settle wrote all of it (a first attempt paid), else undefined.
 */
async function payAttempt(deps: ServiceDeps, claim: Claim): Promise<Charge | undefined> {
  const { result, paid, outcome } = await payAndSettle(deps, claim);
  deps.metrics?.chargeAttempts.inc({ outcome, sub_code_class: subCodeClass(result) });
  deps.logger.info(
    { chargeId: claim.chargeId, outTradeNo: claim.outTradeNo, dueDate: claim.dueDate, outcome },
    "deduction attempt",
  );
  if (paid) return paid;
  if (outcome === "merchant-side") logMerchantSideRefusal(deps, claim, result);
  if (outcome === "sync") await syncAgreement(deps, claim.agreementId, { source: "SCHEDULER" });
  // §8: an unknown outcome is never retried blind; ask at once, then on the reconcile schedule.
  if (outcome === "unknown-outcome") await reconcileCharge(deps, claim.chargeId);
  if (outcome === "period-settled-at-alipay") await checkPeriodAtAlipay(deps, claim);
  return undefined;
}

/**
 * trade.pay and the settle of its answer, marked in flight meanwhile (pays-in-flight.ts): the SDK's answer, the
 * charge as written when the one-statement settle wrote all of it (else undefined), and how the answer was settled.
 * Throws what the call or the settle throws.
 */
async function payAndSettle(
  deps: ServiceDeps,
  claim: Claim,
): Promise<{ result: AlipayCallResult<"alipay.trade.pay">; paid: Charge | undefined; outcome: PayOutcome }> {
  const end = paysInFlight(deps.db).begin(claim.outTradeNo);
  try {
    const result = await requireAlipay(deps).call("alipay.trade.pay", {
      out_trade_no: claim.outTradeNo,
      total_amount: fenToYuan(claim.amountFen),
      subject: `周期扣款 ${claim.dueDate}`,
      product_code: claim.productCode,
      agreement_params: { agreement_no: claim.agreementNo },
    });
    const now = await deps.clock.now();
    const paid = await settleFirstAttemptPaidFast(deps, claim, { result, now });
    const outcome = paid ? "success" : await settlePayAnswer(deps, claim, { result, now });
    return { result, paid, outcome };
  } finally {
    end();
  }
}

type PayOutcome =
  | "success"
  | "retryable"
  | "merchant-side"
  | "definitive"
  | "not-charged"
  | "unknown-outcome"
  | "sync"
  | "period-settled-at-alipay";

/**
 * §15.3: ACQ.CYCLE_PAY_DATE_NOT_MATCH on a day inside our window means Alipay holds another D: it already counts this
 * period as paid, or D was moved there. Every out_trade_no the charge ever used is asked again (a paid one settles the
 * charge), then the agreement (its next_deduct_time becomes ours, deductions/align-period.ts) and its status.
 */
async function checkPeriodAtAlipay(deps: ServiceDeps, claim: Claim): Promise<void> {
  const numbers = await findTradeNumbers(deps.db.prisma, claim.chargeId);
  let unanswered = 0;
  for (const number of numbers) {
    const settled = await reconcileAttempt(deps, { id: number.attemptId, outTradeNo: number.outTradeNo });
    if (settled === "unsettled") unanswered++;
  }
  // A number Alipay gave no definitive answer for may be the trade that paid the period: D stays ours until it does.
  if (unanswered === 0) await alignWithAlipayDate(deps, { chargeId: claim.chargeId, agreementId: claim.agreementId });
  await syncAgreement(deps, claim.agreementId, { source: "SCHEDULER" });
}

async function settlePayAnswer(
  deps: ServiceDeps,
  claim: Claim,
  answer: { result: AlipayCallResult<"alipay.trade.pay">; now: Date },
): Promise<PayOutcome> {
  const { result, now } = answer;
  const config = deps.config.deductions;
  return deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAttempt(tx, claim.attemptId);
    if (!locked) throw new Error(`attempt ${claim.attemptId} vanished`);
    switch (result.kind) {
      case "success": {
        const { trade_no: tradeNo, gmt_payment: gmtPayment } = result.response;
        if (tradeNo) {
          const paidAt = (gmtPayment && tryParseAlipayDateTime(gmtPayment)) || now;
          const applied = await settleSucceeded(tx, locked, { tradeNo, paidAt, source: "SCHEDULER" });
          if (applied === "second-success") logSecondSuccess(deps, claim.chargeId, tradeNo);
          return "success";
        }
        await settleUnknown(tx, locked, { subCode: "NO_TRADE_NO", subMsg: "success without trade_no", now, config });
        return "unknown-outcome";
      }
      case "unknown-outcome":
        await settleUnknown(tx, locked, { ...unknownPayFailure(result), now, config });
        return "unknown-outcome";
      case "business-failure": {
        const subCode = result.subCode ?? result.code ?? "NO_ANSWER";
        const subMsg = result.subMsg ?? "";
        const kind = failureKind(result, subCode);
        const after = await settleFailed(tx, locked, { kind, subCode, subMsg, now, config });
        if (subCode === "ACQ.CYCLE_PAY_DATE_NOT_MATCH" && insideWindow(deps, claim.dueDate, now)) {
          return "period-settled-at-alipay";
        }
        return after ?? kind;
      }
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  });
}

/** How a refusal of trade.pay is settled: a closed trade (§15.1) or a merchant-side refusal (§16.1) before its class. */
function failureKind(
  result: Extract<AlipayCallResult<"alipay.trade.pay">, { kind: "business-failure" }>,
  subCode: string,
): FailureKind {
  // A closed trade charged nothing and never will; the next attempt takes a new out_trade_no at once.
  if (subCode === "ACQ.TRADE_HAS_CLOSE") return "not-charged";
  const refusal = { code: result.code, sub_code: result.subCode };
  return isMerchantSideRefusal("alipay.trade.pay", refusal) ? "merchant-side" : result.class;
}

function insideWindow(deps: ServiceDeps, dueDate: CalendarDate, now: Date): boolean {
  const windowDays = deps.config.deductions.windowDays;
  return deductWindowPosition({ today: shanghaiDateOf(now), deductDate: dueDate, windowDays }) === "OPEN";
}

/** What an attempt records when its pay answer leaves the outcome unknown. */
function unknownPayFailure(result: Extract<AlipayCallResult<"alipay.trade.pay">, { kind: "unknown-outcome" }>): {
  subCode: string;
  subMsg: string;
} {
  switch (result.cause) {
    case "no-answer":
      return { subCode: "NO_ANSWER", subMsg: result.reason };
    case "ambiguous-answer":
      return { subCode: result.subCode ?? result.code ?? "NO_ANSWER", subMsg: result.subMsg ?? "" };
    case "unreadable-success":
      return { subCode: "UNREADABLE", subMsg: result.reason };
    default: {
      const unreachable: never = result.cause;
      return unreachable;
    }
  }
}

const paidStatuses = new Set(["TRADE_SUCCESS", "TRADE_FINISHED"]);

/**
 * Settles the charge's attempts whose outcome is unknown (or whose worker vanished mid-call) with trade.query
 * (docs/alipay-protocol.md §9). "unsettled" while Alipay has no final answer, or while another worker's call is still in
 * flight.
 */
export async function reconcileCharge(deps: ServiceDeps, chargeId: string): Promise<"settled" | "unsettled"> {
  const open = await findOpenAttempts(deps.db.prisma, { chargeId, now: await deps.clock.now() });
  if (open.length === 0) return "settled";
  if (open.some((attempt) => attempt.inFlight)) return "unsettled";
  let remaining = 0;
  for (const attempt of open) {
    if ((await reconcileAttempt(deps, attempt)) === "unsettled") remaining++;
  }
  return remaining === 0 ? "settled" : "unsettled";
}

async function reconcileAttempt(
  deps: ServiceDeps,
  attempt: { id: string; outTradeNo: string },
): Promise<"settled" | "unsettled"> {
  const result = await requireAlipay(deps).call("alipay.trade.query", { out_trade_no: attempt.outTradeNo });
  const now = await deps.clock.now();
  const config = deps.config.deductions;
  const trade = result.kind === "success" ? result.response : undefined;
  return deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAttempt(tx, attempt.id);
    if (!locked) throw new Error(`attempt ${attempt.id} vanished`);
    if (trade?.trade_status && paidStatuses.has(trade.trade_status) && trade.trade_no) {
      const paidAt = (trade.send_pay_date && tryParseAlipayDateTime(trade.send_pay_date)) || now;
      const applied = await settleSucceeded(tx, locked, { tradeNo: trade.trade_no, paidAt, source: "ALIPAY_QUERY" });
      if (applied === "second-success") logSecondSuccess(deps, locked.charge.id, trade.trade_no);
      return "settled";
    }
    if (locked.attempt.status === "FAILED" || locked.attempt.status === "SUCCEEDED") {
      // Asked again (§15.3, §15.4): only a definitive "not paid" settles; settledAt records this last look. Without
      // one (no answer, a system error) the attempt stays as it was, to be asked again.
      if (!definitelyNotPaid(result)) return "unsettled";
      if (locked.attempt.status === "FAILED") await settleAttemptRow(tx, locked.attempt.id, { settledAt: now });
      return "settled";
    }
    if (trade?.trade_status === "TRADE_CLOSED") {
      await settleFailed(tx, locked, {
        kind: "not-charged",
        subCode: "TRADE_CLOSED",
        subMsg: "交易已关闭",
        now,
        config,
      });
      return "settled";
    }
    if (result.kind !== "success" && result.subCode === "ACQ.TRADE_NOT_EXIST") {
      const subMsg = result.subMsg ?? "交易不存在";
      await settleFailed(tx, locked, { kind: "not-charged", subCode: result.subCode, subMsg, now, config });
      return "settled";
    }
    const why = trade?.trade_status ?? unsettledReason(result);
    await settleUnknown(tx, locked, { subCode: why, subMsg: "trade.query gave no final answer", now, config });
    return "unsettled";
  });
}

/** Whether a trade.query answer says for sure that the trade is not paid: TRADE_CLOSED or ACQ.TRADE_NOT_EXIST (§9). */
function definitelyNotPaid(result: AlipayCallResult<"alipay.trade.query">): boolean {
  if (result.kind === "success") return result.response.trade_status === "TRADE_CLOSED";
  return result.subCode === "ACQ.TRADE_NOT_EXIST";
}

/** Why a trade.query answer settled nothing: its sub_code, or UNREADABLE for a success without a usable status. */
function unsettledReason(result: AlipayCallResult<"alipay.trade.query">): string {
  if (result.kind === "success") return "UNREADABLE";
  if (result.kind === "unknown-outcome" && result.cause === "unreadable-success") return "UNREADABLE";
  return result.subCode ?? "NO_ANSWER";
}

function logSecondSuccess(deps: ServiceDeps, chargeId: string, tradeNo: string): void {
  deps.logger.error({ chargeId, tradeNo }, "a second paid trade for one period: refund one of them");
}

/**
 * A refusal on the merchant's side (docs/alipay-protocol.md §16) stops every agreement due, so the operator must
 * see it: logged at error level with what to do; the charge retries on DEDUCTION_MERCHANT_RETRY_SCHEDULE.
 */
function logMerchantSideRefusal(deps: ServiceDeps, claim: Claim, result: AlipayCallResult<"alipay.trade.pay">): void {
  if (result.kind !== "business-failure") return;
  deps.logger.error(
    {
      chargeId: claim.chargeId,
      dueDate: claim.dueDate,
      code: result.code,
      subCode: result.subCode,
      subMsg: result.subMsg,
    },
    "Alipay refused a deduction on the merchant's side: fix the merchant's contract, account or limits with Alipay; " +
      "the charge is retried on DEDUCTION_MERCHANT_RETRY_SCHEDULE until D and then listed PAST_DUE with this sub_code",
  );
}

/** The class of a pay answer's sub_code, for metrics: a merchant configuration refusal is counted on its own. */
function subCodeClass(result: AlipayCallResult<"alipay.trade.pay">): string {
  if (result.kind === "success") return "none";
  if (result.kind === "unknown-outcome") return "unknown-outcome";
  const refusal = { code: result.code, sub_code: result.subCode };
  if (isMerchantConfigurationFailure("alipay.trade.pay", refusal)) return "merchant-configuration";
  return isMerchantSideRefusal("alipay.trade.pay", refusal) ? "merchant-side" : result.class;
}
