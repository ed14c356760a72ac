import type { Database } from "../db/prisma.ts";
import { inboxRowValues, type InboxRow } from "./agreement-notification-sql.ts";

// The raw-SQL record of a trade_status_sync that reports a trade our engine has already settled as paid (mostly the
// engine's own trade, whose pay answer came first): one statement instead of the Prisma transaction of
// deductions/trade-notification.ts, which it answers the same way. Columns are Prisma's (prisma/schema.prisma).

const recordSettledSql = `
WITH attempt AS (
  SELECT "id", "status", "tradeNo", "chargeId", "requestedAt" FROM "ChargeAttempt"
  WHERE "outTradeNo" = $11
  ORDER BY ("status" IN ('PROCESSING', 'UNKNOWN')) DESC, "requestedAt" DESC, "id" DESC
  LIMIT 1
), settled AS (
  SELECT 1 FROM attempt t
  JOIN "Charge" c ON c."id" = t."chargeId"
  JOIN "Agreement" a ON a."id" = c."agreementId"
  WHERE t."status" = 'SUCCEEDED' AND t."tradeNo" = $12 AND c."amount" = $13::numeric
    AND ($14::text IS NULL OR a."agreementNo" = $14::text)
), inbox AS (
  INSERT INTO "NotificationInbox" ("id", "notifyId", "notifyType", "appId", "agreementNo", "outTradeNo", "params",
    "outcome", "detail", "receivedAt")
  SELECT $1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::"NotificationOutcome", $9, $10::timestamptz FROM settled
  ON CONFLICT ("notifyId") DO NOTHING
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM settled) AS "settled", EXISTS (SELECT 1 FROM inbox) AS "inserted",
       (SELECT "requestedAt" FROM attempt WHERE "status" = 'PROCESSING') AS "processingSince"`;

/**
 * What recordSettledTradeNotification did: recorded the inbox row, found its notify_id recorded already, or wrote
 * nothing because the attempt is not settled as paid with this trade — `processingSince` (its requestedAt) when the
 * attempt is still PROCESSING, its pay in flight or its answer being settled (by this process or another).
 */
export type SettledTradeRecord = "recorded" | "duplicate" | { notSettled: { processingSince: Date | null } };

/**
 * One statement, no lock (an attempt never leaves SUCCEEDED, a charge's amount never changes): when the attempt this
 * out_trade_no settles (its open one, else its latest — as findAttemptIdByOutTradeNo picks) is SUCCEEDED with
 * `tradeNo`, its charge's amount is `amount` (yuan) and its agreement's agreement_no is `agreementNo` (when given),
 * inserts the inbox row with `outcome` and `detail` (unique notify_id). Otherwise it writes nothing.
 */
export async function recordSettledTradeNotification(
  db: Database,
  input: {
    inbox: InboxRow;
    outcome: "NO_CHANGE";
    detail: string;
    trade: { outTradeNo: string; tradeNo: string; amount: string; agreementNo: string | null };
  },
): Promise<SettledTradeRecord> {
  const { inbox, trade } = input;
  const { rows } = await db.sql.query<{ settled: boolean; inserted: boolean; processingSince: Date | null }>({
    name: "trade-notify-record-settled",
    text: recordSettledSql,
    values: [
      ...inboxRowValues(inbox, { outcome: input.outcome, detail: input.detail, receivedAt: new Date() }),
      trade.outTradeNo,
      trade.tradeNo,
      trade.amount,
      trade.agreementNo,
    ],
  });
  const row = rows[0];
  if (!row?.settled) return { notSettled: { processingSince: row?.processingSince ?? null } };
  return row.inserted ? "recorded" : "duplicate";
}
