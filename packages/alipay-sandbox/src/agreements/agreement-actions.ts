import { buildDutUserSignParams, buildDutUserUnsignParams } from "../notify/notify-params.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { userIdTypeOf } from "../users/user-identity.ts";
import type { Agreement } from "../state/types.ts";
import { formatAlipayDateTime } from "@paysign/contracts";

/** The app gateway (应用网关) of the agreement's app, or null when none is set (§17.4). */
export function appGatewayOf(deps: SandboxDeps, agreement: Agreement): string | null {
  return deps.config.apps.get(agreement.appId)?.app.appGatewayUrl ?? null;
}

/** §10.1: dut_user_sign goes to the page.sign notify_url, else to the app gateway; with neither nothing is sent. */
export function notifyAgreementSigned(deps: SandboxDeps, agreement: Agreement): void {
  const url = agreement.notifyUrl ?? appGatewayOf(deps, agreement);
  if (!url) return;
  const user = deps.store.state.users[agreement.userId];
  deps.notifier.send({
    notifyType: "dut_user_sign",
    url,
    charset: agreement.notifyCharset,
    params: buildDutUserSignParams(agreement, user, userIdTypeOf(deps.config, agreement.appId)),
  });
}

/**
 * §11.11, §17.4: merchant or user unsign. The merchant's goes to the unsign request's notify_url, else the app
 * gateway; the user's (in the Alipay app) only to the app gateway. `target` is that URL, null when there is none:
 * then nothing is sent.
 */
export function unsignAgreement(deps: SandboxDeps, agreement: Agreement, target: string | null): void {
  agreement.status = "UNSIGN";
  agreement.unsignTime = formatAlipayDateTime(deps.clock.now());
  deps.store.save();
  const url = target;
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

/**
 * §17.3: the user pauses (NORMAL → STOP) or resumes (STOP → NORMAL) the agreement in the Alipay app. No notification
 * is sent: none is documented for either [UNCERTAIN]. Answers whether the status changed.
 */
export function setAgreementPaused(deps: SandboxDeps, agreement: Agreement, paused: boolean): boolean {
  const [from, to] = paused ? (["NORMAL", "STOP"] as const) : (["STOP", "NORMAL"] as const);
  if (agreement.status !== from) return false;
  agreement.status = to;
  deps.store.save();
  return true;
}
