import type { CalendarDate } from "@paysign/contracts";
import type { Database } from "../db/prisma.ts";
import { agreementAsClaimedSql, agreementAsClaimedValues, type AgreementAsClaimed } from "./charge-claim-sql.ts";

// The raw-SQL settle of a period's first attempt paid by its own pay answer (deductions/charge-engine.ts): one statement
// where the Prisma path (deductions/settle.ts) needs a transaction of about ten. It covers only that case — the
// attempt and its charge still PROCESSING, the agreement still as the claim read it; anything else takes the Prisma
// path, which decides every case the same way. Columns are Prisma's (prisma/schema.prisma); `updatedAt` is the
// client's clock, as Prisma sets it.

const settleFirstAttemptPaidSql = `
WITH target AS (
  SELECT a."id", c."id" AS "chargeId", t."id" AS "attemptId"
  FROM "Agreement" a
  JOIN "Charge" c ON c."id" = $10::uuid AND c."agreementId" = a."id" AND c."status" = 'PROCESSING'
  JOIN "ChargeAttempt" t ON t."id" = $8::uuid AND t."chargeId" = c."id" AND t."status" = 'PROCESSING'
  WHERE ${agreementAsClaimedSql("a")}
  FOR UPDATE OF a, c, t
), attempt AS (
  UPDATE "ChargeAttempt" SET "status" = 'SUCCEEDED', "tradeNo" = $6, "settledAt" = $7::timestamptz,
    "subCode" = NULL, "subMsg" = NULL
  WHERE "id" = (SELECT "attemptId" FROM target)
  RETURNING "id"
), charge AS (
  UPDATE "Charge" SET "status" = 'SUCCEEDED', "tradeNo" = $6, "paidAt" = $7::timestamptz, "failureCode" = NULL,
    "failureReason" = NULL, "nextAttemptAt" = NULL, "updatedAt" = $9::timestamptz
  WHERE "id" = (SELECT "chargeId" FROM target)
  RETURNING "id"
), agreement AS (
  UPDATE "Agreement" SET "paymentsCount" = "paymentsCount" + 1, "paidTotal" = "paidTotal" + $11::numeric,
    "nextDeductDate" = $12::date, "eventSequence" = "eventSequence" + 1, "updatedAt" = $9::timestamptz
  WHERE "id" = (SELECT "id" FROM target) AND EXISTS (SELECT 1 FROM attempt) AND EXISTS (SELECT 1 FROM charge)
  RETURNING "id", "eventSequence"
), outbound AS (
  INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
  SELECT $13::uuid, 'charge.succeeded', "id", "eventSequence", $14::jsonb, pg_current_xact_id()::text::bigint
  FROM agreement
)
SELECT EXISTS (SELECT 1 FROM agreement) AS "settled"`;

/**
 * One statement, so one transaction without BEGIN/COMMIT: locks the agreement, the charge and the attempt `FOR UPDATE`
 * together, only while all three are still as expected — the agreement as claimed (agreementAsClaimedSql), the charge
 * and the attempt PROCESSING — and re-checked on their latest
 * versions after any wait for a lock. Then settles the attempt SUCCEEDED with the trade, the charge SUCCEEDED
 * (`updatedAt` = `at`), adds the
 * payment to the agreement (count + 1, `amount` yuan to its total, D = `nextDeductDate`) and writes the charge's
 * `charge.succeeded` outbound event (`event.data`: the charge as written) with the agreement's next sequence. False
 * when anything was not as expected: nothing is written, and the caller takes the locked Prisma path.
 */
export async function settleFirstAttemptPaid(
  db: Database,
  input: {
    agreement: AgreementAsClaimed;
    attemptId: string;
    chargeId: string;
    trade: { tradeNo: string; paidAt: Date };
    amount: string;
    nextDeductDate: CalendarDate;
    at: Date;
    event: { id: string; data: unknown };
  },
): Promise<boolean> {
  const { trade } = input;
  const { rows } = await db.sql.query<{ settled: boolean }>({
    name: "charge-settle-first-attempt-paid",
    text: settleFirstAttemptPaidSql,
    values: [
      ...agreementAsClaimedValues(input.agreement),
      trade.tradeNo,
      trade.paidAt,
      input.attemptId,
      input.at,
      input.chargeId,
      input.amount,
      input.nextDeductDate,
      input.event.id,
      JSON.stringify(input.event.data),
    ],
  });
  return rows[0]?.settled === true;
}
