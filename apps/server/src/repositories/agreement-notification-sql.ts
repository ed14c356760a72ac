import { randomUUID } from "node:crypto";
import { agreementEventTypeOf, calendarDateToUtcMidnight, type CalendarDate } from "@paysign/contracts";
import {
  eventReasonOf,
  nextDeductDateAfter,
  type AgreementFacts,
  type LifecyclePlan,
} from "../domain/agreement-lifecycle.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import type { Database } from "../db/prisma.ts";
import { batchedStatement, type BatchedStatement, type StatementBatchReport } from "../db/statement-batches.ts";
import { presentAdminAgreement, type PresentableAgreement } from "../presenters/resources.ts";

/**
 * The raw-SQL statements of a dut_user_sign / dut_user_unsign notification (notifications/agreement-notification.ts):
 * one read, then one call of a PL/pgSQL function that writes everything, where Prisma needed a transaction of seven.
 * This (with the function's migration) is the SQL writer of the lifecycle planner (domain/agreement-lifecycle.ts);
 * repositories/agreements.ts is the Prisma one. Tables and columns are Prisma's (prisma/schema.prisma); `updatedAt`
 * and `createdAt` are set here as Prisma sets them (the client's clock).
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

/**
 * The read function (prisma/migrations/20261224000050_notification_read_function): the statement of the reads of many
 * notifications, answered in their order, planned once per connection.
 */
const readTargetsSql = `SELECT * FROM "paysign_read_notification_targets"($1::text[], $2::text[], $3::text[])
ORDER BY "position"`;

/** Throws unless a batch statement answered one row per item, each with its item's 1-based `position`, in order. */
function checkAnsweredInOrder(rows: ReadonlyArray<{ position: string }>, items: number, what: string): void {
  if (rows.length !== items || rows.some((row, index) => Number(row.position) !== index + 1))
    throw new Error(`the batch of ${items} ${what} was answered out of order or incompletely`);
}

type TargetQuery = { notifyId: string; externalAgreementNo: string | undefined; agreementNo: string };

/** The reads of many notifications in one statement, in their order (readNotificationTarget). */
async function readTargets(db: Database, queries: readonly TargetQuery[]): Promise<NotificationTarget[]> {
  const { rows } = await db.sql.query<{ position: string; recorded: boolean } & Partial<TargetRow>>({
    name: "notify-read-targets",
    text: readTargetsSql,
    values: [
      queries.map((query) => query.notifyId),
      queries.map((query) => query.externalAgreementNo || null),
      queries.map((query) => query.agreementNo),
    ],
  });
  checkAnsweredInOrder(rows, queries.length, "notification reads");
  return rows.map(({ position: _position, recorded, ...found }) => ({
    recorded,
    agreement: found.id ? notifiedAgreementOf(found as TargetRow) : null,
  }));
}

/**
 * One statement, no lock: whether the notify_id is in the inbox already, and the agreement it names (by
 * external_agreement_no, else agreement_no) with the customer's live agreement for its plan (`liveSiblingId`).
 * recordNotification writes what is decided from it only while the agreement is still as read here. Reads of
 * notifications arriving together go in one statement (statementsOf).
 */
export function readNotificationTarget(
  db: Database,
  notifyId: string,
  target: { externalAgreementNo: string | undefined; agreementNo: string },
): Promise<NotificationTarget> {
  return statementsOf(db).readTarget({ notifyId, ...target });
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
 * The agreement as the transition leaves it, as the function's UPDATE (recordNotification) writes it (and the Prisma
 * writer, repositories/agreements.ts): the resource of its outbound event.
 */
