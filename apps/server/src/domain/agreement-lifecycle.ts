import {
  calendarDateFromUtcMidnight,
  canTransition,
  SIGNED_AGREEMENT_STATUSES,
  tryParseAlipayDateTime,
  type AgreementStatus,
  type CalendarDate,
} from "@paysign/contracts";
import type { Agreement } from "../generated/prisma/client.ts";

/**
 * The one agreement lifecycle: what an input does to an agreement, decided without the database. Both writers apply
 * its plans — the Prisma one in a transaction on a locked row (repositories/agreements.ts) and the single-statement
 * SQL one of the notification hot path (repositories/agreement-notification-sql.ts) — so every path that believes
 * Alipay (a notification, an agreement.query answer, a verified paySignCenter result) changes the same fields.
 */

/** What the planner reads of an agreement: the notification path reads exactly these columns, nothing more. */
export type AgreementFacts = {
  status: AgreementStatus;
  agreementNo: string | null;
  alipayUserId: string | null;
  alipayOpenId: string | null;
  personalProductCode: string;
  signScene: string;
  hasSignTime: boolean;
  hasNextDeductDate: boolean;
  /**
   * Another agreement of the same customer and plan that is live (TEMP, ACTIVE or PAUSED), read under the customer's
   * row lock: its id, or null when there is none; absent when it was not read, and then no duplicate is decided
   * (docs/alipay-protocol.md §17.6).
   */
  liveSiblingId?: string | null;
};

/**
 * What Alipay says about one agreement (docs/alipay-protocol.md §5, §10.2, §10.3): its status and the facts it
 * reports, times as Alipay's Asia/Shanghai `yyyy-MM-dd HH:mm:ss`. Absent fields are not checked and not learnt.
 */
export type AlipayAgreementView = {
  status: "NORMAL" | "TEMP" | "STOP" | "UNSIGN";
  agreementNo?: string | undefined;
  alipayUserId?: string | undefined;
  /** The user as an open-id app knows them (docs/alipay-protocol.md §19.1). */
  alipayOpenId?: string | undefined;
  personalProductCode?: string | undefined;
  signScene?: string | undefined;
  signTime?: string | undefined;
  validTime?: string | undefined;
  invalidTime?: string | undefined;
};

/** The field changes of a transition; an absent field keeps its stored value. */
type AgreementChanges = {
  status: AgreementStatus;
  /** Alipay's own status as last seen; `undefined` keeps it, `null` clears it. */
  alipayStatus?: string | null;
  agreementNo?: string;
  alipayUserId?: string;
  alipayOpenId?: string;
  signTime?: Date;
  validTime?: Date;
  invalidTime?: Date;
  /** The first deduction date D becomes the agreement's `executeTime`. */
  startDeductingFromExecuteTime: boolean;
  /**
   * With `startDeductingFromExecuteTime`: D stays unset when `executeTime` is before this day (Asia/Shanghai); the
   * agreement sweep then moves Alipay's date and takes D from it (docs/alipay-protocol.md §17.1).
   */
  unlessExecuteTimeBefore?: CalendarDate;
  /** Every status but PENDING ends the confirmation follow-up. */
  clearNextFollowUp: boolean;
};

export type LifecyclePlan =
  | { kind: "unchanged"; detail: string }
  | { kind: "mismatch"; detail: string }
  | {
      kind: "transition";
      from: AgreementStatus;
      to: AgreementStatus;
      changes: AgreementChanges;
      /**
       * Set when the plan was decided knowing the customer's live agreement for the plan (facts.liveSiblingId): the
       * writer applies it only while, under the customer's row lock, that is still the live one (null: none).
       */
      liveSibling?: string | null;
      /** The live agreement this one duplicates: it stays unchargeable and the sweep unsigns it (§17.6). */
      duplicateOf?: string;
    };

/** Live: signed at Alipay and not ended (SIGNED_AGREEMENT_STATUSES); at most one per customer and plan. */
function isLive(status: AgreementStatus): boolean {
  return (SIGNED_AGREEMENT_STATUSES as readonly AgreementStatus[]).includes(status);
}

/** Whether the writer must read the customer's live agreement under the customer's lock before applying `plan`. */
export function makesLive(plan: LifecyclePlan): boolean {
  return plan.kind === "transition" && !isLive(plan.from) && isLive(plan.to);
}

/** The event reason of a transition: a duplicate's names the live agreement first (`DUPLICATE_OF <id>`). */
export function eventReasonOf(plan: LifecyclePlan, reason: string): string {
  return plan.kind === "transition" && plan.duplicateOf ? `DUPLICATE_OF ${plan.duplicateOf}: ${reason}` : reason;
}

