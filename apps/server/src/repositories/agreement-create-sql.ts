import { randomUUID } from "node:crypto";
import { Prisma, type Agreement, type Plan } from "../generated/prisma/client.ts";
import type { Database } from "../db/prisma.ts";

/**
 * The raw-SQL statements of POST /api/v1/agreements (services/agreements.ts createAgreement): one read for the plan
 * and the customer, then under the customer's lock one statement that checks the live and PENDING rules and writes the
 * agreement, its first event and the idempotency row. Tables and columns are
 * Prisma's (prisma/schema.prisma); money and calendar dates travel as text, never as a float or a local-time Date.
 */

/** The plan fields an agreement is made from. */
export type PlanForAgreement = Pick<
  Plan,
  | "id"
  | "active"
  | "productCode"
  | "personalProductCode"
  | "signScene"
  | "effectType"
  | "periodType"
  | "period"
  | "singleAmount"
  | "totalAmount"
  | "totalPayments"
  | "firstChargeDelayDays"
  | "signValidityPeriod"
>;

/** The plan's columns as the read returns them: all present, or all null when there is no such plan. */
type PlanColumns = {
  planId: string;
  active: boolean;
  productCode: string;
  personalProductCode: string;
  signScene: string;
  effectType: Plan["effectType"];
  periodType: Plan["periodType"];
  period: number;
  singleAmount: string;
  totalAmount: string | null;
  totalPayments: number | null;
  firstChargeDelayDays: number;
  signValidityPeriod: string | null;
};

type PlanAndCustomerRow = (PlanColumns | { [Column in keyof PlanColumns]: null }) & {
  customerId: string | null;
  alipayUserId: string | null;
  alipayOpenId: string | null;
  pendingAgreements: number;
};

const planAndCustomerSql = `
SELECT p."id" AS "planId", p."active", p."productCode", p."personalProductCode", p."signScene",
       p."effectType"::text AS "effectType", p."periodType"::text AS "periodType", p."period",
       p."singleAmount"::text AS "singleAmount", p."totalAmount"::text AS "totalAmount", p."totalPayments",
       p."firstChargeDelayDays", p."signValidityPeriod", c."id" AS "customerId", c."alipayUserId",
       c."alipayOpenId",
       (SELECT count(*)::int FROM "Agreement" WHERE "customerId" = $2::uuid AND "status" = 'PENDING')
         AS "pendingAgreements"
FROM (SELECT 1) AS one
LEFT JOIN "Plan" AS p ON p."id" = $1::uuid
LEFT JOIN "Customer" AS c ON c."id" = $2::uuid`;

/**
 * The plan (undefined when there is none) and the customer with the number of its PENDING agreements (undefined when
 * there is no such customer), in one round trip.
 */
export async function findPlanAndCustomer(
  db: Database,
  planId: string,
  customerId: string,
): Promise<{
  plan: PlanForAgreement | undefined;
  customer:
    { id: string; alipayUserId: string | null; alipayOpenId: string | null; pendingAgreements: number } | undefined;
}> {
  const { rows } = await db.sql.query<PlanAndCustomerRow>({
    name: "agreement-plan-and-customer",
    text: planAndCustomerSql,
    values: [planId, customerId],
  });
  const row = rows[0];
  const plan: PlanForAgreement | undefined =
    row?.planId == null
      ? undefined
      : {
          id: row.planId,
          active: row.active,
          productCode: row.productCode,
          personalProductCode: row.personalProductCode,
          signScene: row.signScene,
          effectType: row.effectType,
          periodType: row.periodType,
          period: row.period,
          singleAmount: new Prisma.Decimal(row.singleAmount),
          totalAmount: row.totalAmount === null ? null : new Prisma.Decimal(row.totalAmount),
          totalPayments: row.totalPayments,
          firstChargeDelayDays: row.firstChargeDelayDays,
          signValidityPeriod: row.signValidityPeriod,
        };
  const customer =
    row?.customerId == null
      ? undefined
      : {
          id: row.customerId,
          alipayUserId: row.alipayUserId,
          alipayOpenId: row.alipayOpenId,
          pendingAgreements: row.pendingAgreements,
        };
  return { plan, customer };
}

