import type { Agreement, AgreementDetail, Charge, CustomerRefund, MoneyTotals, Plan } from "@paysign/contracts/mini";
import { AGREEMENT_NOTES, CHARGE_NOTES, TOTALS_LABELS } from "./texts.ts";
import {
  agreementStatusText,
  agreementStatusTone,
  chargeStatusText,
  chargeStatusTone,
  dateText,
  instantDateText,
  moneyText,
  periodText,
  refundStatusText,
  refundStatusTone,
  type Tone,
} from "./format.ts";

/** What the axml shows: plain strings and flags, formatted once here. */
export type PlanView = {
  id: string;
  name: string;
  description: string;
  amountText: string;
  periodText: string;
  capsText: string;
  firstChargeText: string;
};

type RefundView = {
  id: string;
  amountText: string;
  statusText: string;
  tone: Tone;
  /** The Asia/Shanghai day it was refunded, or asked for while it is not (yet) refunded. */
  dateText: string;
};

/** One line of the totals: charged, refunded, net paid. */
type TotalView = { key: keyof MoneyTotals; label: string; amountText: string };

type ChargeView = {
  id: string;
  dueDateText: string;
  amountText: string;
  statusText: string;
  tone: Tone;
  /** What the customer may need to know about this period; "" when nothing. */
  note: string;
  refunds: RefundView[];
  hasRefunds: boolean;
};

export type AgreementView = {
  id: string;
  title: string;
  status: Agreement["status"];
  statusText: string;
  tone: Tone;
  amountText: string;
  periodText: string;
  nextDeductText: string;
  firstDeductText: string;
  paymentsText: string;
  capsText: string;
  canUnsign: boolean;
  charges: ChargeView[];
  hasCharges: boolean;
  /** Charged, refunded and net paid, when the server sent them (older servers do not); [] otherwise. */
  totals: TotalView[];
  hasTotals: boolean;
  /** A sentence on a state that needs more than its label (duplicate, past-due period, paused); "" when none. */
  note: string;
  noteTone: Tone;
};

export type Notice = { tone: Tone; title: string; text: string };

function capsText(totalAmount: string | null, totalPayments: number | null): string {
  const caps: string[] = [];
  if (totalAmount) caps.push(`累计不超过 ${moneyText(totalAmount)}`);
  if (totalPayments) caps.push(`最多 ${totalPayments} 次`);
  return caps.join("，");
}

export function planView(plan: Plan): PlanView {
  return {
    id: plan.id,
    name: plan.name,
    description: plan.description,
    amountText: moneyText(plan.singleAmount),
    periodText: periodText(plan.periodType, plan.period),
    capsText: capsText(plan.totalAmount, plan.totalPayments),
    firstChargeText:
      plan.firstChargeDelayDays === 0 ? "签约当天首次扣款" : `签约 ${plan.firstChargeDelayDays} 天后首次扣款`,
  };
}

function refundView(refund: CustomerRefund): RefundView {
  return {
    id: refund.id,
    amountText: moneyText(refund.amount),
    statusText: refundStatusText(refund.status),
    tone: refundStatusTone(refund.status),
    dateText: instantDateText(refund.refundedAt ?? refund.createdAt),
  };
}

function totalsView(totals: MoneyTotals | undefined): TotalView[] {
  if (!totals) return [];
  const keys: (keyof MoneyTotals)[] = ["charged", "refunded", "net"];
  return keys.map((key) => ({ key, label: TOTALS_LABELS[key].zh, amountText: moneyText(totals[key]) }));
}

function chargeView(charge: Charge, refunds: readonly CustomerRefund[]): ChargeView {
  const own = refunds.filter((refund) => refund.chargeId === charge.id).map(refundView);
  return {
    id: charge.id,
    dueDateText: dateText(charge.dueDate),
    amountText: moneyText(charge.amount),
    statusText: chargeStatusText(charge.status),
    tone: chargeStatusTone(charge.status),
    note: charge.status === "PAST_DUE" || charge.status === "UNKNOWN" ? CHARGE_NOTES[charge.status].zh : "",
    refunds: own,
    hasRefunds: own.length > 0,
  };
}

const DUPLICATE_REASON = "DUPLICATE_OF ";

/**
 * The live agreement an ABANDONED duplicate gave way to: its `DUPLICATE_OF <live id>` event (docs/alipay-protocol.md
 * §17.6). Null for anything else, and for an agreement read without its events.
 */
export function liveAgreementIdOf(agreement: Agreement | AgreementDetail): string | null {
  if (agreement.status !== "ABANDONED" || !("events" in agreement)) return null;
  const event = agreement.events.find((candidate) => candidate.reason.indexOf(DUPLICATE_REASON) === 0);
  return event ? event.reason.slice(DUPLICATE_REASON.length).trim() || null : null;
}

function noteOf(agreement: Agreement | AgreementDetail): { note: string; noteTone: Tone } {
  if (agreement.status === "ABANDONED") {
    return liveAgreementIdOf(agreement)
      ? { note: AGREEMENT_NOTES.DUPLICATE.zh, noteTone: "info" }
      : { note: AGREEMENT_NOTES.ABANDONED.zh, noteTone: "neutral" };
  }
  if ("charges" in agreement && agreement.charges.some((charge) => charge.status === "PAST_DUE")) {
    return { note: AGREEMENT_NOTES.PAST_DUE.zh, noteTone: "warning" };
  }
  if (agreement.status === "PAUSED") return { note: AGREEMENT_NOTES.PAUSED.zh, noteTone: "warning" };
  return { note: "", noteTone: "neutral" };
}

const UNSIGNABLE: readonly Agreement["status"][] = ["TEMP", "ACTIVE", "PAUSED"];

/** An agreement, with its charges when the detail was read. `title` is the plan's name when known. */
export function agreementView(agreement: Agreement | AgreementDetail, title: string): AgreementView {
  const refunds = ("refunds" in agreement ? agreement.refunds : undefined) ?? [];
  const charges = "charges" in agreement ? agreement.charges.map((charge) => chargeView(charge, refunds)) : [];
  const totals = totalsView("totals" in agreement ? agreement.totals : undefined);
  return {
    id: agreement.id,
    title,
    status: agreement.status,
    statusText: agreementStatusText(agreement.status),
    tone: agreementStatusTone(agreement.status),
    amountText: moneyText(agreement.singleAmount),
    periodText: periodText(agreement.periodType, agreement.period),
    nextDeductText: dateText(agreement.nextDeductDate),
    firstDeductText: dateText(agreement.executeTime),
    paymentsText: `${agreement.paymentsCount} 次`,
    capsText: capsText(agreement.totalAmount, agreement.totalPayments),
    canUnsign: UNSIGNABLE.includes(agreement.status),
    charges,
    hasCharges: charges.length > 0,
    totals,
    hasTotals: totals.length > 0,
    ...noteOf(agreement),
  };
}

/** The name shown for an agreement whose plan is no longer listed. */
export const DEFAULT_AGREEMENT_TITLE = "周期扣款";

export function titleFor(planId: string, plans: readonly Plan[]): string {
  return plans.find((plan) => plan.id === planId)?.name ?? DEFAULT_AGREEMENT_TITLE;
}
