/**
 * This system's agreement lifecycle (docs/product.md §5). Alipay's own statuses are in alipay-agreement-status.ts.
 * Terminal states never come back: a retried `dut_user_sign` after `dut_user_unsign` must not resurrect anything.
 */
export const AGREEMENT_STATUSES = [
  "PENDING",
  "TEMP",
  "ACTIVE",
  "PAUSED",
  "UNSIGNED",
  "EXPIRED",
  "COMPLETED",
  "FAILED",
  "ABANDONED",
] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export const TERMINAL_AGREEMENT_STATUSES = ["UNSIGNED", "EXPIRED", "COMPLETED", "FAILED", "ABANDONED"] as const;
export type TerminalAgreementStatus = (typeof TERMINAL_AGREEMENT_STATUSES)[number];

/** Statuses in which Alipay holds a signed agreement (it can still be unsigned, expire or complete). */
export const SIGNED_AGREEMENT_STATUSES = ["TEMP", "ACTIVE", "PAUSED"] as const;

/**
 * Every allowed transition, and nothing else.
 * - PENDING: the sign string was issued; Alipay confirms NORMAL (→ ACTIVE) or TEMP for NOTICE agreements (→ TEMP).
 *   A confirmed 7002 → FAILED; never confirmed in time → ABANDONED. A notification can report a sign that was
 *   already unsigned (they arrive out of order), so PENDING → UNSIGNED is allowed too.
 * - TEMP → ACTIVE after `alipay.user.agreement.sign.effect`; ACTIVE ↔ PAUSED follows Alipay NORMAL ↔ STOP.
 * - Any signed state → UNSIGNED (user or merchant), EXPIRED (invalid_time passed) or COMPLETED (caps reached).
 *   COMPLETED needs a successful deduction, so only from ACTIVE.
 */
export const AGREEMENT_TRANSITIONS = {
  PENDING: ["TEMP", "ACTIVE", "UNSIGNED", "FAILED", "ABANDONED"],
  TEMP: ["ACTIVE", "UNSIGNED", "EXPIRED"],
  ACTIVE: ["PAUSED", "UNSIGNED", "EXPIRED", "COMPLETED"],
  PAUSED: ["ACTIVE", "UNSIGNED", "EXPIRED"],
  UNSIGNED: [],
  EXPIRED: [],
  COMPLETED: [],
  FAILED: [],
  ABANDONED: [],
} as const satisfies Record<AgreementStatus, readonly AgreementStatus[]>;

export function canTransition(from: AgreementStatus, to: AgreementStatus): boolean {
  const allowed: readonly AgreementStatus[] = AGREEMENT_TRANSITIONS[from];
  return allowed.includes(to);
}

export function isTerminalAgreementStatus(status: AgreementStatus): status is TerminalAgreementStatus {
  return AGREEMENT_TRANSITIONS[status].length === 0;
}

export function isAgreementStatus(value: string): value is AgreementStatus {
  return (AGREEMENT_STATUSES as readonly string[]).includes(value);
}

/** Labels for people, in Chinese and English. */
export const AGREEMENT_STATUS_LABELS = {
  PENDING: { zh: "待签约", en: "Awaiting signature" },
  TEMP: { zh: "待生效", en: "Signed, awaiting activation" },
  ACTIVE: { zh: "生效中", en: "Active" },
  PAUSED: { zh: "已暂停", en: "Paused" },
  UNSIGNED: { zh: "已解约", en: "Cancelled" },
  EXPIRED: { zh: "已过期", en: "Expired" },
  COMPLETED: { zh: "已完成", en: "Completed" },
  FAILED: { zh: "签约失败", en: "Signing failed" },
  ABANDONED: { zh: "已放弃", en: "Abandoned" },
} as const satisfies Record<AgreementStatus, { zh: string; en: string }>;