const localStatusOf: Record<AlipayAgreementView["status"], AgreementStatus> = {
  NORMAL: "ACTIVE",
  TEMP: "TEMP",
  STOP: "PAUSED",
  UNSIGN: "UNSIGNED",
};

export function agreementFacts(agreement: Agreement): AgreementFacts {
  return {
    status: agreement.status,
    agreementNo: agreement.agreementNo,
    alipayUserId: agreement.alipayUserId,
    alipayOpenId: agreement.alipayOpenId,
    personalProductCode: agreement.personalProductCode,
    signScene: agreement.signScene,
    hasSignTime: agreement.signTime !== null,
    hasNextDeductDate: agreement.nextDeductDate !== null,
  };
}

/**
 * A status change that Alipay did not report (ABANDONED after the follow-up, FAILED after a 7002, COMPLETED or
 * EXPIRED from a deduction answer). Terminal states never come back: a move the lifecycle does not allow is
 * `unchanged`.
 */
export function planStatusChange(facts: AgreementFacts, to: AgreementStatus): LifecyclePlan {
  const from = facts.status;
  if (from === to || !canTransition(from, to)) return { kind: "unchanged", detail: `already ${from}` };
  return {
    kind: "transition",
    from,
    to,
    changes: { status: to, startDeductingFromExecuteTime: false, clearNextFollowUp: to !== "PENDING" },
  };
}

/**
 * Moves the agreement to what Alipay reports (NORMAL → ACTIVE, TEMP → TEMP, STOP → PAUSED, UNSIGN → UNSIGNED),
 * learning the facts on the way: the agreement number, the Alipay user and the sign time once, the validity times
 * each time, and D = executeTime when it first becomes ACTIVE — unless executeTime is before `today` (Asia/Shanghai,
 * when given): then D stays unset for the sweep to repair (docs/alipay-protocol.md §17.1). A view that names another
 * agreement number, product, scene or Alipay user is a `mismatch` and changes nothing. An ABANDONED agreement stays
 * ABANDONED: a signing Alipay reports after the follow-up gave up records the agreement number and Alipay's status,
 * so the sweep unsigns it, and the unsign clears that status (docs/alipay-protocol.md §17.5). With
 * `facts.liveSiblingId` read, a signing that would make a second agreement of the customer and plan live makes this
 * one ABANDONED as its duplicate instead, learnt the same way (docs/alipay-protocol.md §17.6).
 */
export function planAlipayView(facts: AgreementFacts, view: AlipayAgreementView, today?: CalendarDate): LifecyclePlan {
  const mismatch = findMismatch(facts, view);
  if (mismatch) return { kind: "mismatch", detail: mismatch };
  if (facts.status === "ABANDONED") return planAbandonedView(facts, view);
  const plan = planStatusChange(facts, localStatusOf[view.status]);
  if (plan.kind !== "transition") return plan;
  if (makesLive(plan) && facts.liveSiblingId) return planDuplicateView(facts, view, facts.liveSiblingId);
  const changes: AgreementChanges = { ...plan.changes, alipayStatus: view.status === "UNSIGN" ? null : view.status };
  if (view.agreementNo && !facts.agreementNo) changes.agreementNo = view.agreementNo;
  if (view.alipayUserId && !facts.alipayUserId) changes.alipayUserId = view.alipayUserId;
  if (view.alipayOpenId && !facts.alipayOpenId) changes.alipayOpenId = view.alipayOpenId;
  const signTime = instant(view.signTime);
  if (signTime && !facts.hasSignTime) changes.signTime = signTime;
  const validTime = instant(view.validTime);
  if (validTime) changes.validTime = validTime;
  const invalidTime = instant(view.invalidTime);
  if (invalidTime) changes.invalidTime = invalidTime;
  changes.startDeductingFromExecuteTime = plan.to === "ACTIVE" && !facts.hasNextDeductDate;
  if (changes.startDeductingFromExecuteTime && today) changes.unlessExecuteTimeBefore = today;
  const checked = makesLive(plan) && facts.liveSiblingId !== undefined ? { liveSibling: facts.liveSiblingId } : {};
  return { ...plan, changes, ...checked };
}

/**
 * docs/alipay-protocol.md §17.6: signed while `liveSiblingId` is live for the same customer and plan, the agreement
 * becomes ABANDONED, never chargeable, with what the sweep needs to unsign it. Without an agreement number it stays as
 * it is: the follow-up's agreement.query learns the number.
 */
