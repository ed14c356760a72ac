import { randomUUID } from "node:crypto";
import { canTransition, tryParseAlipayDateTime, type AgreementStatus } from "@paysign/contracts";
import {
  alipayNotificationSchema,
  type AlipayNotification,
  type DutUserSignNotification,
  type DutUserUnsignNotification,
} from "@paysign/contracts/alipay";
import type { AlipayClient } from "../alipay/alipay-client.ts";
import { sqlPool, type Database } from "../db/prisma.ts";
import { applyTradeStatusSync } from "../deductions/trade-notification.ts";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import type { Logger } from "../logger.ts";
import {
  applyAgreementTransition,
  recordNotificationAndLockAgreement,
  setNotificationOutcome,
  type AgreementTransitionPatch,
  type InboxRow,
  type LockedAgreement,
} from "../repositories/agreement-notification-sql.ts";
import { inSqlTransaction } from "../repositories/sql.ts";
import { redactAlipayFields } from "./redact.ts";

export type NotificationDeps = { db: Database; alipay: AlipayClient; logger: Logger };

/** `acknowledge` → answer `success` (the effect is durable, or was already); otherwise `fail`, so Alipay retries. */
export type IngestResult = {
  acknowledge: boolean;
  outcome: NotificationOutcome | "DUPLICATE" | "REFUSED";
  detail: string;
};

type Applied = { outcome: NotificationOutcome; detail: string };

/**
 * One Alipay notification, exactly once: verify the signature and the app, then record it (unique notify_id) and
 * apply its transition with its event in one transaction. Duplicates change nothing; forged or foreign ones are
 * logged and never stored.
 */
export async function ingestNotification(
  deps: NotificationDeps,
  params: Record<string, string>,
): Promise<IngestResult> {
  const { logger } = deps;
  const trace = { notifyId: params.notify_id, notifyType: params.notify_type, appId: params.app_id };
  if (!deps.alipay.verifyNotification(params)) {
    logger.warn(trace, "notification refused: its signature does not verify with the Alipay public key");
    return { acknowledge: false, outcome: "REFUSED", detail: "signature does not verify" };
  }
  if (params.app_id !== deps.alipay.appId) {
    logger.warn(trace, "notification refused: it is for another app_id");
    return { acknowledge: false, outcome: "REFUSED", detail: "app_id is not ours" };
  }
  if (!params.notify_id) {
    logger.warn(trace, "notification refused: no notify_id");
    return { acknowledge: false, outcome: "REFUSED", detail: "no notify_id" };
  }
  const notifyId = params.notify_id;
  const inbox: InboxRow = {
    notifyId,
    notifyType: params.notify_type ?? "",
    appId: params.app_id ?? "",
    agreementNo: params.agreement_no ?? null,
    outTradeNo: params.out_trade_no ?? null,
    params: redactAlipayFields(params),
  };
  const parsed = alipayNotificationSchema.safeParse(params);
  const notification: AlipayNotification | undefined = parsed.success ? parsed.data : undefined;
  if (notification && notification.notify_type !== "trade_status_sync") {
    return ingestAgreementNotification(deps, inbox, notification, trace);
  }
  const unexpected = parsed.error?.issues.map((issue) => issue.path.join(".") || "notify_type").join(", ");

  // trade_status_sync (settled by the deductions module, which works on a Prisma transaction) and notifications
  // that do not parse (recorded as MISMATCH).
  return deps.db.$transaction(async (tx) => {
    const inserted = await tx.notificationInbox.createMany({
      data: { id: randomUUID(), ...inbox, outcome: "NO_CHANGE" },
      skipDuplicates: true,
    });
    if (inserted.count === 0) {
      logger.info(trace, "duplicate notification: already recorded, nothing changes");
      return { acknowledge: true, outcome: "DUPLICATE", detail: "already recorded" };
    }
    const applied: Applied = notification
      ? await applyTradeStatusSync(tx, notification)
      : { outcome: "MISMATCH", detail: `unexpected fields: ${unexpected}` };
    await tx.notificationInbox.update({
      where: { notifyId },
      data: { outcome: applied.outcome, detail: applied.detail },
    });
    logRecorded(logger, trace, applied);
    return { acknowledge: true, ...applied };
  });
}

type Trace = { notifyId: string | undefined; notifyType: string | undefined; appId: string | undefined };

function logRecorded(logger: Logger, trace: Trace, applied: Applied): void {
  const level = applied.outcome === "MISMATCH" || applied.outcome === "UNKNOWN_TARGET" ? "warn" : "info";
  logger[level]({ ...trace, outcome: applied.outcome, detail: applied.detail }, "notification recorded");
}

