import { randomUUID } from "node:crypto";
import { fenToYuan, tryParseAlipayDateTime, yuanToFen, type RefundRefusal } from "@paysign/contracts";
import { isRefundQueryDone, REFUND_WINDOW_DAYS } from "@paysign/contracts/alipay";
import type { AlipayCallResult } from "../alipay/alipay-client.ts";
import { worstCaseCallMs } from "../alipay/call-duration.ts";
import { nextReconcileAt } from "../deductions/deduction-policy.ts";
import { AppError, notFound } from "../errors.ts";
import type { Charge, ChargeAttempt } from "../generated/prisma/client.ts";
import { lockCharge } from "../repositories/charge-locks.ts";
import {
  findRefundById,
  findRefundByIdempotencyKey,
  findRefundsOfTrade,
  getRefundWithAgreement,
  insertRefund,
  insertRefundAttempt,
  settleRefundAttempt,
  updateRefund,
  type RefundWithAgreement,
} from "../repositories/refunds.ts";
import type { RefundRow } from "../repositories/rows.ts";
import type { Tx } from "../repositories/transaction.ts";
import { isUniqueViolation } from "../repositories/unique-violation.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { requireAlipay } from "../services/require-alipay.ts";

// A refund follows the charge's never-twice discipline (ARCHITECTURE.md "A refund", docs/alipay-protocol.md §20):
// the row and its out_request_no are committed before alipay.trade.refund is called; the answer, the refund query or
// the notification settles it, each under the agreement's lock, and a PENDING refund leaves PENDING once. A lost
// answer is settled by asking about the same out_request_no, or by sending that same number again — never a new one.

const DAY_MS = 24 * 60 * 60 * 1000;
const IN_FLIGHT_MARGIN_MS = 30_000;

export type RefundRequest = {
  chargeId: string;
  /** Yuan, two decimals. Ignored for the duplicate trade, which goes back whole. */
  amount?: string | undefined;
  reason?: string | undefined;
  idempotencyKey: string;
  /** Refund the period's second paid trade instead of the charge's trade. */
  duplicate?: boolean;
};

function refuse(reason: RefundRefusal, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError("CONFLICT", message, { reason, ...details });
}

/** The trade a refund of this charge gives money back from, its amount and when it was paid. */
function targetTrade(
  charge: Charge & { attempts: ChargeAttempt[] },
  duplicate: boolean,
): { tradeNo: string; paidAt: Date | null } {
  if (!duplicate) {
    if (charge.status !== "SUCCEEDED" || !charge.tradeNo)
      throw refuse("CHARGE_NOT_SUCCEEDED", `Only a paid charge can be refunded; this one is ${charge.status}.`);
    return { tradeNo: charge.tradeNo, paidAt: charge.paidAt };
  }
  const extra = charge.attempts.find(
    (attempt) => attempt.status === "SUCCEEDED" && attempt.tradeNo && attempt.tradeNo !== charge.tradeNo,
  );
  if (!extra?.tradeNo)
    throw refuse("NO_DUPLICATE_TRADE", "This charge has no second paid trade for its period; refund it normally.");
  return { tradeNo: extra.tradeNo, paidAt: extra.settledAt };
}

function sameRequest(refund: RefundRow, input: RefundRequest, amountFen: number | undefined): boolean {
  if (input.duplicate) return true;
  return yuanToFen(refund.amount.toFixed(2)) === amountFen && refund.reason === (input.reason ?? null);
}

async function replay(deps: ServiceDeps, input: RefundRequest, amountFen: number | undefined) {
  const found = await findRefundByIdempotencyKey(deps.db.prisma, {
    chargeId: input.chargeId,
    idempotencyKey: input.idempotencyKey,
  });
  if (!found) return null;
  if (!sameRequest(found, input, amountFen))
    throw new AppError("IDEMPOTENCY_MISMATCH", "This Idempotency-Key was used for another refund; use a new key.");
  return found;
}

/**
 * Creates a refund of a paid charge and asks Alipay for it (alipay.trade.refund by trade_no, docs/alipay-protocol.md
 * §20.1). Refused with 409 `details.reason` (RefundRefusal) before any call: the charge is not SUCCEEDED, the amount
 * is over what is left (PENDING refunds count as taken), the trade was paid more than REFUND_WINDOW_DAYS ago (§20.3),
 * or (duplicate) there is no second paid trade. The same Idempotency-Key answers the same refund again.
 * Returns the refund as it stands after the answer (PENDING when the answer was lost and the query did not settle it).
 */
