import { calendarDateFromUtcMidnight } from "@paysign/contracts";
import type {
  AdminAgreementDetail,
  AgreementEvent as AgreementEventDto,
  ChargeAttempt as ChargeAttemptDto,
  Customer as CustomerDto,
  CustomerRefund,
  MoneyTotals,
  Plan as PlanDto,
  ReconciliationDetail as ReconciliationDetailDto,
  ReconciliationRun as ReconciliationRunDto,
  WebhookEndpoint as WebhookEndpointDto,
} from "@paysign/contracts";
import {
  presentAdminAgreement,
  presentAgreement,
  presentCharge,
  presentReconciliationDifference,
  presentRefund,
  presentWebhookEvent,
} from "../presenters/resources.ts";
import type { ReconciliationRunRow } from "../repositories/reconciliations.ts";
import type {
  AgreementEventRow,
  AgreementRow,
  ChargeAttemptRow,
  CustomerRow,
  PlanRow,
  RefundRow,
} from "../repositories/rows.ts";
import type { WebhookEndpointView } from "../services/webhook-endpoints.ts";

export { presentAdminAgreement, presentAgreement, presentCharge, presentRefund, presentWebhookEvent };

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
    differenceRows: run.differenceRows.map(presentReconciliationDifference),
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
