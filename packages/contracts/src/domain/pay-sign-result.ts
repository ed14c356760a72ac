import type { AgreementStatus } from "./agreement-status.ts";

/** `resultStatus` of my.paySignCenter: always a string (docs/alipay-protocol.md §3, docs/user-pain-points.md §B.2). */
export const PAY_SIGN_RESULT_STATUSES = ["7000", "7001", "7002", "6001", "6002"] as const;
export type PaySignResultStatus = (typeof PAY_SIGN_RESULT_STATUSES)[number];

/**
 * What the client does after paySignCenter answers. Whatever the code, the client reports it to the server
 * (`POST /api/v1/agreements/:id/sign-result`): a bare resultStatus is never proof (docs/product.md §5).
 * - CONFIRM_WITH_SERVER: looks signed; the server confirms (signed result, notification or query).
 * - SERVER_CHECKS: may be signed; the server queries Alipay by external agreement number.
 * - SHOW_FAILURE: signing failed (product codes, amount limits, capability not added).
 * - RETRY: the network failed; call paySignCenter again with the same signStr.
 */
export type PaySignNextStep = "CONFIRM_WITH_SERVER" | "SERVER_CHECKS" | "SHOW_FAILURE" | "RETRY";

export type PaySignResultInfo = { zh: string; en: string; nextStep: PaySignNextStep };

export const PAY_SIGN_RESULTS = {
  "7000": { zh: "协议签约成功", en: "Signed", nextStep: "CONFIRM_WITH_SERVER" },
  "7001": { zh: "签约结果未知（有可能已经签约成功）", en: "Result unknown (may be signed)", nextStep: "SERVER_CHECKS" },
  "7002": { zh: "协议签约失败", en: "Signing failed", nextStep: "SHOW_FAILURE" },
  "6001": {
    zh: "用户中途取消（也可能已签约后跳出）",
    en: "Cancelled, or left after signing (may be signed)",
    nextStep: "SERVER_CHECKS",
  },
  "6002": { zh: "网络连接错误", en: "Network error", nextStep: "RETRY" },
} as const satisfies Record<PaySignResultStatus, PaySignResultInfo>;

export function isPaySignResultStatus(value: string): value is PaySignResultStatus {
  return (PAY_SIGN_RESULT_STATUSES as readonly string[]).includes(value);
}

/**
 * What the server tells the client to show after a sign-result report:
 * SIGNED (ACTIVE, or TEMP awaiting the merchant), CONFIRMING (still PENDING: poll the agreement), RETRY (PENDING
 * after a network error: open paySignCenter again), FAILED, NOT_SIGNED (abandoned, or already ended).
 */
export const SIGN_OUTCOMES = ["SIGNED", "CONFIRMING", "RETRY", "FAILED", "NOT_SIGNED"] as const;
export type SignOutcome = (typeof SIGN_OUTCOMES)[number];

export const SIGN_OUTCOME_LABELS = {
  SIGNED: { zh: "签约成功", en: "Signed" },
  CONFIRMING: { zh: "正在确认签约结果", en: "Confirming with Alipay" },
  RETRY: { zh: "网络异常，请重试", en: "Network error, please try again" },
  FAILED: { zh: "签约失败", en: "Signing failed" },
  NOT_SIGNED: { zh: "未签约", en: "Not signed" },
} as const satisfies Record<SignOutcome, { zh: string; en: string }>;

/** The outcome for the agreement's status after the server applied the report (and whatever it confirmed). */
export function signOutcomeOf(status: AgreementStatus, reported: PaySignResultStatus): SignOutcome {
  switch (status) {
    case "ACTIVE":
    case "TEMP":
    case "PAUSED":
      return "SIGNED";
    case "PENDING":
      return PAY_SIGN_RESULTS[reported].nextStep === "RETRY" ? "RETRY" : "CONFIRMING";
    case "FAILED":
      return "FAILED";
    case "ABANDONED":
    case "UNSIGNED":
    case "EXPIRED":
    case "COMPLETED":
      return "NOT_SIGNED";
    default: {
      const unknownStatus: never = status;
      throw new RangeError(`unknown agreement status ${String(unknownStatus)}`);
    }
  }
}
