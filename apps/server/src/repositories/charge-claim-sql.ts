import type { CalendarDate } from "@paysign/contracts";
import type { PeriodType } from "@paysign/contracts/alipay";
import type { Database } from "../db/prisma.ts";
import { Prisma } from "../generated/prisma/client.ts";

// The raw-SQL first attempt of a period (deductions/charge-engine.ts): one read, then one statement that creates the
// charge and its PROCESSING attempt under the agreement's row lock, where the Prisma path needs a transaction of nine
// statements. It covers only the common case — no charge for the period yet; anything else takes the Prisma path.
// Tables and columns are Prisma's (prisma/schema.prisma); `createdAt` / `updatedAt` are the client's clock, as Prisma
// sets them.

/** The agreement of a period as the first attempt decides on it, and whether the period has a charge already. */
export type ChargeTarget = {
  status: string;
  agreementNo: string | null;
  productCode: string;
  /** Its D as a calendar date, or null. */
  nextDeductDate: string | null;
  deferClaimed: boolean;
  singleAmount: Prisma.Decimal;
  totalAmount: Prisma.Decimal | null;
  totalPayments: number | null;
  paymentsCount: number;
  paidTotal: Prisma.Decimal;
  periodType: PeriodType;
  period: number;
  hasCharge: boolean;
};

type TargetRow = Omit<ChargeTarget, "singleAmount" | "totalAmount" | "paidTotal"> & {
  singleAmount: string;
  totalAmount: string | null;
  paidTotal: string;
};

const readTargetSql = `
SELECT a."status"::text AS "status", a."agreementNo", a."productCode", a."nextDeductDate"::text AS "nextDeductDate",
       a."deferClaimedUntil" IS NOT NULL AS "deferClaimed", a."singleAmount"::text AS "singleAmount",
       a."totalAmount"::text AS "totalAmount", a."totalPayments", a."paymentsCount", a."paidTotal"::text AS "paidTotal",
       a."periodType"::text AS "periodType", a."period",
       EXISTS (SELECT 1 FROM "Charge" c WHERE c."agreementId" = a."id" AND c."dueDate" = $2::date) AS "hasCharge"
FROM "Agreement" a
WHERE a."id" = $1::uuid`;

/** One statement, no lock: the agreement of a period and whether the period has a charge; null without agreement. */
export async function readChargeTarget(
  db: Database,
  key: { agreementId: string; dueDate: CalendarDate },
): Promise<ChargeTarget | null> {
  const { rows } = await db.sql.query<TargetRow>({
    name: "charge-read-target",
    text: readTargetSql,
    values: [key.agreementId, key.dueDate],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    ...row,
    singleAmount: new Prisma.Decimal(row.singleAmount),
    totalAmount: row.totalAmount === null ? null : new Prisma.Decimal(row.totalAmount),
    paidTotal: new Prisma.Decimal(row.paidTotal),
  };
}

/**
 * The agreement of a period as its first attempt was decided on: the claim and the settle of that attempt each write
 * only while it is still so.
 */
export type AgreementAsClaimed = {
  agreementId: string;
  dueDate: CalendarDate;
  agreementNo: string;
  paymentsCount: number;
  paidTotal: Prisma.Decimal;
};

/**
 * SQL that holds for the Agreement row `alias` while it is still as claimed (parameters $1–$5, agreementAsClaimedValues):
 * ACTIVE with D = the period, its agreement_no, no defer claim, the counts the amount was computed from.
 */
export function agreementAsClaimedSql(alias: string): string {
  return `${alias}."id" = $1::uuid AND ${alias}."status" = 'ACTIVE' AND ${alias}."nextDeductDate" = $2::date
    AND ${alias}."agreementNo" = $3 AND ${alias}."deferClaimedUntil" IS NULL AND ${alias}."paymentsCount" = $4
    AND ${alias}."paidTotal" = $5::numeric`;
}

/** The values of parameters $1–$5 of agreementAsClaimedSql. */
export function agreementAsClaimedValues(agreement: AgreementAsClaimed): [string, string, string, number, string] {
  return [
    agreement.agreementId,
    agreement.dueDate,
    agreement.agreementNo,
    agreement.paymentsCount,
    agreement.paidTotal.toFixed(2),
  ];
}

const claimFirstAttemptSql = `
WITH target AS (
  SELECT a."id" FROM "Agreement" a
  WHERE ${agreementAsClaimedSql("a")}
  FOR UPDATE
), charge AS (
  INSERT INTO "Charge" ("id", "agreementId", "dueDate", "amount", "status", "nextAttemptAt", "createdAt", "updatedAt")
  SELECT $6::uuid, "id", $2::date, $7::numeric, 'PROCESSING'::"ChargeStatus", NULL, $8::timestamptz, $8::timestamptz FROM target
  ON CONFLICT ("agreementId", "dueDate") DO NOTHING
  RETURNING "id"
)
INSERT INTO "ChargeAttempt" ("id", "chargeId", "outTradeNo", "status", "requestedAt", "inFlightUntil")
SELECT $9::uuid, "id", $10, 'PROCESSING'::"AttemptStatus", $11::timestamptz, $12::timestamptz FROM charge
RETURNING "id"`;

/**
 * One statement, so one transaction without BEGIN/COMMIT: locks the agreement `FOR UPDATE` only while it is still as
 * claimed (agreementAsClaimedSql), creates the period's charge PROCESSING (unique per agreement and date: nothing when one exists; `createdAt` and
 * `updatedAt` = `charge.createdAt`) and its attempt with `outTradeNo`. Answers the attempt's id, or undefined when nothing was written (the caller takes the locked
 * Prisma path, which decides every other case).
 */
export async function claimFirstAttempt(
  db: Database,
  input: {
    agreement: AgreementAsClaimed;
    charge: { id: string; amount: string; createdAt: Date };
    attempt: { id: string; outTradeNo: string; requestedAt: Date; inFlightUntil: Date };
  },
): Promise<string | undefined> {
  const { charge, attempt } = input;
  const { rows } = await db.sql.query<{ id: string }>({
    name: "charge-claim-first-attempt",
    text: claimFirstAttemptSql,
    values: [
      ...agreementAsClaimedValues(input.agreement),
      charge.id,
      charge.amount,
      charge.createdAt,
      attempt.id,
      attempt.outTradeNo,
      attempt.requestedAt,
      attempt.inFlightUntil,
    ],
  });
  return rows[0]?.id;
}
