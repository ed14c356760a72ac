import { appGatewayOf, unsignAgreement } from "../../agreements/agreement-actions.ts";
import { isLive } from "../../agreements/agreement-lookup.ts";
import { resolveAgreement } from "../../agreements/resolve-agreement.ts";
import type { MethodHandler } from "../method-context.ts";
import { businessFailed, success } from "../results.ts";

/** alipay.user.agreement.unsign (§6): → UNSIGN and dut_user_unsign to the request's notify_url, else the app gateway (§10.1). */
export const agreementUnsign: MethodHandler = ({ deps, request, now }) => {
  const resolution = resolveAgreement({ state: deps.store.state, appId: request.app.appId, biz: request.biz, now });
  if (resolution.kind === "invalid") return businessFailed("INVALID_PARAMETER", resolution.reason);
  if (resolution.kind === "not-found") return businessFailed("AGREEMENT_NOT_EXIST", "协议不存在");
  if (!isLive(resolution.agreement, now)) {
    return businessFailed("USER_AGREEMENT_STATUS_NOT_NORMAL", "用户协议状态不正常（已解约或已失效）");
  }
  const target = request.params.notify_url || appGatewayOf(deps, resolution.agreement);
  unsignAgreement(deps, resolution.agreement, target);
  return success();
};
