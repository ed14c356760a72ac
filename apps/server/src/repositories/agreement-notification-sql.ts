import { randomUUID } from "node:crypto";
import { agreementEventTypeOf, calendarDateToUtcMidnight, type CalendarDate } from "@paysign/contracts";
import { eventReasonOf, type AgreementFacts, type LifecyclePlan } from "../domain/agreement-lifecycle.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import pg, { type PoolClient, type QueryResult } from "pg";
import type { Database } from "../db/prisma.ts";
import { presentAdminAgreement, type PresentableAgreement } from "../presenters/resources.ts";
import { startsDeducting } from "./agreements.ts";

/**
 * The raw-SQL statements of a dut_user_sign / dut_user_unsign notification (notifications/agreement-notification.ts):
 * one read, then one statement that writes everything, where Prisma needed a transaction of seven. This is the SQL
 * writer of the lifecycle planner (domain/agreement-lifecycle.ts); repositories/agreements.ts is the Prisma one. Tables and columns are Prisma's
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

/**
 * The agreement a notification names: the facts the planner reads, its id, and the row as read (`row`), from which
 * the outbound event's resource is computed (the write applies only while the agreement is still as read).
 */
export type NotifiedAgreement = AgreementFacts & { id: string; row: PresentableAgreement };

/** What the first read of a notification finds: whether its notify_id is recorded already, and its agreement. */
export type NotificationTarget = { recorded: boolean; agreement: NotifiedAgreement | null };

/** The customer's other agreement for the plan that is live (TEMP, ACTIVE or PAUSED), the oldest: `t` is the agreement. */
const liveSiblingOf = (t: string) => `(
  SELECT s."id" FROM "Agreement" AS s
  WHERE s."customerId" = ${t}."customerId" AND s."planId" = ${t}."planId" AND s."id" <> ${t}."id"
    AND s."status" IN ('TEMP', 'ACTIVE', 'PAUSED')
  ORDER BY s."createdAt", s."id" LIMIT 1)`;

const readTargetSql = `
SELECT EXISTS (SELECT 1 FROM "NotificationInbox" WHERE "notifyId" = $1) AS "recorded", a.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
  SELECT t."id", t."status"::text AS "status", t."agreementNo", t."personalProductCode", t."signScene",
         t."alipayUserId", t."alipayOpenId", t."signTime" IS NOT NULL AS "hasSignTime",
         t."nextDeductDate" IS NOT NULL AS "hasNextDeductDate", ${liveSiblingOf("t")} AS "liveSiblingId",
         t."externalAgreementNo", t."customerId", t."planId", t."alipayStatus", t."productCode", t."effectType",
         t."periodType"::text AS "periodType", t."period", t."executeTime"::text AS "executeDay", t."singleAmount",
         t."totalAmount", t."totalPayments", t."nextDeductDate"::text AS "nextDeductDay", t."paymentsCount",
         t."paidTotal", t."signTime", t."validTime", t."invalidTime", t."clientResultStatus", t."followUpCount",
         t."nextFollowUpAt", t."nextSweepAt", t."createdAt", t."updatedAt"
  FROM "Agreement" AS t
  WHERE t."id" = COALESCE((SELECT "id" FROM "Agreement" WHERE "externalAgreementNo" = $2),
                          (SELECT "id" FROM "Agreement" WHERE "agreementNo" = $3))
) AS a ON true`;

/**
 * One statement, no lock: whether the notify_id is in the inbox already, and the agreement it names (by
 * external_agreement_no, else agreement_no) with the customer's live agreement for its plan (`liveSiblingId`). recordNotification writes what is decided from it only while the
 * agreement is still as read here.
 */
export async function readNotificationTarget(
  db: Database,
  notifyId: string,
  target: { externalAgreementNo: string | undefined; agreementNo: string },
): Promise<NotificationTarget> {
  const { rows } = await db.sql.query<{ recorded: boolean } & Partial<TargetRow>>({
    name: "notify-read-target",
    text: readTargetSql,
    values: [notifyId, target.externalAgreementNo || null, target.agreementNo],
  });
  const found = rows[0];
  return { recorded: Boolean(found?.recorded), agreement: found?.id ? notifiedAgreementOf(found as TargetRow) : null };
}

