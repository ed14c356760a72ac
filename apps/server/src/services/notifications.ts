import { randomUUID } from "node:crypto";
import {
  alipayNotificationSchema,
  type DutUserSignNotification,
  type DutUserUnsignNotification,
} from "@paysign/contracts/alipay";
import type { AlipayClient } from "../alipay/alipay-client.ts";
import type { Database } from "../db/prisma.ts";
import { applyTradeStatusSync } from "../deductions/trade-notification.ts";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import type { Logger } from "../logger.ts";
import {
  findAgreementIdByAgreementNo,
  findAgreementIdByExternalNo,
  lockAgreement,
} from "../repositories/agreements.ts";
import type { Tx } from "../repositories/transaction.ts";
import { applyAlipayView } from "./alipay-agreement-view.ts";
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

  return deps.db.$transaction(async (tx) => {
    const inserted = await tx.notificationInbox.createMany({
      data: {
        id: randomUUID(),
        notifyId,
        notifyType: params.notify_type ?? "",
        appId: params.app_id ?? "",
        agreementNo: params.agreement_no ?? null,
        outTradeNo: params.out_trade_no ?? null,
        outcome: "NO_CHANGE",
        params: redactAlipayFields(params),
      },
      skipDuplicates: true,
    });
    if (inserted.count === 0) {
      logger.info(trace, "duplicate notification: already recorded, nothing changes");
      return { acknowledge: true, outcome: "DUPLICATE", detail: "already recorded" };
    }
    const applied = await applyNotification(tx, params);
    await tx.notificationInbox.update({
      where: { notifyId },
      data: { outcome: applied.outcome, detail: applied.detail },
    });
    const level = applied.outcome === "MISMATCH" || applied.outcome === "UNKNOWN_TARGET" ? "warn" : "info";
    logger[level]({ ...trace, outcome: applied.outcome, detail: applied.detail }, "notification recorded");
    return { acknowledge: true, ...applied };
  });
}

async function applyNotification(tx: Tx, params: Record<string, string>): Promise<Applied> {
  const parsed = alipayNotificationSchema.safeParse(params);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "notify_type").join(", ");
    return { outcome: "MISMATCH", detail: `unexpected fields: ${fields}` };
  }
  const notification = parsed.data;
  switch (notification.notify_type) {
    case "dut_user_sign":
    case "dut_user_unsign":
      return applyAgreementNotification(tx, notification);
    case "trade_status_sync":
      return applyTradeStatusSync(tx, notification);
  }
}

async function applyAgreementNotification(
  tx: Tx,
  notification: DutUserSignNotification | DutUserUnsignNotification,
): Promise<Applied> {
  const id =
    (notification.external_agreement_no &&
      (await findAgreementIdByExternalNo(tx, notification.external_agreement_no))) ||
    (await findAgreementIdByAgreementNo(tx, notification.agreement_no));
  const agreement = id ? await lockAgreement(tx, id) : null;
  if (!agreement)
    return { outcome: "UNKNOWN_TARGET", detail: "no agreement with this external_agreement_no or agreement_no" };

  const mismatch = findMismatch(agreement, notification);
  if (mismatch) return { outcome: "MISMATCH", detail: mismatch };

  const { changed, agreement: after } = await applyAlipayView(
    tx,
    agreement,
    {
      status: notification.notify_type === "dut_user_sign" ? "NORMAL" : "UNSIGN",
      agreementNo: notification.agreement_no,
      alipayUserId: notification.alipay_user_id,
      ...(notification.notify_type === "dut_user_sign"
        ? {
            signTime: notification.sign_time,
            validTime: notification.valid_time,
            invalidTime: notification.invalid_time,
          }
        : {}),
    },
    { source: "NOTIFICATION", reason: notification.notify_type, raw: redactAlipayFields(notification) },
  );
  return changed
    ? { outcome: "APPLIED", detail: `${agreement.status} → ${after.status}` }
    : { outcome: "NO_CHANGE", detail: `already ${agreement.status}` };
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
