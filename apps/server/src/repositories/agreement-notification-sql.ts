import { randomUUID } from "node:crypto";
import type { AgreementStatus } from "@paysign/contracts";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import type { SqlClient } from "./sql.ts";

/**
 * The raw-SQL statements of a dut_user_sign / dut_user_unsign notification's transaction (notifications.ts):
 * two statements between BEGIN and COMMIT where Prisma needed seven. Tables and columns are Prisma's
 * (prisma/schema.prisma); `updatedAt` and `createdAt` are set here as Prisma sets them (the client's clock).
 */

export type InboxRow = {
  notifyId: string;
  notifyType: string;
  appId: string;
  agreementNo: string | null;
  outTradeNo: string | null;
  params: Record<string, string>;
};

/** The locked agreement's fields a notification is checked against and patches. */
export type LockedAgreement = {
  id: string;
  status: AgreementStatus;
  agreementNo: string | null;
  personalProductCode: string;
  signScene: string;
  alipayUserId: string | null;
  hasSignTime: boolean;
  hasNextDeductDate: boolean;
};

export type RecordAndLockResult = { inserted: false } | { inserted: true; agreement: LockedAgreement | null };

const recordAndLockSql = `
WITH inserted AS (
  INSERT INTO "NotificationInbox" ("id", "notifyId", "notifyType", "appId", "agreementNo", "outTradeNo", "outcome",
                                   "params", "receivedAt")
  VALUES ($1::uuid, $2, $3, $4, $5, $6, 'NO_CHANGE', $7::jsonb, $8::timestamptz)
  ON CONFLICT ("notifyId") DO NOTHING
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted) AS "inserted", a.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
  SELECT "id", "status"::text AS "status", "agreementNo", "personalProductCode", "signScene", "alipayUserId",
         "signTime" IS NOT NULL AS "hasSignTime", "nextDeductDate" IS NOT NULL AS "hasNextDeductDate"
  FROM "Agreement"
  WHERE EXISTS (SELECT 1 FROM inserted)
    AND "id" = COALESCE((SELECT "id" FROM "Agreement" WHERE "externalAgreementNo" = $9),
                        (SELECT "id" FROM "Agreement" WHERE "agreementNo" = $10))
  FOR UPDATE
) AS a ON true`;

/**
 * One statement: records the notification in the inbox (unique notify_id; a duplicate inserts nothing) and, when it
 * was new, finds its agreement (by external_agreement_no, else agreement_no) and locks the row until the transaction
 * ends, so transitions never interleave. A duplicate locks nothing.
 */
export async function recordNotificationAndLockAgreement(
  client: SqlClient,
  row: InboxRow,
  target: { externalAgreementNo: string | undefined; agreementNo: string },
): Promise<RecordAndLockResult> {
  const { rows } = await client.query<
    { inserted: boolean } & { [K in keyof LockedAgreement]: LockedAgreement[K] | null }
  >({
    name: "notify-record-and-lock",
    text: recordAndLockSql,
    values: [
      randomUUID(),
      row.notifyId,
      row.notifyType,
      row.appId,
      row.agreementNo,
      row.outTradeNo,
      JSON.stringify(row.params),
      new Date(),
      target.externalAgreementNo || null,
      target.agreementNo,
    ],
  });
  const found = rows[0];
  if (!found?.inserted) return { inserted: false };
  if (found.id === null) return { inserted: true, agreement: null };
  return { inserted: true, agreement: found as LockedAgreement };
}

const setOutcomeSql = `
UPDATE "NotificationInbox" SET "outcome" = $2::"NotificationOutcome", "detail" = $3 WHERE "notifyId" = $1`;

/** The inbox row's outcome, when nothing else changes. */
export async function setNotificationOutcome(
  client: SqlClient,
  notifyId: string,
  outcome: NotificationOutcome,
  detail: string,
): Promise<void> {
  await client.query({ name: "notify-set-outcome", text: setOutcomeSql, values: [notifyId, outcome, detail] });
}

/** What a transition writes on the agreement; an absent field keeps its value. */
export type AgreementTransitionPatch = {
  alipayStatus: string | null;
  agreementNo?: string | undefined;
  alipayUserId?: string | undefined;
  signTime?: Date | undefined;
  validTime?: Date | undefined;
  invalidTime?: Date | undefined;
  /** Sets nextDeductDate to the agreement's executeTime (the first deduction date D). */
  nextDeductDateFromExecuteTime: boolean;
  clearNextFollowUp: boolean;
};

const applyTransitionSql = `
WITH updated AS (
  UPDATE "Agreement" SET
    "status" = $3::"AgreementStatus",
    "alipayStatus" = $4,
    "agreementNo" = COALESCE($5, "agreementNo"),
    "alipayUserId" = COALESCE($6, "alipayUserId"),
    "signTime" = COALESCE($7::timestamptz, "signTime"),
    "validTime" = COALESCE($8::timestamptz, "validTime"),
    "invalidTime" = COALESCE($9::timestamptz, "invalidTime"),
    "nextDeductDate" = CASE WHEN $10::boolean THEN "executeTime" ELSE "nextDeductDate" END,
    "nextFollowUpAt" = CASE WHEN $11::boolean THEN NULL ELSE "nextFollowUpAt" END,
    "updatedAt" = $12::timestamptz
  WHERE "id" = $1::uuid
  RETURNING "id"
), event AS (
  INSERT INTO "AgreementEvent" ("id", "agreementId", "fromStatus", "toStatus", "source", "reason", "raw", "createdAt")
  SELECT $13::uuid, "id", $2::"AgreementStatus", $3::"AgreementStatus", $14, $15, $16::jsonb, $12::timestamptz
  FROM updated
)
UPDATE "NotificationInbox" SET "outcome" = $18::"NotificationOutcome", "detail" = $19 WHERE "notifyId" = $17`;

/**
 * One statement: the agreement's lifecycle transition (the caller checked it with canTransition, on the row it
 * locked), its AgreementEvent and the inbox row's outcome.
 */
export async function applyAgreementTransition(
  client: SqlClient,
  input: {
    agreementId: string;
    from: AgreementStatus;
    to: AgreementStatus;
    patch: AgreementTransitionPatch;
    event: { source: string; reason: string; raw: Record<string, string> };
    inbox: { notifyId: string; outcome: NotificationOutcome; detail: string };
  },
): Promise<void> {
  const { patch } = input;
  await client.query({
    name: "notify-apply-transition",
    text: applyTransitionSql,
    values: [
      input.agreementId,
      input.from,
      input.to,
      patch.alipayStatus,
      patch.agreementNo ?? null,
      patch.alipayUserId ?? null,
      patch.signTime ?? null,
      patch.validTime ?? null,
      patch.invalidTime ?? null,
      patch.nextDeductDateFromExecuteTime,
      patch.clearNextFollowUp,
      new Date(),
      randomUUID(),
      input.event.source,
      input.event.reason,
      JSON.stringify(input.event.raw),
      input.inbox.notifyId,
      input.inbox.outcome,
      input.inbox.detail,
    ],
  });
}