/** The read's agreement columns as pg answers them: numerics as strings, dates as yyyy-MM-dd text. */
type TargetRow = AgreementFacts &
  Omit<PresentableAgreement, "executeTime" | "nextDeductDate" | "singleAmount" | "totalAmount" | "paidTotal"> & {
    executeDay: CalendarDate;
    nextDeductDay: CalendarDate | null;
    singleAmount: string;
    totalAmount: string | null;
    paidTotal: string;
  };

function notifiedAgreementOf(found: TargetRow): NotifiedAgreement {
  const { executeDay, nextDeductDay, hasSignTime, hasNextDeductDate, liveSiblingId, alipayOpenId, ...columns } = found;
  const row: PresentableAgreement = {
    ...columns,
    executeTime: calendarDateToUtcMidnight(executeDay),
    nextDeductDate: nextDeductDay === null ? null : calendarDateToUtcMidnight(nextDeductDay),
    singleAmount: new Prisma.Decimal(found.singleAmount),
    totalAmount: found.totalAmount === null ? null : new Prisma.Decimal(found.totalAmount),
    paidTotal: new Prisma.Decimal(found.paidTotal),
  };
  return {
    id: found.id,
    status: found.status,
    agreementNo: found.agreementNo,
    alipayUserId: found.alipayUserId,
    alipayOpenId,
    personalProductCode: found.personalProductCode,
    signScene: found.signScene,
    hasSignTime,
    hasNextDeductDate,
    ...(liveSiblingId === undefined ? {} : { liveSiblingId }),
    row,
  };
}

/**
 * The agreement as the transition leaves it, as the UPDATE of recordForAgreementSql writes it (and the Prisma writer,
 * repositories/agreements.ts): the resource of its outbound event.
 */
function agreementAfter(row: PresentableAgreement, plan: PlannedTransition["plan"], at: Date): PresentableAgreement {
  const { changes } = plan;
  return {
    ...row,
    status: changes.status,
    alipayStatus: changes.alipayStatus === undefined ? row.alipayStatus : changes.alipayStatus,
    agreementNo: changes.agreementNo ?? row.agreementNo,
    alipayUserId: changes.alipayUserId ?? row.alipayUserId,
    signTime: changes.signTime ?? row.signTime,
    validTime: changes.validTime ?? row.validTime,
    invalidTime: changes.invalidTime ?? row.invalidTime,
    nextDeductDate: startsDeducting(row, changes) ? row.executeTime : row.nextDeductDate,
    nextFollowUpAt: changes.clearNextFollowUp ? null : row.nextFollowUpAt,
    updatedAt: at,
  };
}

/** A transition the planner decided on the agreement as read, with its event. */
export type PlannedTransition = {
  plan: Extract<LifecyclePlan, { kind: "transition" }>;
  event: { source: string; reason: string; raw: Record<string, string> };
};

const inboxColumns = `"id", "notifyId", "notifyType", "appId", "agreementNo", "outTradeNo", "params", "outcome", "detail",
  "receivedAt"`;
const inboxValues = `$1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::"NotificationOutcome", $9, $10::timestamptz`;

const recordWithoutAgreementSql = `
INSERT INTO "NotificationInbox" (${inboxColumns}) VALUES (${inboxValues})
ON CONFLICT ("notifyId") DO NOTHING
RETURNING 1`;

