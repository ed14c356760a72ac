import { randomUUID } from "node:crypto";
import { Prisma, type Agreement, type Plan } from "../generated/prisma/client.ts";
import type { Database } from "../db/prisma.ts";

/**
 * The raw-SQL statements of POST /api/v1/agreements (services/agreements.ts createAgreement): one read for the plan
 * and the customer, then one call of a database function that locks the customer, checks the live and PENDING rules
 * and writes the agreement, its first event and the idempotency row. Tables and columns are
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

/**
 * The function of migration 20261223000050_agreement_create_function: the customer's row lock, then the live and
 * PENDING checks and the writes, committed as the call returns. One round trip, none while the lock is held.
 */
const createAgreementSql = `SELECT "pending", "live", "created" FROM "paysign_create_agreement"(
  $1::uuid, $2, $3::uuid, $4::uuid, $5, $6, $7, $8, $9::"EffectType", $10::"PeriodType", $11::int, $12::date,
  $13::numeric, $14::numeric, $15::int, $16::timestamptz, $17::timestamptz, $18::uuid, $19, $20, $21::uuid, $22, $23,
  $24, $25::int, $26::jsonb, $27, $28::text[], $29::int)`;

/**
 * The agreement, its first event and the idempotency row, written only while the customer holds no agreement of
 * `liveStatuses` for the plan and fewer than `maxPending` PENDING ones. The customer's row is locked first, so
 * concurrent requests of one customer are checked one after another and can never pass either rule together; all of
 * it runs in the database in one call (one round trip). Without a customer row nothing is locked (the insert then
 * fails on its key). A concurrent request with the same Idempotency-Key waits for this one and then fails on the
 * unique (scope, key): see isUniqueViolation.
 */
export async function insertAgreementForCustomer(
  db: Database,
  input: InsertInput & { liveStatuses: readonly string[]; maxPending: number },
): Promise<GuardedInsert> {
  const { agreement: a, event, idempotency } = input;
  const { rows } = await db.sql.query<{ pending: number; live: AgreementRow | null; created: AgreementRow | null }>({
    name: "agreement-create",
    text: createAgreementSql,
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
  const found = rows[0];
  if (found?.live) return { kind: "live", agreement: agreementFromJson(found.live) };
  if (found?.created) return { kind: "created", agreement: agreementFromJson(found.created) };
  return { kind: "too-many-pending", pending: found?.pending ?? 0 };
}

/** A row read as JSON: timestamps come back as text. */
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
