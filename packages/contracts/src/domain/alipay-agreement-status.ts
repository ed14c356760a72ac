import type { AgreementStatus } from "./agreement-status.ts";

/** Agreement statuses Alipay reports in query / page.sign / sign.effect answers (docs/alipay-protocol.md §2.6, §5). */
export const ALIPAY_AGREEMENT_STATUSES = ["TEMP", "NORMAL", "STOP"] as const;
export type AlipayAgreementStatus = (typeof ALIPAY_AGREEMENT_STATUSES)[number];

/** The status a `dut_user_unsign` notification carries (§10.3); Alipay never reports it from a query. */
export const ALIPAY_UNSIGN_STATUS = "UNSIGN";
export type AlipayNotifiedAgreementStatus = AlipayAgreementStatus | typeof ALIPAY_UNSIGN_STATUS;

/** The local status an Alipay status stands for: TEMP → TEMP, NORMAL → ACTIVE, STOP → PAUSED, UNSIGN → UNSIGNED. */
export function agreementStatusFromAlipay(status: AlipayNotifiedAgreementStatus): AgreementStatus {
  switch (status) {
    case "TEMP":
      return "TEMP";
    case "NORMAL":
      return "ACTIVE";
    case "STOP":
      return "PAUSED";
    case "UNSIGN":
      return "UNSIGNED";
    default: {
      const unknownStatus: never = status;
      throw new RangeError(`unknown Alipay agreement status ${String(unknownStatus)}`);
    }
  }
}
