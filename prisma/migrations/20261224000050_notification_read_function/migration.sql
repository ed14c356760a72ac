-- The read of the dut_user_sign / dut_user_unsign notifications arriving together (one statement a batch, see
-- apps/server/src/repositories/agreement-notification-sql.ts) moves into this function, for two faults of the
-- prepared statement it was:
-- - Whether a notify_id is in the inbox was an EXISTS subquery, which the planner may answer by hashing the whole
--   NotificationInbox table once per statement: it did for batches of 20 while the inbox grew to 16,000 rows (6.3 ms
--   of CPU a read, 0.87 ms now). The inbox is now probed by its unique notifyId index, one look-up per notification
--   (a table of a few hundred rows or fewer may still be read whole, where that is the cheaper plan).
-- - It was planned again at every execution: PostgreSQL estimates unnest() of a constant array by its length, so for
--   the few notifications a batch usually holds a custom plan looked cheaper than the generic one (costed for 10) and
--   was kept (a read of 5: 0.97 ms of CPU, 0.44 ms now). The plan does not depend on the batch's size (the calls in
--   order, each row looked up), so plan_cache_mode = force_generic_plan spares the planning; like any cached plan it is
--   made again when the tables' statistics change (ANALYZE, autovacuum).
-- One row per element of the arrays, by its 1-based position: whether the notify_id is in the inbox already, and the
-- agreement named by external_agreement_no, else agreement_no (all columns NULL when none is), with the customer's
-- live agreement for its plan (TEMP, ACTIVE or PAUSED, the oldest) other than it, as the notification write checks it
-- (20261224000030; docs/alipay-protocol.md §17.6).
CREATE FUNCTION "paysign_read_notification_targets"(
    p_notify_ids TEXT[], p_external_agreement_nos TEXT[], p_agreement_nos TEXT[])
RETURNS TABLE (
    "position" BIGINT, "recorded" BOOLEAN, "id" UUID, "status" TEXT, "agreementNo" TEXT,
    "personalProductCode" TEXT, "signScene" TEXT, "alipayUserId" TEXT, "alipayOpenId" TEXT, "hasSignTime" BOOLEAN,
    "hasNextDeductDate" BOOLEAN, "liveSiblingId" UUID, "externalAgreementNo" TEXT, "customerId" UUID, "planId" UUID,
    "alipayStatus" TEXT, "productCode" TEXT, "effectType" "EffectType", "periodType" TEXT, "period" INTEGER,
    "executeDay" TEXT, "singleAmount" DECIMAL(12, 2), "totalAmount" DECIMAL(12, 2), "totalPayments" INTEGER,
    "nextDeductDay" TEXT, "paymentsCount" INTEGER, "paidTotal" DECIMAL(12, 2), "signTime" TIMESTAMPTZ(3),
    "validTime" TIMESTAMPTZ(3), "invalidTime" TIMESTAMPTZ(3), "clientResultStatus" TEXT, "followUpCount" INTEGER,
    "nextFollowUpAt" TIMESTAMPTZ(3), "nextSweepAt" TIMESTAMPTZ(3), "createdAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3))
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
-- (The result columns are named as the table's: a name in the query means the column, not the output variable.)
BEGIN
    RETURN QUERY
    SELECT k."position", r."notifyId" IS NOT NULL, a.*
    FROM unnest(p_notify_ids, p_external_agreement_nos, p_agreement_nos)
         WITH ORDINALITY AS k("notifyId", "externalAgreementNo", "agreementNo", "position")
    LEFT JOIN LATERAL (
        SELECT t."id", t."status"::text, t."agreementNo", t."personalProductCode", t."signScene", t."alipayUserId",
               t."alipayOpenId", t."signTime" IS NOT NULL, t."nextDeductDate" IS NOT NULL,
               (SELECT s."id" FROM "Agreement" s
                WHERE s."customerId" = t."customerId" AND s."planId" = t."planId" AND s."id" <> t."id"
                  AND s."status" IN ('TEMP', 'ACTIVE', 'PAUSED')
                ORDER BY s."createdAt", s."id" LIMIT 1),
               t."externalAgreementNo"::text, t."customerId", t."planId", t."alipayStatus", t."productCode",
               t."effectType", t."periodType"::text, t."period", t."executeTime"::text, t."singleAmount",
               t."totalAmount", t."totalPayments", t."nextDeductDate"::text, t."paymentsCount", t."paidTotal",
               t."signTime", t."validTime", t."invalidTime", t."clientResultStatus", t."followUpCount",
               t."nextFollowUpAt", t."nextSweepAt", t."createdAt", t."updatedAt"
        FROM "Agreement" t
        WHERE t."id" = COALESCE(
            (SELECT e."id" FROM "Agreement" e WHERE e."externalAgreementNo" = k."externalAgreementNo"),
            (SELECT n."id" FROM "Agreement" n WHERE n."agreementNo" = k."agreementNo"))
    ) AS a ON true
    LEFT JOIN LATERAL (
        SELECT i."notifyId" FROM "NotificationInbox" i WHERE i."notifyId" = k."notifyId" LIMIT 1
    ) AS r ON true
    ORDER BY k."position";
END;
$$;
