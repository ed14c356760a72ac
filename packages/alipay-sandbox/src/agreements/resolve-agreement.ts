import { readText } from "../gateway/biz-fields.ts";
import type { SandboxState, Agreement } from "../state/types.ts";
import { findAgreementByExternal, findAgreementByNo, isLive } from "./agreement-lookup.ts";
import { findUserIdByOpenId } from "../users/user-identity.ts";

export type Resolution =
  { kind: "found"; agreement: Agreement } | { kind: "not-found" } | { kind: "invalid"; reason: string };

const DEFAULT_SCENE = "DEFAULT|DEFAULT";

/**
 * §5/§6: `agreement_no` wins and the rest is ignored; otherwise personal_product_code + sign_scene +
 * external_agreement_no (sign_scene required and not DEFAULT|DEFAULT), or a user id + personal_product_code.
 */
export function resolveAgreement(options: {
  state: SandboxState;
  appId: string;
  biz: Record<string, unknown>;
  now: Date;
}): Resolution {
  const { state, appId, biz, now } = options;
  const agreementNo = readText(biz, "agreement_no");
  if (agreementNo) {
    const agreement = findAgreementByNo(state, appId, agreementNo);
    return agreement ? { kind: "found", agreement } : { kind: "not-found" };
  }
  const personalProductCode = readText(biz, "personal_product_code");
  const signScene = readText(biz, "sign_scene") ?? DEFAULT_SCENE;
  const externalAgreementNo = readText(biz, "external_agreement_no");
  if (externalAgreementNo) {
    if (!personalProductCode) return { kind: "invalid", reason: "personal_product_code 不能为空" };
    if (signScene === DEFAULT_SCENE)
      return { kind: "invalid", reason: "传入 external_agreement_no 时 sign_scene 必填且不能为 DEFAULT|DEFAULT" };
    const agreement = findAgreementByExternal(
      state,
      { appId, personalProductCode, signScene, externalAgreementNo },
      now,
    );
    return agreement ? { kind: "found", agreement } : { kind: "not-found" };
  }
  // §19.2: without agreement_no or external_agreement_no the user must be named, by user id or open id.
  const openId = readText(biz, "alipay_open_id");
  const userId = readText(biz, "alipay_user_id") ?? (openId ? (findUserIdByOpenId(state, appId, openId) ?? "") : null);
  if (userId === null) {
    return {
      kind: "invalid",
      reason: "agreement_no、external_agreement_no 与用户标识（alipay_user_id / alipay_open_id）不可同时为空",
    };
  }
  if (!personalProductCode) return { kind: "invalid", reason: "personal_product_code 不能为空" };
  const candidates = Object.values(state.agreements).filter(
    (agreement) =>
      agreement.appId === appId &&
      agreement.userId === userId &&
      agreement.personalProductCode === personalProductCode &&
      agreement.signScene === signScene,
  );
  const agreement = candidates.find((candidate) => isLive(candidate, now)) ?? candidates.at(-1);
  return agreement ? { kind: "found", agreement } : { kind: "not-found" };
}
