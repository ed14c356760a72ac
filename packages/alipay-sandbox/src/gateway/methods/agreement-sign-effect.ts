import { effectAgreement } from "../../agreements/agreement-actions.ts";
import { agreementFields } from "../../agreements/agreement-fields.ts";
import { userIdTypeOf } from "../../users/user-identity.ts";
import { isLive } from "../../agreements/agreement-lookup.ts";
import { resolveAgreement } from "../../agreements/resolve-agreement.ts";
import type { MethodHandler } from "../method-context.ts";
import { businessFailed, success } from "../results.ts";

/**
 * alipay.user.agreement.sign.effect (§4): TEMP → NORMAL. Calling it on a NORMAL agreement answers success again
 * (idempotent). Its sub_codes are not published [UNCERTAIN]; the sandbox reuses the query/unsign ones.
 */
export const agreementSignEffect: MethodHandler = ({ deps, request, now }) => {
  const { state } = deps.store;
  const resolution = resolveAgreement({ state, appId: request.app.appId, biz: request.biz, now });
  if (resolution.kind === "invalid") return businessFailed("INVALID_PARAMETER", resolution.reason);
  if (resolution.kind === "not-found") return businessFailed("USER_AGREEMENT_NOT_EXIST", "用户协议不存在");
  const { agreement } = resolution;
  if (!isLive(agreement, now)) return businessFailed("USER_AGREEMENT_STATUS_NOT_NORMAL", "用户协议状态不正常");
  effectAgreement(deps, agreement);
  const userIdType = userIdTypeOf(deps.config, request.app.appId);
  return success({
    ...agreementFields(agreement, state.users[agreement.userId], userIdType),
    pricipal_type: "CUSTOMER",
  });
};