const recordForAgreementSql = `
WITH target AS (
  SELECT "id" FROM "Agreement"
  WHERE "id" = $11::uuid
    AND "status" = $12::"AgreementStatus"
    AND "agreementNo" IS NOT DISTINCT FROM $13
    AND "alipayUserId" IS NOT DISTINCT FROM $14
    AND "alipayOpenId" IS NOT DISTINCT FROM $31
    AND ("signTime" IS NOT NULL) = $15::boolean
    AND ("nextDeductDate" IS NOT NULL) = $16::boolean
    AND ($34::boolean IS NOT TRUE OR ${liveSiblingOf(`"Agreement"`)} IS NOT DISTINCT FROM $35::uuid)
    AND "updatedAt" = $36::timestamptz
  FOR UPDATE
), inbox AS (
  INSERT INTO "NotificationInbox" (${inboxColumns})
  SELECT ${inboxValues} FROM target
  ON CONFLICT ("notifyId") DO NOTHING
  RETURNING 1
), updated AS (
  UPDATE "Agreement" SET
    "status" = $17::"AgreementStatus",
    "alipayStatus" = CASE WHEN $30::boolean THEN $18 ELSE "alipayStatus" END,
    "agreementNo" = COALESCE($19, "agreementNo"),
    "alipayUserId" = COALESCE($20, "alipayUserId"),
    "alipayOpenId" = COALESCE($32, "alipayOpenId"),
    "signTime" = COALESCE($21::timestamptz, "signTime"),
    "validTime" = COALESCE($22::timestamptz, "validTime"),
    "invalidTime" = COALESCE($23::timestamptz, "invalidTime"),
    "nextDeductDate" = CASE WHEN $24::boolean AND ($33::date IS NULL OR "executeTime" >= $33::date)
                            THEN "executeTime" ELSE "nextDeductDate" END,
    "nextFollowUpAt" = CASE WHEN $25::boolean THEN NULL ELSE "nextFollowUpAt" END,
    "eventSequence" = "eventSequence" + CASE WHEN $38::text IS NULL THEN 0 ELSE 1 END,
    "updatedAt" = $10::timestamptz
  WHERE $17::"AgreementStatus" IS NOT NULL
    AND "id" = (SELECT "id" FROM target)
    AND EXISTS (SELECT 1 FROM inbox)
  RETURNING "id", "eventSequence"
), event AS (
  INSERT INTO "AgreementEvent" ("id", "agreementId", "fromStatus", "toStatus", "source", "reason", "raw", "createdAt")
  SELECT $26::uuid, "id", $12::"AgreementStatus", $17::"AgreementStatus", $27, $28, $29::jsonb, $10::timestamptz
  FROM updated
), outbound AS (
  INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
  SELECT $37::uuid, $38, "id", "eventSequence", $39::jsonb, pg_current_xact_id()::text::bigint
  FROM updated WHERE $38::text IS NOT NULL
)
SELECT EXISTS (SELECT 1 FROM target) AS "unchanged", EXISTS (SELECT 1 FROM inbox) AS "inserted"`;

/**
 * `recorded`: the inbox row is written with its outcome, and the transition with its event; `duplicate`: the
 * notify_id was recorded meanwhile; `moved`: the agreement changed since it was read and nothing is written.
 */
export type RecordResult = "recorded" | "duplicate" | "moved";

/**
 * One statement, so one transaction without BEGIN/COMMIT: locks the agreement `FOR UPDATE` only while it is still as
 * `expected` (its status, every field the decision read, and its `updatedAt`, so the row as read is the row written
 * over), inserts the inbox row with its outcome (unique notify_id) and, when both happened, applies the transition,
 * inserts its AgreementEvent and its outbound event (the next `eventSequence`, the admin agreement as written). A transition decided on
 * the customer's live agreement (`plan.liveSibling`: one that makes the agreement live, or its duplicate) runs in a
 * transaction that first locks the agreement, then the customer's row, as the Prisma writer does, so the statement
 * sees every activation committed before and none can commit meanwhile; it applies only while the live agreement is
 * still the planned one (docs/alipay-protocol.md §17.6).
 */
