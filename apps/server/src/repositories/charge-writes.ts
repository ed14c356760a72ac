import { randomUUID } from "node:crypto";
import { chargeEventTypeOf } from "@paysign/contracts";
import type { Charge, ChargeAttempt, Prisma } from "../generated/prisma/client.ts";
import { presentCharge } from "../presenters/resources.ts";
import { latestAttempt } from "./charges.ts";
import type { Tx } from "./transaction.ts";
import { appendWebhookEvent } from "./webhook-events.ts";

// Writes of the deduction engine (deductions/), each in the caller's transaction under the agreement's row lock
// (charge-locks.ts).

/** What a charge's state can change to: its status with the next attempt time, the failure and the trade. */
export type ChargeStateChange = Pick<
  Prisma.ChargeUncheckedUpdateInput,
  "status" | "nextAttemptAt" | "failureCode" | "failureReason" | "tradeNo" | "paidAt"
>;

/**
 * Writes the charge's new state; a final status (SUCCEEDED, FAILED, PAST_DUE) also writes its outbound event, the
 * charge as written as its data. Callers write a final status once (they check the charge is not final yet) and hold
 * the agreement's row lock, which the event's sequence takes again.
 */
export async function setChargeState(tx: Tx, chargeId: string, change: ChargeStateChange): Promise<void> {
  const type = typeof change.status === "string" ? chargeEventTypeOf(change.status) : null;
  if (!type) {
    await tx.charge.update({ where: { id: chargeId }, data: change });
    return;
  }
  const charge = await tx.charge.update({
    where: { id: chargeId },
    data: change,
    include: { attempts: latestAttempt },
  });
  await appendWebhookEvent(tx, { type, agreementId: charge.agreementId, data: presentCharge(charge) });
}

/** How an attempt settled: its status with the trade, the settle time or the sub_code Alipay gave. */
export type AttemptSettlement = Pick<
  Prisma.ChargeAttemptUncheckedUpdateInput,
  "status" | "tradeNo" | "settledAt" | "subCode" | "subMsg"
>;

export async function settleAttemptRow(tx: Tx, attemptId: string, settlement: AttemptSettlement): Promise<void> {
  await tx.chargeAttempt.update({ where: { id: attemptId }, data: settlement });
}

/** The charge of one period (unique per agreement and due date), amount in yuan. */
export function insertCharge(
  tx: Tx,
  input: { agreementId: string; dueDate: Date; amount: string; nextAttemptAt: Date },
): Promise<Charge> {
  return tx.charge.create({ data: { id: randomUUID(), ...input } });
}

/** A PROCESSING attempt (unique out_trade_no); `inFlightUntil` bounds its pay call in real time. */
export function insertAttempt(
  tx: Tx,
  input: { chargeId: string; outTradeNo: string; requestedAt: Date; inFlightUntil: Date },
): Promise<ChargeAttempt> {
  return tx.chargeAttempt.create({ data: { id: randomUUID(), ...input } });
}

/**
 * A paid period's effect on its agreement: counts and totals, and the next deduction date D; and the claim of a
 * defer on D (deductions/defer.ts).
 */
export type AgreementDeductionState = Pick<
  Prisma.AgreementUncheckedUpdateInput,
  "paymentsCount" | "paidTotal" | "nextDeductDate" | "deferClaimedUntil"
>;

export function setAgreementDeductionState(tx: Tx, agreementId: string, state: AgreementDeductionState) {
  return tx.agreement.update({ where: { id: agreementId }, data: state });
}
