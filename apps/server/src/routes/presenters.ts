import { calendarDateFromUtcMidnight } from "@paysign/contracts";
import type {
  AdminAgreement,
  AdminAgreementDetail,
  Agreement as AgreementDto,
  AgreementEvent as AgreementEventDto,
  Charge as ChargeDto,
  ChargeAttempt as ChargeAttemptDto,
  Customer as CustomerDto,
  CustomerRefund,
  MoneyTotals,
  Plan as PlanDto,
  ReconciliationDetail as ReconciliationDetailDto,
  ReconciliationRun as ReconciliationRunDto,
  Refund as RefundDto,
  WebhookEndpoint as WebhookEndpointDto,
} from "@paysign/contracts";
import type { ReconciliationRunRow } from "../repositories/reconciliations.ts";
import type {
  AgreementEventRow,
  AgreementRow,
  ChargeAttemptRow,
  ChargeRow,
  CustomerRow,
  PlanRow,
  RefundRow,
} from "../repositories/rows.ts";
import type { WebhookEndpointView } from "../services/webhook-endpoints.ts";

// Database rows → the API shapes of @paysign/contracts. Money leaves as two-decimal yuan strings, dates as
// yyyy-MM-dd, instants as ISO 8601.

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);
const day = (date: Date) => calendarDateFromUtcMidnight(date);

export function presentPlan(plan: PlanRow): PlanDto {
  return {
    id: plan.id,
    name: plan.name,
    description: plan.description,
    productCode: plan.productCode as PlanDto["productCode"],
    personalProductCode: plan.personalProductCode as PlanDto["personalProductCode"],
    signScene: plan.signScene,
    periodType: plan.periodType,
    period: plan.period,
    singleAmount: plan.singleAmount.toFixed(2),
    totalAmount: plan.totalAmount?.toFixed(2) ?? null,
    totalPayments: plan.totalPayments,
    firstChargeDelayDays: plan.firstChargeDelayDays,
    effectType: plan.effectType,
    signValidityPeriod: plan.signValidityPeriod,
    active: plan.active,
    createdAt: iso(plan.createdAt),
    updatedAt: iso(plan.updatedAt),
  };
}

export function presentCustomer(customer: CustomerRow): CustomerDto {
  return {
    id: customer.id,
    alipayUserId: customer.alipayUserId,
    alipayOpenId: customer.alipayOpenId,
    createdAt: iso(customer.createdAt),
  };
}

export function presentAgreement(agreement: AgreementRow): AgreementDto {
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

export function presentAdminAgreement(agreement: AgreementRow): AdminAgreement {
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

export function presentEvent(event: AgreementEventRow): AgreementEventDto {
  return {
    id: event.id,
    agreementId: event.agreementId,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    source: event.source as AgreementEventDto["source"],
    reason: event.reason,
    createdAt: iso(event.createdAt),
  };
}

/** An event with the raw input that caused it; operators only. */
export function presentAdminEvent(event: AgreementEventRow): AdminAgreementDetail["events"][number] {
  return { ...presentEvent(event), raw: event.raw ?? null };
}

export function presentCharge(charge: ChargeRow & { attempts: ChargeAttemptRow[] }): ChargeDto {
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

export function presentAttempt(attempt: ChargeAttemptRow): ChargeAttemptDto {
  return {
    id: attempt.id,
    outTradeNo: attempt.outTradeNo,
    status: attempt.status,
    subCode: attempt.subCode,
    subMsg: attempt.subMsg,
    tradeNo: attempt.tradeNo,
    requestedAt: iso(attempt.requestedAt),
    settledAt: isoOrNull(attempt.settledAt),
  };
}

type ReconciliationRunFields = Omit<ReconciliationRunRow, "differenceRows">;

export function presentReconciliationRun(run: ReconciliationRunFields): ReconciliationRunDto {
  return {
    billDate: day(run.billDate),
    status: run.status,
    tradeLines: run.tradeLines,
    refundLines: run.refundLines,
    matchedLines: run.matchedLines,
    differences: run.differences,
    settled: run.settled,
    failureReason: run.failureReason,
    startedAt: iso(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
  };
}

export function presentReconciliationDetail(run: ReconciliationRunRow): ReconciliationDetailDto {
  return {
    ...presentReconciliationRun(run),
    differenceRows: run.differenceRows.map((row) => ({
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
    })),
  };
}

export function presentRefund(refund: RefundRow & { charge: { agreementId: string } }): RefundDto {
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

/** A refund as the customer sees it. */
export function presentCustomerRefund(refund: RefundRow): CustomerRefund {
  return {
    id: refund.id,
    chargeId: refund.chargeId,
    amount: refund.amount.toFixed(2),
    reason: refund.reason,
    status: refund.status,
    refundedAt: isoOrNull(refund.refundedAt),
    createdAt: iso(refund.createdAt),
  };
}

/** Charged (the agreement's paid total), refunded (its SUCCEEDED refunds) and net, in yuan. */
export function presentTotals(agreement: AgreementRow, charges: ReadonlyArray<{ refunds: RefundRow[] }>): MoneyTotals {
  const refunded = charges
    .flatMap((charge) => charge.refunds)
    .filter((refund) => refund.status === "SUCCEEDED")
    .reduce((sum, refund) => sum.add(refund.amount), agreement.paidTotal.sub(agreement.paidTotal));
  return {
    charged: agreement.paidTotal.toFixed(2),
    refunded: refunded.toFixed(2),
    net: agreement.paidTotal.sub(refunded).toFixed(2),
  };
}

export function presentWebhookEndpoint(view: WebhookEndpointView): WebhookEndpointDto {
  const { row } = view;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes as WebhookEndpointDto["eventTypes"],
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: isoOrNull(row.disabledAt),
    failingSince: isoOrNull(row.failingSince),
    previousSecretValidUntil: isoOrNull(view.previousSecretValidUntil),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
