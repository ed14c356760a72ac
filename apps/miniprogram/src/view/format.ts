import {
  AGREEMENT_STATUS_LABELS,
  CHARGE_STATUS_LABELS,
  formatYuan,
  tryParseCalendarDate,
  tryShanghaiDateOfIso,
  type AgreementStatus,
  type ChargeStatus,
  type PeriodType,
  type RefundStatus,
} from "@paysign/contracts/mini";
import { REFUND_STATUS_TEXTS } from "./texts.ts";

export type Tone = "success" | "info" | "warning" | "error" | "neutral";

/** `"19.90"` → `"¥19.90"`. */
export function moneyText(yuan: string): string {
  return formatYuan(yuan);
}

/** `MONTH, 1` → `每月`; `DAY, 7` → `每 7 天`. */
export function periodText(periodType: PeriodType, period: number): string {
  switch (periodType) {
    case "MONTH":
      return period === 1 ? "每月" : `每 ${period} 个月`;
    case "DAY":
      return period === 7 ? "每周" : `每 ${period} 天`;
    default: {
      const unknownType: never = periodType;
      return String(unknownType);
    }
  }
}

/** A calendar date `yyyy-MM-dd` (never an instant: nothing to convert) → `2026年1月5日`. */
export function dateText(date: string | null): string {
  if (!date) return "—";
  const parts = tryParseCalendarDate(date);
  return parts ? `${parts.year}年${parts.month}月${parts.day}日` : date;
}

/** An ISO instant → the Asia/Shanghai day it falls on, as dateText writes it (`2026年1月6日`). */
export function instantDateText(instant: string | null): string {
  return instant ? dateText(tryShanghaiDateOfIso(instant) ?? instant) : "—";
}

export function agreementStatusTone(status: AgreementStatus): Tone {
  switch (status) {
    case "ACTIVE":
      return "success";
    case "PENDING":
    case "TEMP":
      return "info";
    case "PAUSED":
      return "warning";
    case "FAILED":
      return "error";
    case "UNSIGNED":
    case "EXPIRED":
    case "COMPLETED":
    case "ABANDONED":
      return "neutral";
    default: {
      const unknownStatus: never = status;
      return unknownStatus;
    }
  }
}

export function chargeStatusTone(status: ChargeStatus): Tone {
  switch (status) {
    case "SUCCEEDED":
      return "success";
    case "PENDING":
    case "PROCESSING":
    case "UNKNOWN":
      return "info";
    case "FAILED":
    case "PAST_DUE":
      return "error";
    default: {
      const unknownStatus: never = status;
      return unknownStatus;
    }
  }
}

export function agreementStatusText(status: AgreementStatus): string {
  return AGREEMENT_STATUS_LABELS[status].zh;
}

export function chargeStatusText(status: ChargeStatus): string {
  return CHARGE_STATUS_LABELS[status].zh;
}

export function refundStatusTone(status: RefundStatus): Tone {
  switch (status) {
    case "SUCCEEDED":
      return "neutral";
    case "PENDING":
      return "info";
    case "FAILED":
      return "error";
    default: {
      const unknownStatus: never = status;
      return unknownStatus;
    }
  }
}

export function refundStatusText(status: RefundStatus): string {
  return REFUND_STATUS_TEXTS[status].zh;
}
