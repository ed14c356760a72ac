import { Prisma, type Agreement, type Plan } from "../generated/prisma/client.ts";
import type { SqlPool } from "./sql.ts";

/**
 * The raw-SQL statements of POST /api/v1/agreements (services/agreements.ts createAgreement): one read for the plan
 * and the customer, one statement for the agreement, its first event and the idempotency row. Tables and columns are
 * Prisma's (prisma/schema.prisma); money travels as DECIMAL text, never as a float.
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

type PlanAndCustomerRow = {
  planId: string | null;
  active: boolean | null;
  productCode: string | null;
  personalProductCode: string | null;
  signScene: string | null;
  effectType: Plan["effectType"] | null;
  periodType: Plan["periodType"] | null;
  period: number | null;
  singleAmount: string | null;
  totalAmount: string | null;
  totalPayments: number | null;
  firstChargeDelayDays: number | null;
  signValidityPeriod: string | null;
  customerId: string | null;
  alipayUserId: string | null;
};

const planAndCustomerSql = `
SELECT p."id" AS "planId", p."active", p."productCode", p."personalProductCode", p."signScene",
       p."effectType"::text AS "effectType", p."periodType"::text AS "periodType", p."period",
       p."singleAmount"::text AS "singleAmount", p."totalAmount"::text AS "totalAmount", p."totalPayments",
       p."firstChargeDelayDays", p."signValidityPeriod", c."id" AS "customerId", c."alipayUserId"
FROM (SELECT 1) AS one
LEFT JOIN "Plan" AS p ON p."id" = $1::uuid
LEFT JOIN "Customer" AS c ON c."id" = $2::uuid`;

/** The plan (undefined when there is none) and the customer (undefined when there is none), in one round trip. */
export async function findPlanAndCustomer(
  pool: SqlPool,
  planId: string,
  customerId: string,
): Promise<{
  plan: PlanForAgreement | undefined;
  customer: { id: string; alipayUserId: string | null } | undefined;
}> {
  const { rows } = await pool.query<PlanAndCustomerRow>({
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
          active: row.active!,
          productCode: row.productCode!,
          personalProductCode: row.personalProductCode!,
          signScene: row.signScene!,
          effectType: row.effectType!,
          periodType: row.periodType!,
          period: row.period!,
          singleAmount: new Prisma.Decimal(row.singleAmount!),
          totalAmount: row.totalAmount === null ? null : new Prisma.Decimal(row.totalAmount),
          totalPayments: row.totalPayments,
          firstChargeDelayDays: row.firstChargeDelayDays!,
          signValidityPeriod: row.signValidityPeriod,
        };
  const customer = row?.customerId == null ? undefined : { id: row.customerId, alipayUserId: row.alipayUserId };
  return { plan, customer };
}

const insertAgreementSql = `
WITH agreement AS (
  INSERT INTO "Agreement" ("id", "externalAgreementNo", "customerId", "planId", "status", "agreementNo",
                           "alipayStatus", "alipayUserId", "productCode", "personalProductCode", "signScene",
                           "effectType", "periodType", "period", "executeTime", "singleAmount", "totalAmount",
                           "totalPayments", "nextDeductDate", "paymentsCount", "paidTotal", "signTime", "validTime",
                           "invalidTime", "clientResultStatus", "followUpCount", "nextFollowUpAt", "createdAt",
                           "updatedAt")
  VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5::"AgreementStatus", $6, $7, $8, $9, $10, $11, $12::"EffectType",
          $13::"PeriodType", $14::int, $15::date, $16::numeric, $17::numeric, $18::int, $19::date, $20::int,
          $21::numeric, $22::timestamptz, $23::timestamptz, $24::timestamptz, $25, $26::int, $27::timestamptz,
          $28::timestamptz, $29::timestamptz)
  RETURNING "id"
), event AS (
  INSERT INTO "AgreementEvent" ("id", "agreementId", "fromStatus", "toStatus", "source", "reason", "createdAt")
  SELECT $30::uuid, "id", NULL, $5::"AgreementStatus", $31, $32, $28::timestamptz FROM agreement
)
INSERT INTO "IdempotencyKey" ("id", "scope", "key", "requestHash", "responseStatus", "responseBody", "createdAt")
SELECT $33::uuid, $34, $35, $36, $37::int, $38::jsonb, $28::timestamptz FROM agreement WHERE $35::text IS NOT NULL`;

/** A DATE column's value: the UTC day of a Date at UTC midnight (as Prisma stores @db.Date). */
function dateColumn(value: Date | null): string | null {
  return value === null ? null : value.toISOString().slice(0, 10);
}

/**
 * One statement, so one atomic write without BEGIN/COMMIT: the agreement exactly as given (every column), its
 * first event, and the idempotency row when there is one (a concurrent request with the same key waits for this one
 * and then fails on the unique (scope, key) with 23505).
 */
export async function insertAgreementWithEvent(
  pool: SqlPool,
  input: {
    agreement: Agreement;
    event: { id: string; source: string; reason: string };
    idempotency:
      | { id: string; scope: string; key: string; requestHash: string; responseStatus: number; responseBody: unknown }
      | undefined;
  },
): Promise<void> {
  const { agreement: a, event, idempotency } = input;
  await pool.query({
    name: "agreement-insert-with-event",
    text: insertAgreementSql,
    values: [
      a.id,
      a.externalAgreementNo,
      a.customerId,
      a.planId,
      a.status,
      a.agreementNo,
      a.alipayStatus,
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
      dateColumn(a.nextDeductDate),
      a.paymentsCount,
      a.paidTotal.toFixed(),
      a.signTime,
      a.validTime,
      a.invalidTime,
      a.clientResultStatus,
      a.followUpCount,
      a.nextFollowUpAt,
      a.createdAt,
      a.updatedAt,
      event.id,
      event.source,
      event.reason,
      idempotency?.id ?? null,
      idempotency?.scope ?? null,
      idempotency?.key ?? null,
      idempotency?.requestHash ?? null,
      idempotency?.responseStatus ?? null,
      idempotency ? JSON.stringify(idempotency.responseBody) : null,
    ],
  });
}

/** True for PostgreSQL's unique violation (23505) on the given constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const candidate = error as { code?: unknown; constraint?: unknown };
  return candidate.code === "23505" && candidate.constraint === constraint;
}
