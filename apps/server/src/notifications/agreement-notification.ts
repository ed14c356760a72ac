import { shanghaiDateOf, type CalendarDate } from "@paysign/contracts";
import type { DutUserSignNotification, DutUserUnsignNotification } from "@paysign/contracts/alipay";
import { planAlipayView, type AlipayAgreementView } from "../domain/agreement-lifecycle.ts";
import { sweepAfterSigning, type SweepSchedule } from "../domain/sweep-schedule.ts";
import {
  readNotificationTarget,
  recordNotification,
  type InboxRow,
  type NotifiedAgreement,
  type PlannedTransition,
} from "../repositories/agreement-notification-sql.ts";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/prisma.ts";
import { redactAlipayFields } from "../services/redact.ts";
import type { Applied } from "./applied.ts";

export type AgreementNotification = DutUserSignNotification | DutUserUnsignNotification;

/** Decisions made again when the agreement changed between read and write; then `fail`, and Alipay delivers again. */
const MAX_DECISIONS = 5;

/**
 * dut_user_sign / dut_user_unsign, the hot path, in raw SQL on the shared pool and no BEGIN/COMMIT: read the inbox
 * and the agreement (one statement), plan in JS with the lifecycle planner, then write the inbox row, the transition
 * and its event in one statement that applies only while the agreement is unchanged — planned again from a fresh
 * read when it moved. `duplicate` when the notify_id is recorded already.
 */
export async function applyAgreementNotification(
  deps: { db: Database; clock?: Clock | undefined; sweep: SweepSchedule },
  inbox: InboxRow,
  notification: AgreementNotification,
): Promise<Applied | "duplicate"> {
  const { db } = deps;
  const now = deps.clock ? await deps.clock.now() : undefined;
  const today = now ? shanghaiDateOf(now) : undefined;
  for (let decision = 1; decision <= MAX_DECISIONS; decision++) {
    const read = await readNotificationTarget(db, inbox.notifyId, {
      externalAgreementNo: notification.external_agreement_no,
      agreementNo: notification.agreement_no,
    });
    if (read.recorded) return "duplicate";
    const decided = decide(read.agreement, notification, { today, now: now ?? new Date(), sweep: deps.sweep });
    const written = await recordNotification(db, {
      inbox,
      outcome: decided.outcome,
      detail: decided.detail,
      expected: read.agreement,
      transition: decided.transition,
    });
    if (written === "duplicate") return "duplicate";
    if (written === "recorded") return { outcome: decided.outcome, detail: decided.detail };
  }
  throw new Error(`the agreement changed under each of ${MAX_DECISIONS} decisions; Alipay will deliver again`);
}

type Decision = Applied & { transition?: PlannedTransition };

function decide(
  agreement: NotifiedAgreement | null,
  notification: AgreementNotification,
  at: { today: CalendarDate | undefined; now: Date; sweep: SweepSchedule },
): Decision {
  if (!agreement)
    return { outcome: "UNKNOWN_TARGET", detail: "no agreement with this external_agreement_no or agreement_no" };
  const plan = planAlipayView(agreement, viewOf(notification), at.today);
  switch (plan.kind) {
    case "mismatch":
      return { outcome: "MISMATCH", detail: plan.detail };
    case "unchanged":
      return { outcome: "NO_CHANGE", detail: plan.detail };
    case "transition": {
      const event = { source: "NOTIFICATION", reason: notification.notify_type, raw: redactAlipayFields(notification) };
      const duplicate = plan.duplicateOf ? ` (DUPLICATE_OF ${plan.duplicateOf})` : "";
      const nextSweepAt = sweepAfterSigning(agreement.row, plan, { now: at.now, schedule: at.sweep }) ?? null;
      return {
        outcome: "APPLIED",
        detail: `${plan.from} → ${plan.to}${duplicate}`,
        transition: { plan, event, nextSweepAt },
      };
    }
  }
}

/**
 * dut_user_sign reports NORMAL with the sign and validity times (§10.2); dut_user_unsign reports UNSIGN (§10.3); an
 * open-id app's notifications name the user by `alipay_open_id` (§19.1).
 */
function viewOf(notification: AgreementNotification): AlipayAgreementView {
  const common = {
    agreementNo: notification.agreement_no,
    alipayUserId: notification.alipay_user_id,
    alipayOpenId: notification.alipay_open_id,
    personalProductCode: notification.personal_product_code,
    signScene: notification.sign_scene,
  };
  if (notification.notify_type === "dut_user_unsign") return { status: "UNSIGN", ...common };
  return {
    status: "NORMAL",
    ...common,
    signTime: notification.sign_time,
    validTime: notification.valid_time,
    invalidTime: notification.invalid_time,
  };
}
