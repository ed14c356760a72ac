/**
 * One deduction for one period (docs/product.md §8). UNKNOWN: Alipay's answer was lost or ambiguous — reconcile with
 * trade.query before any new attempt. PAST_DUE: the window [D−N, D] passed without success.
 */
export const CHARGE_STATUSES = ["PENDING", "PROCESSING", "SUCCEEDED", "FAILED", "UNKNOWN", "PAST_DUE"] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const CHARGE_STATUS_LABELS = {
  PENDING: { zh: "待扣款", en: "Scheduled" },
  PROCESSING: { zh: "扣款中", en: "Processing" },
  SUCCEEDED: { zh: "扣款成功", en: "Paid" },
  FAILED: { zh: "扣款失败", en: "Failed" },
  UNKNOWN: { zh: "结果确认中", en: "Being confirmed" },
  PAST_DUE: { zh: "已逾期", en: "Past due" },
} as const satisfies Record<ChargeStatus, { zh: string; en: string }>;

export function isChargeStatus(value: string): value is ChargeStatus {
  return (CHARGE_STATUSES as readonly string[]).includes(value);
}
