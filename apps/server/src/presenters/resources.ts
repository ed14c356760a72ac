import { calendarDateFromUtcMidnight } from "@paysign/contracts";
import type {
  AdminAgreement,
  Agreement as AgreementDto,
  Charge as ChargeDto,
  ReconciliationDifference as ReconciliationDifferenceDto,
  Refund as RefundDto,
  WebhookEvent as WebhookEventDto,
} from "@paysign/contracts";
import type { Agreement, Charge, ChargeAttempt, ReconciliationDifference, Refund } from "../generated/prisma/client.ts";

// Database rows → the resources of @paysign/contracts that both the admin API (routes/presenters.ts) and the outbound
// events (the `data` of a webhook event, written by repositories) show. Money leaves as two-decimal yuan strings,
// dates as yyyy-MM-dd, instants as ISO 8601.

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);
const day = (date: Date) => calendarDateFromUtcMidnight(date);

/** The agreement columns its resources show (the notification hot path reads exactly these). */
export type PresentableAgreement = Omit<
  Agreement,
  "alipayOpenId" | "deferClaimedUntil" | "eventSequence" | "firstDateAttempts"
>;

export function presentAgreement(agreement: PresentableAgreement): AgreementDto {
  return {
    id: agreement.id,
    externalAgreementNo: agreement.externalAgreementNo,
    status: agreement.status,
    planId: agreement.planId,
    agreementNo: agreement.agreementNo,
    periodType: agreement.periodType,
    period: agreement.period,
    singleAmount: agreement.singleAmount.toFixed(2),
    totalAmount: agreement.totalAmount?.toFixed(2) ?? null,
    totalPayments: agreement.totalPayments,
    executeTime: day(agreement.executeTime),
    nextDeductDate: agreement.nextDeductDate ? day(agreement.nextDeductDate) : null,
    paymentsCount: agreement.paymentsCount,
    signedAt: isoOrNull(agreement.signTime),
    createdAt: iso(agreement.createdAt),
    updatedAt: iso(agreement.updatedAt),
  };
}

export function presentAdminAgreement(agreement: PresentableAgreement): AdminAgreement {
  return {
    ...presentAgreement(agreement),
    customerId: agreement.customerId,
    alipayUserId: agreement.alipayUserId,
    alipayStatus: agreement.alipayStatus as AdminAgreement["alipayStatus"],
    productCode: agreement.productCode,
    personalProductCode: agreement.personalProductCode,
    signScene: agreement.signScene,
    effectType: agreement.effectType,
    paidTotal: agreement.paidTotal.toFixed(2),
    validAt: isoOrNull(agreement.validTime),
    invalidAt: isoOrNull(agreement.invalidTime),
    clientResultStatus: agreement.clientResultStatus as AdminAgreement["clientResultStatus"],
    followUpCount: agreement.followUpCount,
    nextFollowUpAt: isoOrNull(agreement.nextFollowUpAt),
    nextSweepAt: isoOrNull(agreement.nextSweepAt),
  };
}

export function presentCharge(charge: Charge & { attempts: Array<Pick<ChargeAttempt, "outTradeNo">> }): ChargeDto {
  return {
    id: charge.id,
    agreementId: charge.agreementId,
    dueDate: day(charge.dueDate),
    amount: charge.amount.toFixed(2),
    status: charge.status,
    outTradeNo: charge.attempts[0]?.outTradeNo ?? null,
    tradeNo: charge.tradeNo,
    paidAt: isoOrNull(charge.paidAt),
    failureCode: charge.failureCode,
    failureReason: charge.failureReason,
    createdAt: iso(charge.createdAt),
    updatedAt: iso(charge.updatedAt),
  };
}

export function presentRefund(refund: Refund & { charge: { agreementId: string } }): RefundDto {
  return {
    id: refund.id,
    chargeId: refund.chargeId,
    agreementId: refund.charge.agreementId,
    tradeNo: refund.tradeNo,
    outRequestNo: refund.outRequestNo,
    amount: refund.amount.toFixed(2),
    reason: refund.reason,
    status: refund.status,
    source: refund.source,
    subCode: refund.subCode,
    subMsg: refund.subMsg,
    refundedAt: isoOrNull(refund.refundedAt),
    createdAt: iso(refund.createdAt),
    updatedAt: iso(refund.updatedAt),
  };
}

/** A difference between Alipay's daily bill and our records. */
export function presentReconciliationDifference(row: ReconciliationDifference): ReconciliationDifferenceDto {
  return {
    id: row.id,
    kind: row.kind,
    lineType: row.lineType === "REFUND" ? "REFUND" : "TRADE",
    outTradeNo: row.outTradeNo,
    tradeNo: row.tradeNo,
    outRequestNo: row.outRequestNo,
    chargeId: row.chargeId,
    alipayAmount: row.alipayAmount?.toFixed(2) ?? null,
    ourAmount: row.ourAmount?.toFixed(2) ?? null,
    alipayStatus: row.alipayStatus,
    ourStatus: row.ourStatus,
    detail: row.detail,
    suggestedAction: row.suggestedAction,
    settledAt: isoOrNull(row.settledAt),
    settlement: row.settlement,
  };
}

/** An outbox row: the envelope of contracts' webhook event around its `data` (written by the outbox writers only). */
export function presentWebhookEvent(event: {
  id: string;
  type: string;
  agreementId: string | null;
  sequence: number | null;
  data: unknown;
  createdAt: Date;
}): WebhookEventDto {
  // The writers (repositories/webhook-events.ts) store a contracts type with its data; the row only lost the types.
  return {
    id: event.id,
    type: event.type,
    createdAt: iso(event.createdAt),
    agreementId: event.agreementId,
    sequence: event.sequence,
    data: event.data,
  } as WebhookEventDto;
}