/** What a new agreement is made of; every other column starts at its default (PENDING, no payments, …). */
export type NewAgreement = Pick<
  Agreement,
  | "id"
  | "externalAgreementNo"
  | "customerId"
  | "planId"
  | "alipayUserId"
  | "alipayOpenId"
  | "productCode"
  | "personalProductCode"
  | "signScene"
  | "effectType"
  | "periodType"
  | "period"
  | "executeTime"
  | "singleAmount"
  | "totalAmount"
  | "totalPayments"
  | "nextFollowUpAt"
>;

const agreementColumns = `"id", "externalAgreementNo", "customerId", "planId", "status"::text AS "status", "agreementNo",
  "alipayStatus", "alipayUserId", "alipayOpenId", "productCode", "personalProductCode", "signScene", "effectType"::text AS "effectType",
  "periodType"::text AS "periodType", "period", "executeTime"::text AS "executeTime",
  "singleAmount"::text AS "singleAmount", "totalAmount"::text AS "totalAmount", "totalPayments",
  "nextDeductDate"::text AS "nextDeductDate", "paymentsCount", "paidTotal"::text AS "paidTotal", "signTime",
  "validTime", "invalidTime", "clientResultStatus", "followUpCount", "nextFollowUpAt", "nextSweepAt", "createdAt", "updatedAt"`;

type AgreementRow = Omit<Agreement, "executeTime" | "nextDeductDate" | "singleAmount" | "totalAmount" | "paidTotal"> & {
  executeTime: string;
  nextDeductDate: string | null;
  singleAmount: string;
  totalAmount: string | null;
  paidTotal: string;
};

/** A DATE column as Prisma reads @db.Date: the calendar day at UTC midnight. */
function dateFromColumn(value: string): Date {
  return new Date(`${value}T00:00:00.000Z`);
}

function dateColumn(value: Date): string {
  return value.toISOString().slice(0, 10);
}

/** The row as Prisma would return it: decimals as Prisma.Decimal, DATE columns at UTC midnight. */
function agreementFromRow(row: AgreementRow): Agreement {
  return {
    ...row,
    executeTime: dateFromColumn(row.executeTime),
    nextDeductDate: row.nextDeductDate === null ? null : dateFromColumn(row.nextDeductDate),
    singleAmount: new Prisma.Decimal(row.singleAmount),
    totalAmount: row.totalAmount === null ? null : new Prisma.Decimal(row.totalAmount),
    paidTotal: new Prisma.Decimal(row.paidTotal),
  };
}

type InsertInput = {
  agreement: NewAgreement;
  event: { source: string; reason: string };
  idempotency:
    { scope: string; key: string; requestHash: string; responseStatus: number; responseBody: unknown } | undefined;
};

/** What the customer's lock found: the agreement is written, or a live one for the plan, or too many PENDING. */
export type GuardedInsert =
  | { kind: "created"; agreement: Agreement }
  | { kind: "live"; agreement: Agreement }
  | { kind: "too-many-pending"; pending: number };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * BEGIN and the customer's row lock in one round trip (a simple query has no parameters: the id is inlined, and
 * only after it is checked to be a UUID). In READ COMMITTED every statement takes its own snapshot, so the statement
 * after this one sees whatever a transaction that held the lock before committed.
 */
function beginAndLockCustomerSql(customerId: string): string {
  if (!uuidPattern.test(customerId)) throw new Error(`not a customer id: ${JSON.stringify(customerId)}`);
  return `BEGIN; SELECT 1 FROM "Customer" WHERE "id" = '${customerId}'::uuid FOR NO KEY UPDATE`;
}

/**
 * Under the customer's lock, one statement: the live agreement for the plan and the PENDING count, and the agreement,
 * its first event and the idempotency row written only when neither rule refuses ($28: the live statuses, $29: the
 * PENDING cap). Answers one row: the live agreement (as JSON) or null, the count, and the inserted agreement (as JSON)
 * or null.
 */
