import type { Agreement, SandboxState } from "../state/types.ts";
import { tryParseAlipayDateTime } from "@paysign/contracts";

export function isExpired(agreement: Agreement, now: Date): boolean {
  const invalidAt = tryParseAlipayDateTime(agreement.invalidTime);
  return invalidAt !== undefined && invalidAt.getTime() <= now.getTime();
}

/** Live = signed and not yet terminated: TEMP or NORMAL, before invalid_time. */
export function isLive(agreement: Agreement, now: Date): boolean {
  return agreement.status !== "UNSIGN" && !isExpired(agreement, now);
}

export function findAgreementByNo(state: SandboxState, appId: string, agreementNo: string): Agreement | null {
  const agreement = state.agreements[agreementNo];
  return agreement && agreement.appId === appId ? agreement : null;
}

export type ExternalKey = {
  appId: string;
  personalProductCode: string;
  signScene: string;
  externalAgreementNo: string;
};

/** §5: personal_product_code + sign_scene + external_agreement_no; the live one wins over terminated ones. */
export function findAgreementByExternal(state: SandboxState, key: ExternalKey, now: Date): Agreement | null {
  const matches = Object.values(state.agreements).filter(
    (agreement) =>
      agreement.appId === key.appId &&
      agreement.personalProductCode === key.personalProductCode &&
      agreement.signScene === key.signScene &&
      agreement.externalAgreementNo === key.externalAgreementNo,
  );
  return matches.find((agreement) => isLive(agreement, now)) ?? matches.at(-1) ?? null;
}

export function countLiveAgreements(
  state: SandboxState,
  options: { appId: string; userId: string; now: Date },
): number {
  return Object.values(state.agreements).filter(
    (agreement) =>
      agreement.appId === options.appId && agreement.userId === options.userId && isLive(agreement, options.now),
  ).length;
}
