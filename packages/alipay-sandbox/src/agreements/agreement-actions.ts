import { buildDutUserSignParams, buildDutUserUnsignParams } from "../notify/notify-params.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { userIdTypeOf } from "../users/user-identity.ts";
import type { Agreement } from "../state/types.ts";
import { formatAlipayDateTime } from "@paysign/contracts";

/** §10.1: dut_user_sign goes to the page.sign notify_url; without one (no app gateway here) nothing is sent. */
export function notifyAgreementSigned(deps: SandboxDeps, agreement: Agreement): void {
  if (!agreement.notifyUrl) return;
  const user = deps.store.state.users[agreement.userId];
  deps.notifier.send({
    notifyType: "dut_user_sign",
    url: agreement.notifyUrl,
    charset: agreement.notifyCharset,
    params: buildDutUserSignParams(agreement, user, userIdTypeOf(deps.config, agreement.appId)),
  });
}

/**
 * §11.11: merchant or user unsign. The notification goes to `notifyUrl` (the unsign request's) or else to the
 * agreement's sign notify_url, which stands in for the app gateway the sandbox does not have.
 */
export function unsignAgreement(deps: SandboxDeps, agreement: Agreement, notifyUrl: string | null): void {
  agreement.status = "UNSIGN";
  agreement.unsignTime = formatAlipayDateTime(deps.clock.now());
  deps.store.save();
  const url = notifyUrl ?? agreement.notifyUrl;
  if (!url) return;
  const user = deps.store.state.users[agreement.userId];
  const params = buildDutUserUnsignParams(agreement, user, userIdTypeOf(deps.config, agreement.appId));
  deps.notifier.send({ notifyType: "dut_user_unsign", url, params });
}

/** §4: TEMP → NORMAL; the sign notification is sent when the agreement takes effect. */
export function effectAgreement(deps: SandboxDeps, agreement: Agreement): void {
  if (agreement.status !== "TEMP") return;
  agreement.status = "NORMAL";
  agreement.validTime = formatAlipayDateTime(deps.clock.now());
  deps.store.save();
  notifyAgreementSigned(deps, agreement);
}
