import {
  PAY_SIGN_RESULTS,
  SIGNED_AGREEMENT_STATUSES,
  isPaySignResultStatus,
  shanghaiDateOf,
  type PaySignResultStatus,
} from "@paysign/contracts";
import { parsePaySignCenterResult } from "@paysign/contracts/alipay";
import { notFound } from "../errors.ts";
import type { Agreement } from "../generated/prisma/client.ts";
import { findAgreementOf, findLiveAgreementId, getAgreementById } from "../repositories/agreement-reads.ts";
import { lockAgreement, recordClientResult } from "../repositories/agreements.ts";
import { sweepScheduleOf } from "../domain/sweep-schedule.ts";
import { applyAlipayView } from "./agreement-transitions.ts";
import { syncAgreement } from "./agreement-sync.ts";
import type { ServiceDeps } from "./deps.ts";
import { redactAlipayFields } from "./redact.ts";
import { requireAlipay } from "./require-alipay.ts";

/**
 * The agreement after a sign-result report, and when it is not live (not TEMP, ACTIVE or PAUSED) while the customer
 * holds a live agreement for the same plan, that one's id: the client shows it (docs/alipay-protocol.md §17.6).
 */
export async function reportSignResultWithLive(
  deps: ServiceDeps,
  input: Parameters<typeof reportSignResult>[1],
): Promise<{ agreement: Agreement; liveAgreementId: string | undefined }> {
  const agreement = await reportSignResult(deps, input);
  if ((SIGNED_AGREEMENT_STATUSES as readonly string[]).includes(agreement.status))
    return { agreement, liveAgreementId: undefined };
  const live = await findLiveAgreementId(deps.db.prisma, {
    customerId: agreement.customerId,
    planId: agreement.planId,
    exceptId: agreement.id,
  });
  return { agreement, liveAgreementId: live ?? undefined };
}

/**
 * The client reports what my.paySignCenter returned. Its resultStatus proves nothing (docs/product.md §5): a 7000
 * `result` counts only when its signature verifies with the Alipay public key and its app_id and
 * external_agreement_no are this agreement's; everything else is settled by `alipay.user.agreement.query`, now and
 * on the follow-up back-off.
 */
async function reportSignResult(
  deps: ServiceDeps,
  input: { customerId: string; agreementId: string; resultStatus: PaySignResultStatus; result: string | undefined },
): Promise<Agreement> {
  const own = await findAgreementOf(deps.db.prisma, { id: input.agreementId, customerId: input.customerId });
  if (!own) throw notFound("Agreement");
  const now = await deps.clock.now();
  const firstFollowUp = deps.config.followUpScheduleSeconds[0] ?? 60;
  // The follow-up count is never reset here: reporting again must not buy more agreement.query calls.
  await recordClientResult(deps.db.prisma, {
    id: own.id,
    resultStatus: input.resultStatus,
    ...(own.status === "PENDING" ? { nextFollowUpAt: new Date(now.getTime() + firstFollowUp * 1000) } : {}),
  });
  if (own.status !== "PENDING") return getAgreementById(deps.db.prisma, own.id);

  if (input.resultStatus === "7000" && input.result !== undefined) {
    const confirmed = await confirmFromVerifiedResult(deps, own, input.result);
    if (confirmed) return confirmed;
  }
  // Alipay is asked at once for the first final result the client reports (a 6002 is not one: the client retries);
  // reporting again leaves it to the follow-up, so a client cannot spend the merchant's agreement.query quota.
  const reportedBefore = own.clientResultStatus !== null && !isRetry(own.clientResultStatus);
  if (isRetry(input.resultStatus) || reportedBefore) {
    return getAgreementById(deps.db.prisma, own.id);
  }
  const { agreement } = await syncAgreement(deps, own.id, {
    source: "ALIPAY_QUERY",
    ...(input.resultStatus === "7002" ? { notSigned: "FAILED" as const } : {}),
  });
  return agreement;
}

function isRetry(resultStatus: string): boolean {
  return isPaySignResultStatus(resultStatus) && PAY_SIGN_RESULTS[resultStatus].nextStep === "RETRY";
}

async function confirmFromVerifiedResult(
  deps: ServiceDeps,
  agreement: Agreement,
  result: string,
): Promise<Agreement | undefined> {
  const alipay = requireAlipay(deps);
  const parsed = parsePaySignCenterResult(result);
  const log = deps.logger.child({ agreementId: agreement.id });
  if (!parsed.ok) {
    log.warn({ reason: parsed.reason }, "paySignCenter result unreadable; confirming with Alipay instead");
    return undefined;
  }
  const { signSource, sign, response } = parsed.value;
  // Verified with the app's configured sign type, whatever the result names.
  if (!sign || !alipay.verifyAlipaySignature(signSource, sign)) {
    log.warn("paySignCenter result signature does not verify; confirming with Alipay instead");
    return undefined;
  }
  if (response.app_id !== alipay.appId || response.external_agreement_no !== agreement.externalAgreementNo) {
    log.warn("paySignCenter result is signed but for another app or agreement; confirming with Alipay instead");
    return undefined;
  }
  if (response.status !== "NORMAL" && response.status !== "TEMP") return undefined;
  const status = response.status;
  const now = await deps.clock.now();
  const today = shanghaiDateOf(now);
  return deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, agreement.id);
    if (!locked) throw new Error(`agreement ${agreement.id} vanished`);
    const applied = await applyAlipayView(tx, {
      agreement: locked,
      today,
      sweep: { now, schedule: sweepScheduleOf(deps.config) },
      view: {
        status,
        agreementNo: response.agreement_no,
        alipayUserId: response.alipay_user_id,
        alipayOpenId: response.alipay_open_id,
        signTime: response.sign_time,
        validTime: response.valid_time,
        invalidTime: response.invalid_time,
      },
      event: { source: "CLIENT_RESULT", reason: "verified paySignCenter result", raw: redactAlipayFields(response) },
    });
    if (applied.plan.kind !== "mismatch") return applied.agreement;
    log.warn(
      { detail: applied.plan.detail },
      "paySignCenter result does not match the agreement; confirming with Alipay instead",
    );
    return undefined;
  });
}
