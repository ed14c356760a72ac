import { randomUUID } from "node:crypto";
import { canTransition, tryParseAlipayDateTime, type AgreementStatus } from "@paysign/contracts";
import {
  alipayNotificationSchema,
  type AlipayNotification,
  type DutUserSignNotification,
  type DutUserUnsignNotification,
} from "@paysign/contracts/alipay";
import type { AlipayClient } from "../alipay/alipay-client.ts";
import type { Database } from "../db/prisma.ts";
import { applyTradeStatusSync } from "../deductions/trade-notification.ts";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import type { Logger } from "../logger.ts";
import {
  readNotificationTarget,
  recordNotification,
  type AgreementTransition,
  type AgreementTransitionPatch,
  type InboxRow,
  type NotifiedAgreement,
} from "../repositories/agreement-notification-sql.ts";
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
  return deps.db.prisma.$transaction(async (tx) => {
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

/** Decisions made again when the agreement changed between read and write; then `fail`, and Alipay delivers again. */
const MAX_DECISIONS = 5;

/**
 * dut_user_sign / dut_user_unsign, the hot path, in raw SQL on the shared pool and no BEGIN/COMMIT: read the inbox
 * and the agreement (one statement), decide in JS, then write the inbox row, the transition and its event in one
 * statement that applies only while the agreement is unchanged — decided again from a fresh read when it moved.
 * The same checks and lifecycle rules as applyAlipayView (alipay-agreement-view.ts) and transitionAgreement.
 */
async function ingestAgreementNotification(
  deps: NotificationDeps,
  inbox: InboxRow,
  notification: DutUserSignNotification | DutUserUnsignNotification,
  trace: Trace,
): Promise<IngestResult> {
  const { logger } = deps;
  const pool = deps.db.sql;
  const duplicate = () => {
    logger.info(trace, "duplicate notification: already recorded, nothing changes");
    return { acknowledge: true, outcome: "DUPLICATE", detail: "already recorded" } as const;
  };
  for (let decision = 1; decision <= MAX_DECISIONS; decision++) {
    const read = await readNotificationTarget(pool, inbox.notifyId, {
      externalAgreementNo: notification.external_agreement_no,
      agreementNo: notification.agreement_no,
    });
    if (read.recorded) return duplicate();
    const decided = decideAgreementNotification(read.agreement, notification);
    const transition: AgreementTransition | undefined = decided.transition && {
      ...decided.transition,
      event: { source: "NOTIFICATION", reason: notification.notify_type, raw: redactAlipayFields(notification) },
    };
    const written = await recordNotification(pool, {
      inbox,
      outcome: decided.outcome,
      detail: decided.detail,
      expected: read.agreement,
      transition,
    });
    if (written === "duplicate") return duplicate();
    if (written === "recorded") {
      const applied = { outcome: decided.outcome, detail: decided.detail };
      logRecorded(logger, trace, applied);
      return { acknowledge: true, ...applied };
    }
  }
  throw new Error(`the agreement changed under each of ${MAX_DECISIONS} decisions; Alipay will deliver again`);
}

type Decision = Applied & { transition?: { to: AgreementStatus; patch: AgreementTransitionPatch } };

/** What a dut_user_sign / dut_user_unsign does to the agreement it names (as read), decided without the database. */
function decideAgreementNotification(
  agreement: NotifiedAgreement | null,
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