function agreementAfter(row: PresentableAgreement, transition: PlannedTransition, at: Date): PresentableAgreement {
  const { changes } = transition.plan;
  return {
    ...row,
    status: changes.status,
    alipayStatus: changes.alipayStatus === undefined ? row.alipayStatus : changes.alipayStatus,
    agreementNo: changes.agreementNo ?? row.agreementNo,
    alipayUserId: changes.alipayUserId ?? row.alipayUserId,
    signTime: changes.signTime ?? row.signTime,
    validTime: changes.validTime ?? row.validTime,
    invalidTime: changes.invalidTime ?? row.invalidTime,
    nextDeductDate: nextDeductDateAfter(row, changes),
    nextFollowUpAt: changes.clearNextFollowUp ? null : row.nextFollowUpAt,
    nextSweepAt: transition.nextSweepAt ?? row.nextSweepAt,
    updatedAt: at,
  };
}

/** A transition the planner decided on the agreement as read, with its event. */
export type PlannedTransition = {
  plan: Extract<LifecyclePlan, { kind: "transition" }>;
  event: { source: string; reason: string; raw: Record<string, string> };
  /** The agreement's next sweep, or null to leave it as it is. */
  nextSweepAt: Date | null;
};

/**
 * The values of a NotificationInbox row in column order — id (new), notifyId, notifyType, appId, agreementNo,
 * outTradeNo, params (an object: pg sends it as JSON, and a JSON array of calls holds it as a JSON value), outcome,
 * detail, receivedAt — for parameters $1–$10 of a statement that inserts it.
 */
export function inboxRowValues(
  inbox: InboxRow,
  recorded: { outcome: NotificationOutcome; detail: string; receivedAt: Date },
): [
  string,
  string,
  string,
  string,
  string | null,
  string | null,
  Record<string, string>,
  NotificationOutcome,
  string,
  Date,
] {
  return [
    randomUUID(),
    inbox.notifyId,
    inbox.notifyType,
    inbox.appId,
    inbox.agreementNo,
    inbox.outTradeNo,
    inbox.params,
    recorded.outcome,
    recorded.detail,
    recorded.receivedAt,
  ];
}

const recordWithoutAgreementSql = `
INSERT INTO "NotificationInbox" ("id", "notifyId", "notifyType", "appId", "agreementNo", "outTradeNo", "params",
  "outcome", "detail", "receivedAt")
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::"NotificationOutcome", $9, $10::timestamptz)
ON CONFLICT ("notifyId") DO NOTHING
RETURNING 1`;

/**
 * The batch function (prisma/migrations/20261224000070_agreement_notification_batch_set_based): one element of $1, a
 * JSON array of the calls' parameter lists, per notification, written by set-based statements in one transaction
 * after every agreement's lock and then every customer's, in id order; one answer per call, by its 1-based position.
 * A call that a call before it in the batch could have moved (the same notify_id, a transition of its agreement, or,
 * when it checks the customer's live agreement, a transition that makes an agreement of the same customer and plan
 * live or no longer live) is answered as moved and decided again. It waits at most 2 s for a lock, then fails with
 * 55P03 and writes nothing.
 */
const recordForAgreementsSql = `SELECT "position", "unchanged", "inserted"
FROM "paysign_record_agreement_notifications"($1::jsonb)`;

/** Many notifications' calls of the function in one statement, answered in the calls' order. */
async function recordForAgreements(
  db: Database,
  calls: readonly unknown[][],
): Promise<Array<{ unchanged: boolean; inserted: boolean }>> {
  const { rows } = await db.sql.query<{ position: string; unchanged: boolean; inserted: boolean }>({
    name: "notify-record-for-agreements",
    text: recordForAgreementsSql,
    values: [JSON.stringify(calls)],
  });
  checkAnsweredInOrder(rows, calls.length, "notification writes");
  return rows.map(({ unchanged, inserted }) => ({ unchanged, inserted }));
}

/**
 * `recorded`: the inbox row is written with its outcome, and the transition with its event; `duplicate`: the
 * notify_id was recorded meanwhile; `moved`: the agreement changed since it was read and nothing is written.
 */
export type RecordResult = "recorded" | "duplicate" | "moved";

