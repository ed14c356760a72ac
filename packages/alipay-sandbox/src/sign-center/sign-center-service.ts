import { notifyAgreementSigned } from "../agreements/agreement-actions.ts";
import { agreementFields } from "../agreements/agreement-fields.ts";
import { userIdTypeOf } from "../users/user-identity.ts";
import { countLiveAgreements, findAgreementByExternal, isLive } from "../agreements/agreement-lookup.ts";
import { signText } from "../crypto/rsa.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { createAgreementNo } from "../state/ids.ts";
import type { Agreement } from "../state/types.ts";
import { addDays, addMonths, formatAlipayDateTime, shanghaiDateOf } from "@paysign/contracts";
import type { SignTerms } from "./page-sign-rules.ts";
import { prepareSigning, type PreparedSigning } from "./prepare-signing.ts";
import { toGatewayCharset } from "../gateway/gateway-charsets.ts";

/** What my.paySignCenter hands its success callback (§3): strings only. `memo` carries the reason of a 7002. */
export type SignCenterResult = { resultStatus: "7000" | "7002" | "6001"; result: string; memo: string };

export type SignDecision = "confirm" | "cancel";

/** §2.1: default long-term validity as Alipay shows it. */
const LONG_TERM_INVALID_TIME = "2115-02-01 00:00:00";

function failed(memo: string): SignCenterResult {
  return { resultStatus: "7002", result: "", memo };
}

function invalidTimeFor(terms: SignTerms, now: Date): string {
  if (!terms.validity) return LONG_TERM_INVALID_TIME;
  const today = shanghaiDateOf(now);
  const end =
    terms.validity.unit === "d" ? addDays(today, terms.validity.amount) : addMonths(today, terms.validity.amount);
  return `${end}${formatAlipayDateTime(now).slice(10)}`;
}

/** §18.1: the charset the signStr names decides its notifications' charset; none (or one refused), the app's. */
function notifyCharsetOf(signing: PreparedSigning): Pick<Agreement, "notifyCharset"> {
  const charset = toGatewayCharset(signing.params.charset ?? "");
  return charset ? { notifyCharset: charset } : {};
}

function createAgreement(deps: SandboxDeps, signing: PreparedSigning, userId: string): Agreement {
  const now = deps.clock.now();
  const { terms } = signing;
  const signTime = formatAlipayDateTime(now);
  const agreement: Agreement = {
    agreementNo: createAgreementNo(now),
    appId: signing.app.appId,
    userId,
    externalAgreementNo: terms.externalAgreementNo,
    externalLogonId: terms.externalLogonId,
    personalProductCode: terms.personalProductCode,
    productCode: terms.productCode,
    signScene: terms.signScene,
    thirdPartyType: terms.thirdPartyType,
    status: terms.effectType === "NOTICE" ? "TEMP" : "NORMAL",
    signTime,
    validTime: signTime,
    invalidTime: invalidTimeFor(terms, now),
    unsignTime: null,
    notifyUrl: signing.params.notify_url || null,
    ...notifyCharsetOf(signing),
    periodRule: terms.periodRule,
    nextDeductDate: terms.periodRule?.executeTime ?? null,
    successCount: 0,
    successSumFen: 0,
    lastDeductTime: null,
    modifyCount: 0,
  };
  deps.store.state.agreements[agreement.agreementNo] = agreement;
  deps.store.save();
  if (agreement.status === "NORMAL") notifyAgreementSigned(deps, agreement);
  return agreement;
}

/** The `result` string: a gateway-shaped response signed by the sandbox's Alipay key (§3). */
function buildSignedResult(deps: SandboxDeps, signing: PreparedSigning, agreement: Agreement): string {
  const inner = JSON.stringify({
    code: "10000",
    msg: "Success",
    app_id: signing.app.appId,
    auth_app_id: signing.app.appId,
    charset: "UTF-8",
    timestamp: formatAlipayDateTime(deps.clock.now()),
    ...agreementFields(agreement, deps.store.state.users[agreement.userId], userIdTypeOf(deps.config, agreement.appId)),
  });
  const sign = signText(inner, deps.config.alipayPrivateKey, signing.signType);
  return `{"alipay_user_agreement_page_sign_response":${inner},"sign":"${sign}","sign_type":"${signing.signType}"}`;
}

function checkConflicts(deps: SandboxDeps, signing: PreparedSigning, userId: string): string | null {
  const { state } = deps.store;
  const now = deps.clock.now();
  const { terms } = signing;
  if (terms.signUserId !== null && terms.signUserId !== userId) return "identity_params.sign_user_id 与签约用户不一致";
  if (terms.externalAgreementNo !== null) {
    const existing = findAgreementByExternal(
      state,
      {
        appId: signing.app.appId,
        personalProductCode: terms.personalProductCode,
        signScene: terms.signScene,
        externalAgreementNo: terms.externalAgreementNo,
      },
      now,
    );
    if (existing && isLive(existing, now))
      return `协议已存在：external_agreement_no ${terms.externalAgreementNo} 仍在生效中`;
  }
  const live = countLiveAgreements(state, { appId: signing.app.appId, userId, now });
  const max = deps.config.maxLiveAgreementsPerUser;
  return live >= max ? `同一商户同一用户最多 ${max} 个生效中的协议` : null;
}

/**
 * my.paySignCenter as Alipay answers it (§3, docs/user-pain-points.md §B.2): invalid requests 7002 with the reason, cancel 6001
 * with nothing created, a `return_url` signs and still answers 6001, otherwise 7000 with the signed result.
 * An unknown userId is a 7002 (create the buyer first with POST /sandbox/users).
 */
export function signAtCenter(
  deps: SandboxDeps,
  input: { signStr: string; userId: string; decision: SignDecision },
): SignCenterResult {
  const prepared = prepareSigning(deps, input.signStr);
  if (!prepared.ok) return failed(prepared.reason);
  const { signing } = prepared;
  if (!deps.store.state.users[input.userId]) {
    return failed(`用户 ${input.userId} 不存在：先用 POST /sandbox/users 创建买家`);
  }
  if (input.decision === "cancel") return { resultStatus: "6001", result: "", memo: "用户中途取消" };
  const conflict = checkConflicts(deps, signing, input.userId);
  if (conflict) return failed(conflict);
  const agreement = createAgreement(deps, signing, input.userId);
  if (signing.params.return_url) {
    return { resultStatus: "6001", result: "", memo: "签约成功后跳转了 return_url，离开了小程序" };
  }
  return { resultStatus: "7000", result: buildSignedResult(deps, signing, agreement), memo: "" };
}