export async function recordNotification(
  db: Database,
  input: {
    inbox: InboxRow;
    outcome: NotificationOutcome;
    detail: string;
    expected: NotifiedAgreement | null;
    transition: PlannedTransition | undefined;
  },
): Promise<RecordResult> {
  const { inbox, expected, transition } = input;
  const now = new Date();
  const inboxParams = [
    randomUUID(),
    inbox.notifyId,
    inbox.notifyType,
    inbox.appId,
    inbox.agreementNo,
    inbox.outTradeNo,
    JSON.stringify(inbox.params),
    input.outcome,
    input.detail,
    now,
  ];
  if (!expected) {
    const { rowCount } = await db.sql.query({
      name: "notify-record-without-agreement",
      text: recordWithoutAgreementSql,
      values: inboxParams,
    });
    return rowCount === 1 ? "recorded" : "duplicate";
  }
  const changes = transition?.plan.changes;
  const outboundType = transition ? agreementEventTypeOf(expected.status, transition.plan.to) : null;
  const liveSibling = transition?.plan.liveSibling;
  const query = {
    name: "notify-record-for-agreement",
    text: recordForAgreementSql,
    values: [
      ...inboxParams,
      expected.id,
      expected.status,
      expected.agreementNo,
      expected.alipayUserId,
      expected.hasSignTime,
      expected.hasNextDeductDate,
      changes?.status ?? null,
      changes?.alipayStatus ?? null,
      changes?.agreementNo ?? null,
      changes?.alipayUserId ?? null,
      changes?.signTime ?? null,
      changes?.validTime ?? null,
      changes?.invalidTime ?? null,
      changes?.startDeductingFromExecuteTime ?? false,
      changes?.clearNextFollowUp ?? false,
      randomUUID(),
      transition?.event.source ?? null,
      transition ? eventReasonOf(transition.plan, transition.event.reason) : null,
      transition ? JSON.stringify(transition.event.raw) : null,
      changes?.alipayStatus !== undefined,
      expected.alipayOpenId,
      changes?.alipayOpenId ?? null,
      changes?.unlessExecuteTimeBefore ?? null,
      liveSibling !== undefined,
      liveSibling ?? null,
      expected.row.updatedAt,
      randomUUID(),
      outboundType,
      outboundType && transition
        ? JSON.stringify(presentAdminAgreement(agreementAfter(expected.row, transition.plan, now)))
        : null,
    ],
  };
  const { rows } =
    liveSibling === undefined
      ? await db.sql.query<RecordRow>(query)
      : ((await lockedInOneRoundTrip(db, expected.id, query)) ??
        (await underCustomerLock(db, expected.id, (client) => client.query<RecordRow>(query))));
  const result = rows[0];
  if (!result?.unchanged) return "moved";
  return result.inserted ? "recorded" : "duplicate";
}

type RecordRow = { unchanged: boolean; inserted: boolean };

type SqlValue = string | boolean | number | Date | null;

/** A parameter as an SQL literal; undefined when it cannot be one (a NUL character, which no literal can hold). */
function literalOf(value: SqlValue): string | undefined {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  const text = value instanceof Date ? value.toISOString() : value;
  return text.includes("\0") ? undefined : pg.escapeLiteral(text);
}

/** A statement's text split at its `$n`: text, parameter index, text, …; split once per statement. */
const splitTexts = new Map<string, Array<string | number>>();

/** `text` with each `$n` replaced by the literal of `values[n - 1]`; undefined when one has none. */
function withLiterals(text: string, values: readonly SqlValue[]): string | undefined {
  const literals = values.map(literalOf);
  if (literals.includes(undefined)) return undefined;
  let parts = splitTexts.get(text);
  if (!parts) {
    parts = text.split(/\$(\d+)/).map((part, index) => (index % 2 === 1 ? Number(part) - 1 : part));
    splitTexts.set(text, parts);
  }
  return parts.map((part) => (typeof part === "number" ? (literals[part] ?? "NULL") : part)).join("");
}

/**
 * The customer lock and the statement as one simple-protocol message of two statements: PostgreSQL runs them as one
 * implicit transaction (rolled back whole on an error) and gives each statement its own snapshot, so the statement
 * still sees every activation committed before the lock was granted — the transaction of `underCustomerLock`, in one
 * round trip instead of four. The parameters become escaped literals (every non-text one has its cast in the text);
 * undefined when a value cannot be a literal, for the caller to take the parameterised path.
 */
async function lockedInOneRoundTrip(
  db: Database,
  agreementId: string,
  query: { text: string; values: SqlValue[] },
): Promise<{ rows: RecordRow[] } | undefined> {
  const lock = withLiterals(lockAgreementAndCustomerSql, [agreementId]);
  const statement = withLiterals(query.text, query.values);
  if (lock === undefined || statement === undefined) return undefined;
  const results = (await db.sql.query(`${lock};\n${statement}`)) as unknown as Array<QueryResult<RecordRow>>;
  return { rows: results.at(-1)?.rows ?? [] };
}

/** Runs `work` in a transaction holding the agreement's row lock, then its customer's (the order every writer uses). */
async function underCustomerLock<T>(db: Database, agreementId: string, work: (client: PoolClient) => Promise<T>) {
  const client = await db.sql.connect();
  try {
    await client.query("BEGIN");
    await client.query({
      name: "notify-lock-agreement-and-customer",
      text: lockAgreementAndCustomerSql,
      values: [agreementId],
    });
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const lockAgreementAndCustomerSql = `
SELECT 1 FROM "Customer"
WHERE "id" = (SELECT "customerId" FROM "Agreement" WHERE "id" = $1::uuid FOR UPDATE)
FOR NO KEY UPDATE`;
