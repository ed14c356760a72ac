import { agreementQueryFields } from "../../agreements/agreement-fields.ts";
import { isExpired } from "../../agreements/agreement-lookup.ts";
import { resolveAgreement } from "../../agreements/resolve-agreement.ts";
import type { MethodHandler } from "../method-context.ts";
import { businessFailed, success } from "../results.ts";
import { userIdTypeOf } from "../../users/user-identity.ts";

/**
 * alipay.user.agreement.query (§5). An expired agreement answers USER_AGREEMENT_NOT_EXIST (the sandbox's choice:
 * Alipay only finds valid agreements; trade.pay tells ACQ.AGREEMENT_INVALID apart).
 */
export const agreementQuery: MethodHandler = ({ deps, request, now }) => {
  const { state } = deps.store;
  const resolution = resolveAgreement({ state, appId: request.app.appId, biz: request.biz, now });
  if (resolution.kind === "invalid") return businessFailed("INVALID_PARAMETER", resolution.reason);
  if (resolution.kind === "not-found") return businessFailed("USER_AGREEMENT_NOT_EXIST", "用户协议不存在");
  const { agreement } = resolution;
  if (agreement.status === "UNSIGN") return businessFailed("AGREEMENT_HAS_UNSIGNED", "用户协议已解约");
  if (isExpired(agreement, now)) return businessFailed("USER_AGREEMENT_NOT_EXIST", "用户协议不存在（已过期）");
  const userIdType = userIdTypeOf(deps.config, request.app.appId);
  return success(agreementQueryFields(agreement, state.users[agreement.userId], userIdType));
};