export async function createRefund(deps: ServiceDeps, input: RefundRequest): Promise<RefundWithAgreement> {
  requireAlipay(deps);
  const amountFen = input.amount === undefined ? undefined : yuanToFen(input.amount);
  const earlier = await replay(deps, input, amountFen);
  if (earlier) return earlier;
  const now = await deps.clock.now();
  let refundId: string;
  try {
    refundId = await deps.db.prisma.$transaction(async (tx) => {
      const locked = await lockCharge(tx, input.chargeId);
      if (!locked) throw notFound("Charge");
      const charge = await tx.charge.findUniqueOrThrow({ where: { id: input.chargeId }, include: { attempts: true } });
      const trade = targetTrade(charge, input.duplicate ?? false);
      if (trade.paidAt && now.getTime() - trade.paidAt.getTime() > REFUND_WINDOW_DAYS * DAY_MS)
        throw refuse("TRADE_TOO_OLD", `Alipay refunds a trade only within ${REFUND_WINDOW_DAYS} days of its payment.`);
      const taken = (await findRefundsOfTrade(tx, trade.tradeNo))
        .filter((refund) => refund.status !== "FAILED")
        .reduce((sum, refund) => sum + yuanToFen(refund.amount.toFixed(2)), 0);
      const paidFen = yuanToFen(charge.amount.toFixed(2));
      const wanted = input.duplicate ? paidFen - taken : (amountFen ?? 0);
      if (wanted <= 0 || wanted > paidFen - taken)
        throw refuse("AMOUNT_OVER_REMAINING", `At most ${fenToYuan(Math.max(paidFen - taken, 0))} is left to refund.`, {
          remaining: fenToYuan(Math.max(paidFen - taken, 0)),
        });
      const id = randomUUID();
      await insertRefund(tx, {
        id,
        chargeId: charge.id,
        tradeNo: trade.tradeNo,
        outRequestNo: `RF${id.replaceAll("-", "")}`,
        amount: fenToYuan(wanted),
        reason: input.reason ?? (input.duplicate ? "second paid trade of one period" : null),
        idempotencyKey: input.idempotencyKey,
        nextQueryAt: nextQueryAfter(deps, now, now),
      });
      return id;
    });
  } catch (error) {
    if (isUniqueViolation(error, "Refund_chargeId_idempotencyKey_key")) {
      const again = await replay(deps, input, amountFen);
      if (again) return again;
    }
    throw error;
  }
  deps.logger.info({ refundId, chargeId: input.chargeId }, "refund created, asking Alipay");
  const sent = await sendRefund(deps, refundId);
  if (sent === "unknown") await reconcileRefund(deps, refundId);
  return await getRefundWithAgreement(deps.db.prisma, refundId);
}

function nextQueryAfter(deps: ServiceDeps, requestedAt: Date, now: Date): Date {
  return nextReconcileAt({ requestedAt, now, scheduleSeconds: deps.config.deductions.reconcileScheduleSeconds });
}

/** A PENDING refund, its charge's agreement locked: null when it is settled (nothing left to do). */
async function lockPendingRefund(tx: Tx, refundId: string): Promise<RefundRow | null> {
  const refund = await findRefundById(tx, refundId);
  if (!refund) return null;
  await lockCharge(tx, refund.chargeId);
  const current = await findRefundById(tx, refundId);
  return current?.status === "PENDING" ? current : null;
}

/** PENDING → SUCCEEDED (the answer, the query or the notification; whichever comes second changes nothing). */
export async function markRefundSucceeded(tx: Tx, refund: RefundRow, refundedAt: Date): Promise<boolean> {
  if (refund.status !== "PENDING") return false;
  await updateRefund(tx, refund.id, {
    status: "SUCCEEDED",
    refundedAt,
    nextQueryAt: null,
    subCode: null,
    subMsg: null,
  });
  return true;
}

/**
 * Sends alipay.trade.refund for a PENDING refund with its own out_request_no (a repeat is answered, never applied
 * twice: §20.1) and settles the answer: success → SUCCEEDED; a refusal → FAILED with its sub_code; a lost or
 * ambiguous answer → still PENDING ("unknown"), for the refund query.
 */