function planDuplicateView(facts: AgreementFacts, view: AlipayAgreementView, liveSiblingId: string): LifecyclePlan {
  const agreementNo = facts.agreementNo ?? view.agreementNo;
  if (!agreementNo) return { kind: "unchanged", detail: `no agreement number; duplicate of ${liveSiblingId}` };
  const changes: AgreementChanges = {
    status: "ABANDONED",
    alipayStatus: view.status,
    startDeductingFromExecuteTime: false,
    clearNextFollowUp: true,
  };
  if (!facts.agreementNo) changes.agreementNo = agreementNo;
  if (view.alipayUserId && !facts.alipayUserId) changes.alipayUserId = view.alipayUserId;
  if (view.alipayOpenId && !facts.alipayOpenId) changes.alipayOpenId = view.alipayOpenId;
  return {
    kind: "transition",
    from: facts.status,
    to: "ABANDONED",
    changes,
    liveSibling: liveSiblingId,
    duplicateOf: liveSiblingId,
  };
}

/** docs/alipay-protocol.md §17.5: the status stays ABANDONED; only what the sweep needs to unsign it is learnt. */
function planAbandonedView(facts: AgreementFacts, view: AlipayAgreementView): LifecyclePlan {
  const unchanged = { kind: "unchanged", detail: "already ABANDONED" } as const;
  const base = { kind: "transition", from: "ABANDONED", to: "ABANDONED" } as const;
  const keep = { status: "ABANDONED", startDeductingFromExecuteTime: false, clearNextFollowUp: true } as const;
  if (view.status === "UNSIGN") {
    if (!facts.agreementNo) return unchanged;
    return { ...base, changes: { ...keep, alipayStatus: null } };
  }
  const agreementNo = facts.agreementNo ?? view.agreementNo;
  if (!agreementNo) return unchanged;
  const changes: AgreementChanges = { ...keep, alipayStatus: view.status };
  if (!facts.agreementNo) changes.agreementNo = agreementNo;
  if (view.alipayUserId && !facts.alipayUserId) changes.alipayUserId = view.alipayUserId;
  return { ...base, changes };
}

function instant(text: string | undefined): Date | undefined {
  return text === undefined ? undefined : tryParseAlipayDateTime(text);
}

function findMismatch(facts: AgreementFacts, view: AlipayAgreementView): string | undefined {
  if (facts.agreementNo && view.agreementNo && view.agreementNo !== facts.agreementNo)
    return `agreement_no ${view.agreementNo} is not the agreement's ${facts.agreementNo}`;
  if (view.personalProductCode && view.personalProductCode !== facts.personalProductCode)
    return `personal_product_code ${view.personalProductCode} is not ${facts.personalProductCode}`;
  if (view.signScene && view.signScene !== facts.signScene)
    return `sign_scene ${view.signScene} is not ${facts.signScene}`;
  if (facts.alipayUserId && view.alipayUserId && view.alipayUserId !== facts.alipayUserId)
    return "Alipay names another Alipay user than the agreement's customer";
  return findOpenIdMismatch(facts, view);
}

/**
 * An open id is compared like a user id. An app gets one kind or the other (docs/alipay-protocol.md §19.1), so a
 * view that names the user only by the kind the agreement does not know cannot be the agreement's customer's: it is
 * refused rather than believed.
 */
function findOpenIdMismatch(facts: AgreementFacts, view: AlipayAgreementView): string | undefined {
  if (facts.alipayOpenId && view.alipayOpenId && view.alipayOpenId !== facts.alipayOpenId)
    return "Alipay names another open id than the agreement's customer";
  const namesOnlyUserId = view.alipayUserId !== undefined && view.alipayOpenId === undefined;
  const namesOnlyOpenId = view.alipayOpenId !== undefined && view.alipayUserId === undefined;
  if (namesOnlyUserId && facts.alipayOpenId && !facts.alipayUserId)
    return "Alipay names a user id, but the agreement's customer is known only by an open id";
  if (namesOnlyOpenId && facts.alipayUserId && !facts.alipayOpenId)
    return "Alipay names an open id, but the agreement's customer is known only by a user id";
  return undefined;
}

/**
 * Whether a transition sets D to the agreement's `executeTime` (both lifecycle writers apply this rule): it starts
 * deducting, and `executeTime` is not before `unlessExecuteTimeBefore`.
 */
export function startsDeducting(agreement: Pick<Agreement, "executeTime">, changes: AgreementChanges): boolean {
  if (!changes.startDeductingFromExecuteTime) return false;
  const notBefore = changes.unlessExecuteTimeBefore;
  return notBefore === undefined || calendarDateFromUtcMidnight(agreement.executeTime) >= notBefore;
}

/** D after a transition (UTC midnight of the Shanghai date): `executeTime` when it starts deducting, else D as it was. */
export function nextDeductDateAfter(
  agreement: Pick<Agreement, "executeTime" | "nextDeductDate">,
  changes: AgreementChanges,
): Date | null {
  return startsDeducting(agreement, changes) ? agreement.executeTime : agreement.nextDeductDate;
}
