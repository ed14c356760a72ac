import {
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
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
import { nextChargeAmountFen, outTradeNoFor } from "./deduction-policy.ts";
import { settleStaleDeferClaim } from "./defer.ts";
import { createAttempt, settleFailed, settleSucceeded, settleUnknown } from "./settle.ts";
import { lockAttempt } from "../repositories/charge-locks.ts";
import { countAttempts, findChargeForPeriod, findOpenAttempts } from "../repositories/charges.ts";
import { insertCharge, setChargeState } from "../repositories/charge-writes.ts";

/** One period of one agreement: the unit of work of the charge job. */
export type ChargeKey = { agreementId: string; dueDate: CalendarDate };

/** Extra time on top of the SDK timeout before a PROCESSING attempt is presumed abandoned by its worker. */
const IN_FLIGHT_MARGIN_SECONDS = 30;

const terminalCharge = new Set(["SUCCEEDED", "PAST_DUE"]);

/**
 * Moves one period's charge forward by one step, safely under any number of concurrent callers:
 * 1. an attempt whose outcome is unknown is reconciled first (trade.query); while it stays unknown nothing else
 *    happens;
 * 2. under the agreement's and the charge's row locks: the charge is created for (agreement, D) if needed, a
 *    missed window marks it PAST_DUE, and a due charge gets a new attempt (fresh out_trade_no) — only when every
 *    earlier attempt is known to have failed;
 * 3. outside the transaction, trade.pay; its answer is settled under the locks again.
 * `force` (an operator's "charge now") ignores the retry schedule and a definitive failure of this period.
 */
export async function runCharge(
  deps: ServiceDeps,
  key: ChargeKey,
  options: { force?: boolean } = {},
): Promise<Charge | null> {
  requireAlipay(deps);
  const existing = await findCharge(deps, key);
  if (existing) {
    const settled = await reconcileCharge(deps, existing.id);
    if (settled === "unsettled") return findCharge(deps, key);
  }
  const now = await deps.clock.now();
  const claim = await deps.db.prisma.$transaction((tx) =>
    claimAttempt(deps, tx, { key, now, force: options.force ?? false }),
  );
  if (claim) await payAttempt(deps, claim);
  else await settleStaleDeferClaim(deps, key.agreementId);
  return findCharge(deps, key);
}

function findCharge(deps: ServiceDeps, key: ChargeKey): Promise<Charge | null> {
  return findChargeForPeriod(deps.db.prisma, {
    agreementId: key.agreementId,
    dueDate: calendarDateToUtcMidnight(key.dueDate),
  });
}

type Claim = {
  chargeId: string;
  agreementId: string;
  attemptId: string;
  outTradeNo: string;
  amountFen: number;
  agreementNo: string;
  productCode: string;
  dueDate: CalendarDate;
};

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

  const attempts = await countAttempts(tx, { chargeId: charge.id });
  const outTradeNo = outTradeNoFor({ chargeId: charge.id, dueDate: key.dueDate, attemptNumber: attempts + 1 });
  const timeoutSeconds = Math.ceil((deps.config.alipay?.timeoutMs ?? 10_000) / 1000);
  const attempt = await createAttempt(tx, {
    charge,
    outTradeNo,
    now,
    inFlightSeconds: timeoutSeconds + IN_FLIGHT_MARGIN_SECONDS,
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

/** alipay.trade.pay for an agreement deduction (docs/alipay-protocol.md §8), then its answer settled under the locks. */
async function payAttempt(deps: ServiceDeps, claim: Claim): Promise<void> {
  const result = await requireAlipay(deps).call("alipay.trade.pay", {
    out_trade_no: claim.outTradeNo,
    total_amount: fenToYuan(claim.amountFen),
    subject: `周期扣款 ${claim.dueDate}`,
    product_code: claim.productCode,
    agreement_params: { agreement_no: claim.agreementNo },
  });
  const now = await deps.clock.now();
  const outcome = await settlePayAnswer(deps, claim, { result, now });
  deps.metrics?.chargeAttempts.inc({ outcome, sub_code_class: subCodeClass(result) });
  deps.logger.info(
    { chargeId: claim.chargeId, outTradeNo: claim.outTradeNo, dueDate: claim.dueDate, outcome },
    "deduction attempt",
  );
  if (outcome === "merchant-side") logMerchantSideRefusal(deps, claim, result);
  if (outcome === "sync") await syncAgreement(deps, claim.agreementId, { source: "SCHEDULER" });
  // §8: an unknown outcome is never retried blind; ask at once, then on the reconcile schedule.
  if (outcome === "unknown-outcome") await reconcileCharge(deps, claim.chargeId);
}

type PayOutcome = "success" | "retryable" | "merchant-side" | "definitive" | "unknown-outcome" | "sync";

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
        const refusal = { code: result.code, sub_code: result.subCode };
        const kind = isMerchantSideRefusal("alipay.trade.pay", refusal) ? "merchant-side" : result.class;
        const after = await settleFailed(tx, locked, { kind, subCode, subMsg, now, config });
        return after ?? kind;
      }
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  });
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
  const open = await findOpenAttempts(deps.db.prisma, chargeId);
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
