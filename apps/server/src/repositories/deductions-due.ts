import type { CalendarDate } from "@paysign/contracts";
import type { Tx } from "./transaction.ts";

/**
 * The periods a scheduler tick charges: ACTIVE agreements whose D is on or before `horizon` (today + lead days) and
 * whose charge for D is missing, or PENDING and due again (or D passed, to mark it PAST_DUE); and PENDING charges of
 * agreements that stopped (neither ACTIVE nor PAUSED / TEMP), which the engine closes as FAILED with the reason.
 */
export function findDuePeriods(
  db: Tx,
  input: { now: Date; today: CalendarDate; horizon: CalendarDate; limit: number },
): Promise<Array<{ agreementId: string; dueDate: Date }>> {
  const { now, today, horizon, limit } = input;
  // The charge of each due agreement is looked up by its (agreementId, dueDate) key (LIMIT 1 keeps the lookup a
  // nested loop: a plain join may be planned as a hash of the whole Charge table, which grows with the history).
  return db.$queryRaw`
    SELECT a.id AS "agreementId", a."nextDeductDate" AS "dueDate"
    FROM "Agreement" a
    LEFT JOIN LATERAL (
      SELECT c.id, c.status, c."nextAttemptAt" FROM "Charge" c
      WHERE c."agreementId" = a.id AND c."dueDate" = a."nextDeductDate"
      LIMIT 1) c ON true
    WHERE a.status = 'ACTIVE' AND a."agreementNo" IS NOT NULL
      AND a."nextDeductDate" IS NOT NULL AND a."nextDeductDate" <= ${horizon}::date
      AND (c.id IS NULL
        OR (c.status = 'PENDING' AND (c."nextAttemptAt" <= ${now} OR a."nextDeductDate" < ${today}::date)))
    UNION
    SELECT c."agreementId", c."dueDate"
    FROM "Charge" c JOIN "Agreement" a ON a.id = c."agreementId"
    WHERE c.status = 'PENDING' AND a.status NOT IN ('ACTIVE', 'PAUSED', 'TEMP')
    ORDER BY "dueDate", "agreementId"
    LIMIT ${limit}`;
}

/**
 * Charges whose outcome must be asked of Alipay: UNKNOWN and due for a query, or PROCESSING past `inFlightUntil`; and
 * charges already settled that still hold an attempt nobody settled (an UNKNOWN one, a PROCESSING one past
 * `inFlightUntil`, or a number not found before D ended, asked once more after D: docs/alipay-protocol.md §15.4); and
 * PENDING charges no tick would reach again: their agreement left ACTIVE for good, or its D moved past them.
 */
export function findUnsettledCharges(
  db: Tx,
  input: { now: Date; limit: number },
): Promise<Array<{ chargeId: string; agreementId: string; dueDate: Date }>> {
  const { now, limit } = input;
  // One branch per case, so each reads only its own rows through an index: the settled history of a large table is
  // never scanned, its branches start from the few attempts that are unsettled or were not found (UNION: a charge
  // may be in both).
  return db.$queryRaw`
    SELECT "chargeId", "agreementId", "dueDate" FROM (
      SELECT c.id AS "chargeId", c."agreementId", c."dueDate", c."nextAttemptAt"
      FROM "Charge" c
      WHERE c.status = 'UNKNOWN' AND c."nextAttemptAt" <= ${now}
      UNION
      SELECT c.id, c."agreementId", c."dueDate", c."nextAttemptAt"
      FROM "Charge" c
      WHERE c.status = 'PROCESSING' AND EXISTS (
        SELECT 1 FROM "ChargeAttempt" t
        WHERE t."chargeId" = c.id AND t.status = 'PROCESSING' AND t."inFlightUntil" < now())
      UNION
      SELECT c.id, c."agreementId", c."dueDate", c."nextAttemptAt"
      FROM "Charge" c
      WHERE c.status = 'PENDING' AND EXISTS (
        SELECT 1 FROM "Agreement" a
        WHERE a.id = c."agreementId"
          AND (a.status NOT IN ('ACTIVE', 'PAUSED', 'TEMP') OR a."nextDeductDate" > c."dueDate"))
      UNION
      SELECT c.id, c."agreementId", c."dueDate", c."nextAttemptAt"
      FROM "Charge" c
      WHERE c.status IN ('SUCCEEDED', 'FAILED', 'PAST_DUE') AND EXISTS (
        SELECT 1 FROM "ChargeAttempt" t
        WHERE t."chargeId" = c.id
          AND (t.status = 'UNKNOWN' OR (t.status = 'PROCESSING' AND t."inFlightUntil" < now())))
      UNION
      SELECT c.id, c."agreementId", c."dueDate", c."nextAttemptAt"
      FROM "Charge" c
      WHERE c.status IN ('PAST_DUE', 'FAILED') AND EXISTS (
        SELECT 1 FROM "ChargeAttempt" t
        WHERE t."chargeId" = c.id AND t.status = 'FAILED' AND t."subCode" = 'ACQ.TRADE_NOT_EXIST'
          AND t."settledAt" < ((c."dueDate" + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
          AND ${now} >= ((c."dueDate" + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
          AND NOT EXISTS (SELECT 1 FROM "ChargeAttempt" later
            WHERE later."outTradeNo" = t."outTradeNo" AND later."requestedAt" > t."requestedAt"))
    ) AS unsettled
    ORDER BY "nextAttemptAt" NULLS FIRST, "chargeId"
    LIMIT ${limit}`;
}