async function sendRefund(deps: ServiceDeps, refundId: string): Promise<"settled" | "unknown"> {
  const alipay = requireAlipay(deps);
  const inFlightMs = worstCaseCallMs(deps.config.alipay?.timeoutMs ?? 10_000) + IN_FLIGHT_MARGIN_MS;
  const claimed = await deps.db.prisma.$transaction(async (tx) => {
    const refund = await lockPendingRefund(tx, refundId);
    if (!refund) return null;
    const attempt = await insertRefundAttempt(tx, {
      id: randomUUID(),
      refundId,
      kind: "REFUND",
      inFlightUntil: new Date(Date.now() + inFlightMs),
    });
    return { refund, attemptId: attempt.id };
  });
  if (!claimed) return "settled";
  const { refund, attemptId } = claimed;
  const result = await alipay.call("alipay.trade.refund", {
    trade_no: refund.tradeNo,
    refund_amount: refund.amount.toFixed(2),
    out_request_no: refund.outRequestNo,
    ...(refund.reason ? { refund_reason: refund.reason } : {}),
  });
  const now = await deps.clock.now();
  return await deps.db.prisma.$transaction(async (tx) => {
    const pending = await lockPendingRefund(tx, refundId);
    const outcome = classifyRefundAnswer(result);
    await settleRefundAttempt(tx, attemptId, {
      status: outcome.kind === "succeeded" ? "SUCCEEDED" : outcome.kind === "failed" ? "FAILED" : "UNKNOWN",
      subCode: outcome.kind === "succeeded" ? null : outcome.subCode,
      subMsg: outcome.kind === "succeeded" ? null : outcome.subMsg,
      settledAt: now,
    });
    if (!pending) return "settled";
    switch (outcome.kind) {
      case "succeeded":
        await markRefundSucceeded(tx, pending, outcome.refundedAt ?? now);
        return "settled";
      case "failed":
        await updateRefund(tx, pending.id, {
          status: "FAILED",
          subCode: outcome.subCode,
          subMsg: outcome.subMsg,
          nextQueryAt: null,
        });
        deps.logger.warn({ refundId, subCode: outcome.subCode }, "Alipay refused the refund");
        return "settled";
      case "unknown":
        await updateRefund(tx, pending.id, { nextQueryAt: nextQueryAfter(deps, now, now) });
        return "unknown";
    }
  });
}

type RefundAnswer =
  | { kind: "succeeded"; refundedAt: Date | undefined }
  | { kind: "failed"; subCode: string; subMsg: string | null }
  | { kind: "unknown"; subCode: string; subMsg: string | null };

function classifyRefundAnswer(result: AlipayCallResult<"alipay.trade.refund">): RefundAnswer {
  switch (result.kind) {
    case "success": {
      // fund_change N on our send means Alipay had this out_request_no already: done, unless it did not say (§20.1).
      if (result.response.fund_change === undefined && result.response.refund_fee === undefined)
        return { kind: "unknown", subCode: "UNREADABLE", subMsg: "a success without fund_change" };
      const at = result.response.gmt_refund_pay;
      return { kind: "succeeded", refundedAt: at ? tryParseAlipayDateTime(at) : undefined };
    }
    case "business-failure":
      return { kind: "failed", subCode: result.subCode ?? result.code ?? "REFUSED", subMsg: result.subMsg ?? null };
    case "unknown-outcome":
      return { kind: "unknown", subCode: result.subCode ?? "NO_ANSWER", subMsg: result.subMsg ?? result.reason };
  }
}

/**
 * Settles a PENDING refund whose answer was lost (docs/alipay-protocol.md §20.2): the refund query for its
 * out_request_no; done → SUCCEEDED; "no such refund" → the same out_request_no is sent again (its answer is
 * definitive whether or not the first request is still travelling); no answer → asked again on
 * DEDUCTION_RECONCILE_SCHEDULE. Never a second out_request_no.
 */
export async function reconcileRefund(deps: ServiceDeps, refundId: string): Promise<"settled" | "unsettled"> {
  const alipay = requireAlipay(deps);
  const refund = await deps.db.prisma.$transaction((tx) => lockPendingRefund(tx, refundId));
  if (!refund) return "settled";
  const result = await alipay.call("alipay.trade.fastpay.refund.query", {
    trade_no: refund.tradeNo,
    out_request_no: refund.outRequestNo,
  });
  const now = await deps.clock.now();
  if (result.kind === "success" && !isRefundQueryDone(result.response)) {
    return (await sendRefund(deps, refundId)) === "settled" ? "settled" : "unsettled";
  }
  return await deps.db.prisma.$transaction(async (tx) => {
    const pending = await lockPendingRefund(tx, refundId);
    await insertRefundAttempt(tx, {
      id: randomUUID(),
      refundId,
      kind: "QUERY",
      status: result.kind === "success" ? "SUCCEEDED" : "UNKNOWN",
      subCode: result.kind === "success" ? null : (result.subCode ?? null),
      settledAt: now,
    });
    if (!pending) return "settled";
    if (result.kind === "success") {
      const at = result.response.gmt_refund_pay;
      await markRefundSucceeded(tx, pending, (at ? tryParseAlipayDateTime(at) : undefined) ?? now);
      return "settled";
    }
    await updateRefund(tx, pending.id, { nextQueryAt: nextQueryAfter(deps, now, now) });
    return "unsettled";
  });
}