const guardedInsertSql = `
WITH checks AS (
  SELECT (SELECT count(*)::int FROM "Agreement" WHERE "customerId" = $3::uuid AND "status" = 'PENDING') AS "pending",
         (SELECT row_to_json(live) FROM (
            SELECT ${agreementColumns} FROM "Agreement"
            WHERE "customerId" = $3::uuid AND "planId" = $4::uuid AND "status"::text = ANY($28::text[])
            ORDER BY "createdAt" DESC LIMIT 1) AS live) AS "live"
), agreement AS (
  INSERT INTO "Agreement" ("id", "externalAgreementNo", "customerId", "planId", "status", "alipayUserId",
                           "productCode", "personalProductCode", "signScene", "effectType", "periodType", "period",
                           "executeTime", "singleAmount", "totalAmount", "totalPayments", "nextFollowUpAt",
                           "createdAt", "updatedAt", "alipayOpenId")
  SELECT $1::uuid, $2, $3::uuid, $4::uuid, 'PENDING', $5, $6, $7, $8, $9::"EffectType", $10::"PeriodType", $11::int,
         $12::date, $13::numeric, $14::numeric, $15::int, $16::timestamptz, $17::timestamptz, $17::timestamptz, $27
  FROM checks WHERE checks."live" IS NULL AND checks."pending" < $29::int
  RETURNING ${agreementColumns}
), event AS (
  INSERT INTO "AgreementEvent" ("id", "agreementId", "fromStatus", "toStatus", "source", "reason", "createdAt")
  SELECT $18::uuid, "id", NULL, 'PENDING', $19, $20, $17::timestamptz FROM agreement
), idempotency AS (
  INSERT INTO "IdempotencyKey" ("id", "scope", "key", "requestHash", "responseStatus", "responseBody", "createdAt")
  SELECT $21::uuid, $22, $23, $24, $25::int, $26::jsonb, $17::timestamptz FROM agreement WHERE $23::text IS NOT NULL
)
SELECT checks."pending", checks."live", (SELECT row_to_json(agreement) FROM agreement) AS "created" FROM checks`;

/**
 * The agreement, its first event and the idempotency row, written only while the customer holds no agreement of
 * `liveStatuses` for the plan and fewer than `maxPending` PENDING ones. A transaction that first locks the customer's
 * row, so concurrent requests of one customer are checked one after another and can never pass either rule together;
 * three round trips (BEGIN with the lock, the checks with the writes, COMMIT), two of them under the lock. Without a
 * customer row nothing is locked (the insert then fails on its key). A concurrent request with the same
 * Idempotency-Key waits for this one and then fails on the unique (scope, key): see isUniqueViolation.
 */
export async function insertAgreementForCustomer(
  db: Database,
  input: InsertInput & { liveStatuses: readonly string[]; maxPending: number },
): Promise<GuardedInsert> {
  const { agreement: a, event, idempotency } = input;
  const client = await db.sql.connect();
  try {
    await client.query(beginAndLockCustomerSql(a.customerId));
    const { rows } = await client.query<{ pending: number; live: AgreementRow | null; created: AgreementRow | null }>({
      name: "agreement-guarded-insert",
      text: guardedInsertSql,
      values: [
        a.id,
        a.externalAgreementNo,
        a.customerId,
        a.planId,
        a.alipayUserId,
        a.productCode,
        a.personalProductCode,
        a.signScene,
        a.effectType,
        a.periodType,
        a.period,
        dateColumn(a.executeTime),
        a.singleAmount.toFixed(),
        a.totalAmount?.toFixed() ?? null,
        a.totalPayments,
        a.nextFollowUpAt,
        new Date(),
        randomUUID(),
        event.source,
        event.reason,
        randomUUID(),
        idempotency?.scope ?? null,
        idempotency?.key ?? null,
        idempotency?.requestHash ?? null,
        idempotency?.responseStatus ?? null,
        idempotency ? JSON.stringify(idempotency.responseBody) : null,
        a.alipayOpenId,
        [...input.liveStatuses],
        input.maxPending,
      ],
    });
    await client.query("COMMIT");
    const found = rows[0];
    if (found?.live) return { kind: "live", agreement: agreementFromJson(found.live) };
    if (found?.created) return { kind: "created", agreement: agreementFromJson(found.created) };
    return { kind: "too-many-pending", pending: found?.pending ?? 0 };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A row read through row_to_json: timestamps come back as text. */
function agreementFromJson(row: AgreementRow): Agreement {
  const instant = (value: Date | string | null) => (value === null ? null : new Date(value));
  return agreementFromRow({
    ...row,
    signTime: instant(row.signTime),
    validTime: instant(row.validTime),
    invalidTime: instant(row.invalidTime),
    nextFollowUpAt: instant(row.nextFollowUpAt),
    nextSweepAt: instant(row.nextSweepAt),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  });
}
