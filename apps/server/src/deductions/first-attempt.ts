import { randomUUID } from "node:crypto";
import {
  calendarDateToUtcMidnight,
  deductWindowPosition,
  fenToYuan,
  nextDeductDate,
  shanghaiDateOf,
  tryParseAlipayDateTime,
  type CalendarDate,
} from "@paysign/contracts";
import type { AlipayCallResult } from "../alipay/alipay-client.ts";
import { worstCaseCallMs } from "../alipay/call-duration.ts";
import { Prisma, type Charge } from "../generated/prisma/client.ts";
import { presentCharge } from "../presenters/resources.ts";
import { claimFirstAttempt, type AgreementAsClaimed, type ChargeTarget } from "../repositories/charge-claim-sql.ts";
import { settleFirstAttemptPaid } from "../repositories/charge-settle-sql.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { isUsedUp, nextChargeAmountFen, outTradeNoFor } from "./deduction-policy.ts";
import type { ChargeKey } from "./charge-engine.ts";

// A period's first attempt, the common case of the charge engine (charge-engine.ts), one statement each way: the
// claim (the charge and its PROCESSING attempt) and, when its pay answer is a success, the settle. Each writes only
// while what it was decided on still holds; otherwise nothing, and the engine's locked Prisma path decides.

/** An attempt claimed for a period, PROCESSING, its trade.pay not yet sent. */
export type Claim = {
  chargeId: string;
  agreementId: string;
  attemptId: string;
  outTradeNo: string;
  amountFen: number;
  agreementNo: string;
  productCode: string;
  dueDate: CalendarDate;
  /**
   * A period's first attempt claimed in one statement: the agreement as read (`target`) and as the claim wrote on it
   * (`claimed`), and the charge's createdAt.
   */
  first?: { target: ChargeTarget; claimed: AgreementAsClaimed; chargeCreatedAt: Date };
};

/**
 * The first attempt of a period without a charge yet, in one statement (repositories/charge-claim-sql.ts), when the
 * agreement as read allows it: ACTIVE with D = the period, signed, no defer claim, the window open, an amount left.
 * The statement writes only while the agreement is still so under its row lock; undefined sends the caller to the
 * locked Prisma path (`claimAttempt`), which decides every case, this one included, the same way.
 */
export async function claimFirstAttemptFast(
  deps: ServiceDeps,
  input: { key: ChargeKey; target: ChargeTarget; now: Date },
): Promise<Claim | undefined> {
  const { key, target, now } = input;
  if (target.status !== "ACTIVE" || target.nextDeductDate !== key.dueDate || target.deferClaimed) return undefined;
  if (!target.agreementNo) return undefined;
  const windowDays = deps.config.deductions.windowDays;
  if (deductWindowPosition({ today: shanghaiDateOf(now), deductDate: key.dueDate, windowDays }) !== "OPEN") {
    return undefined;
  }
  const amountFen = nextChargeAmountFen(target);
  if (amountFen === undefined) return undefined;
  const chargeId = randomUUID();
  const outTradeNo = outTradeNoFor({ chargeId, dueDate: key.dueDate, attemptNumber: 1 });
  const chargeCreatedAt = new Date();
  const claimed: AgreementAsClaimed = {
    agreementId: key.agreementId,
    dueDate: key.dueDate,
    agreementNo: target.agreementNo,
    paymentsCount: target.paymentsCount,
    paidTotal: target.paidTotal,
  };
  const attemptId = await claimFirstAttempt(deps.db, {
    agreement: claimed,
    charge: { id: chargeId, amount: fenToYuan(amountFen), createdAt: chargeCreatedAt },
    attempt: { id: randomUUID(), outTradeNo, requestedAt: now, inFlightUntil: inFlightUntil(deps) },
  });
  if (!attemptId) return undefined;
  return {
    chargeId,
    agreementId: key.agreementId,
    attemptId,
    outTradeNo,
    amountFen,
    agreementNo: target.agreementNo,
    productCode: target.productCode,
    dueDate: key.dueDate,
    first: { target, claimed, chargeCreatedAt },
  };
}

/** Extra time on top of the longest SDK call before a PROCESSING attempt is presumed abandoned by its worker. */
const IN_FLIGHT_MARGIN_SECONDS = 30;

/** How long a new attempt's pay call may still be in flight, in seconds: the longest SDK call and a margin. */
export function inFlightSeconds(deps: ServiceDeps): number {
  return Math.ceil(worstCaseCallMs(deps.config.alipay?.timeoutMs ?? 10_000) / 1000) + IN_FLIGHT_MARGIN_SECONDS;
}

/** Real time, not business time, until which a new attempt's pay call may still be in flight (see createAttempt). */
function inFlightUntil(deps: ServiceDeps): Date {
  return new Date(Date.now() + inFlightSeconds(deps) * 1000);
}

/**
 * A first attempt (claimed in one statement) paid by its pay answer, settled in one statement
 * (repositories/charge-settle-sql.ts) when the agreement is still as the claim read it and the payment does not
 * complete it: the charge as written, or undefined (nothing written) for settlePayAnswer to decide under the locks.
 */
export async function settleFirstAttemptPaidFast(
  deps: ServiceDeps,
  claim: Claim,
  answer: { result: AlipayCallResult<"alipay.trade.pay">; now: Date },
): Promise<Charge | undefined> {
  const { first } = claim;
  const { result, now } = answer;
  if (!first || result.kind !== "success" || !result.response.trade_no) return undefined;
  const { target, claimed } = first;
  const amount = new Prisma.Decimal(fenToYuan(claim.amountFen));
  const after = { ...target, paymentsCount: target.paymentsCount + 1, paidTotal: target.paidTotal.add(amount) };
  if (isUsedUp(after)) return undefined;
  const tradeNo = result.response.trade_no;
  const gmtPayment = result.response.gmt_payment;
  const paidAt = (gmtPayment && tryParseAlipayDateTime(gmtPayment)) || now;
  const at = new Date();
  const charge: Charge = {
    id: claim.chargeId,
    agreementId: claim.agreementId,
    dueDate: calendarDateToUtcMidnight(claim.dueDate),
    amount,
    status: "SUCCEEDED",
    tradeNo,
    paidAt,
    failureCode: null,
    failureReason: null,
    nextAttemptAt: null,
    createdAt: first.chargeCreatedAt,
    updatedAt: at,
  };
  const settled = await settleFirstAttemptPaid(deps.db, {
    agreement: claimed,
    attemptId: claim.attemptId,
    chargeId: claim.chargeId,
    trade: { tradeNo, paidAt },
    amount: amount.toFixed(2),
    nextDeductDate: nextDeductDate({ periodType: target.periodType, period: target.period, current: claim.dueDate }),
    at,
    event: { id: randomUUID(), data: presentCharge({ ...charge, attempts: [{ outTradeNo: claim.outTradeNo }] }) },
  });
  return settled ? charge : undefined;
}