/**
 * dut_user_sign / dut_user_unsign, the hot path, in raw SQL on the shared pool: BEGIN, the inbox row with the
 * agreement's row lock (one statement), the transition with its event and the inbox outcome (one statement), COMMIT.
 * The same checks and lifecycle rules as applyAlipayView (alipay-agreement-view.ts) and transitionAgreement.
 */
function ingestAgreementNotification(
  deps: NotificationDeps,
  inbox: InboxRow,
  notification: DutUserSignNotification | DutUserUnsignNotification,
  trace: Trace,
): Promise<IngestResult> {
  const { logger } = deps;
  return inSqlTransaction(sqlPool(deps.db), async (client) => {
    const recorded = await recordNotificationAndLockAgreement(client, inbox, {
      externalAgreementNo: notification.external_agreement_no,
      agreementNo: notification.agreement_no,
    });
    if (!recorded.inserted) {
      logger.info(trace, "duplicate notification: already recorded, nothing changes");
      return { acknowledge: true, outcome: "DUPLICATE", detail: "already recorded" };
    }
    const agreement = recorded.agreement;
    const decision = decideAgreementNotification(agreement, notification);
    if (decision.transition && agreement) {
      await applyAgreementTransition(client, {
        agreementId: agreement.id,
        from: agreement.status,
        to: decision.transition.to,
        patch: decision.transition.patch,
        event: { source: "NOTIFICATION", reason: notification.notify_type, raw: redactAlipayFields(notification) },
        inbox: { notifyId: inbox.notifyId, outcome: decision.outcome, detail: decision.detail },
      });
    } else {
      await setNotificationOutcome(client, inbox.notifyId, decision.outcome, decision.detail);
    }
    const applied = { outcome: decision.outcome, detail: decision.detail };
    logRecorded(logger, trace, applied);
    return { acknowledge: true, ...applied };
  });
}

type Decision = Applied & { transition?: { to: AgreementStatus; patch: AgreementTransitionPatch } };

/** What a dut_user_sign / dut_user_unsign does to the agreement it names (locked), decided without the database. */
export function decideAgreementNotification(
  agreement: LockedAgreement | null,
  notification: DutUserSignNotification | DutUserUnsignNotification,
): Decision {
  if (!agreement)
    return { outcome: "UNKNOWN_TARGET", detail: "no agreement with this external_agreement_no or agreement_no" };
  const mismatch = findMismatch(agreement, notification);
  if (mismatch) return { outcome: "MISMATCH", detail: mismatch };

  // As applyAlipayView: NORMAL → ACTIVE, UNSIGN → UNSIGNED, with the facts learnt on the way.
  const signing = notification.notify_type === "dut_user_sign";
  const from = agreement.status;
  const to: AgreementStatus = signing ? "ACTIVE" : "UNSIGNED";
  if (from === to || !canTransition(from, to)) return { outcome: "NO_CHANGE", detail: `already ${from}` };
  const instant = (text: string | undefined) => (text === undefined ? undefined : tryParseAlipayDateTime(text));
  const signTime = signing ? instant(notification.sign_time) : undefined;
  const patch: AgreementTransitionPatch = {
    alipayStatus: signing ? "NORMAL" : null,
    agreementNo: notification.agreement_no && !agreement.agreementNo ? notification.agreement_no : undefined,
    alipayUserId: notification.alipay_user_id && !agreement.alipayUserId ? notification.alipay_user_id : undefined,
    signTime: signTime && !agreement.hasSignTime ? signTime : undefined,
    validTime: signing ? instant(notification.valid_time) : undefined,
    invalidTime: signing ? instant(notification.invalid_time) : undefined,
    nextDeductDateFromExecuteTime: to === "ACTIVE" && !agreement.hasNextDeductDate,
    clearNextFollowUp: true,
  };
  return { outcome: "APPLIED", detail: `${from} → ${to}`, transition: { to, patch } };
}

function findMismatch(
  agreement: {
    agreementNo: string | null;
    personalProductCode: string;
    signScene: string;
    alipayUserId: string | null;
  },
  notification: DutUserSignNotification | DutUserUnsignNotification,
): string | undefined {
  if (agreement.agreementNo && agreement.agreementNo !== notification.agreement_no)
    return `agreement_no ${notification.agreement_no} is not the agreement's ${agreement.agreementNo}`;
  if (notification.personal_product_code && notification.personal_product_code !== agreement.personalProductCode)
    return `personal_product_code ${notification.personal_product_code} is not ${agreement.personalProductCode}`;
  if (notification.sign_scene && notification.sign_scene !== agreement.signScene)
    return `sign_scene ${notification.sign_scene} is not ${agreement.signScene}`;
  if (agreement.alipayUserId && notification.alipay_user_id && notification.alipay_user_id !== agreement.alipayUserId)
    return "the notification names another Alipay user";
  return undefined;
}