/**
 * One call of the batch function (recordForAgreementsSql), in one transaction without BEGIN/COMMIT with the calls of
 * the notifications arriving together (statementsOf): locks the agreement `FOR UPDATE`, writes only while it is still
 * as `expected` (its status, every field the decision read, and its `updatedAt`, so the row as read is the row written
 * over), inserts the inbox row with its outcome (unique notify_id) and, when both happened, applies the transition,
 * inserts its AgreementEvent and its outbound event (the next `eventSequence`, the admin agreement as written). A
 * transition decided on the customer's live agreement (`plan.liveSibling`: one that makes the agreement live, or its
 * duplicate) first locks the agreement, then the customer's row, as the Prisma writer does, so the write sees every
 * activation committed before and none can commit meanwhile; it applies only while the live agreement is still the
 * planned one (docs/alipay-protocol.md §17.6).
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
  const inboxParams = inboxRowValues(inbox, { outcome: input.outcome, detail: input.detail, receivedAt: now });
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
  // The call's parameters in the order the batch function reads them, by position; instants as ISO text: the batch's
  // JSON.stringify took longer through each Date's toJSON than this conversion costs (BENCHMARKS.md, twelfth pass).
  const result = await statementsOf(db).recordForAgreement([
    ...inboxParams.map((value) => (value instanceof Date ? value.toISOString() : value)),
    expected.id,
    expected.status,
    expected.agreementNo,
    expected.alipayUserId,
    expected.alipayOpenId,
    expected.hasSignTime,
    expected.hasNextDeductDate,
    liveSibling !== undefined,
    liveSibling ?? null,
    expected.row.updatedAt.toISOString(),
    changes?.status ?? null,
    changes?.alipayStatus !== undefined,
    changes?.alipayStatus ?? null,
    changes?.agreementNo ?? null,
    changes?.alipayUserId ?? null,
    changes?.alipayOpenId ?? null,
    changes?.signTime?.toISOString() ?? null,
    changes?.validTime?.toISOString() ?? null,
    changes?.invalidTime?.toISOString() ?? null,
    changes?.startDeductingFromExecuteTime ?? false,
    changes?.unlessExecuteTimeBefore ?? null,
    changes?.clearNextFollowUp ?? false,
    randomUUID(),
    transition?.event.source ?? null,
    transition ? eventReasonOf(transition.plan, transition.event.reason) : null,
    transition?.event.raw ?? null,
    randomUUID(),
    outboundType,
    outboundType && transition ? presentAdminAgreement(agreementAfter(expected.row, transition, now)) : null,
    transition?.nextSweepAt?.toISOString() ?? null,
  ]);
  if (!result.unchanged) return "moved";
  return result.inserted ? "recorded" : "duplicate";
}

type NotificationStatements = {
  readTarget: BatchedStatement<TargetQuery, NotificationTarget>;
  recordForAgreement: BatchedStatement<unknown[], { unchanged: boolean; inserted: boolean }>;
};

const statementsByDatabase = new WeakMap<Database, NotificationStatements>();

/**
 * The notification's read and write of each database, batched: under load, the notifications arriving while earlier
 * batches are at the database share one statement each. Each kind has max(1, ⌊pool size / 8⌋) batches at the
 * database at a time (one up to a pool of 15): fewer batches in flight make larger ones, and a batch costs the
 * database mostly per statement, not per notification (BENCHMARKS.md, issue #20 seventh pass). A write batch waiting
 * on a held row therefore holds back every write behind it, for at most its lock timeout (recordForAgreementsSql).
 */
function statementsOf(db: Database): NotificationStatements {
  const known = statementsByDatabase.get(db);
  if (known) return known;
  const batching = {
    maxInFlight: Math.max(1, Math.floor((db.sql.options.max ?? 10) / 8)),
    maxBatchSize: 64,
    report: (batch: StatementBatchReport) => db.reportStatementBatch(batch),
  };
  const statements: NotificationStatements = {
    readTarget: batchedStatement((queries) => readTargets(db, queries), { name: "notify_read", ...batching }),
    recordForAgreement: batchedStatement((calls) => recordForAgreements(db, calls), {
      name: "notify_write",
      ...batching,
    }),
  };
  statementsByDatabase.set(db, statements);
  return statements;
}
