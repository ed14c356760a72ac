-- A dut_user_sign / dut_user_unsign decided on the agreement as read, written in one call
-- (apps/server/src/repositories/agreement-notification-sql.ts): PL/pgSQL, so each session plans its statements once
-- and keeps the plans, where the statement sent as text was parsed and planned on every notification.
-- When the transition was decided on the customer's live agreement (p_live_sibling_planned), the agreement's row and
-- then its customer's are locked first, in the order every writer takes them; a VOLATILE function takes a fresh
-- snapshot for each statement, so the write that follows sees every activation committed before the lock was granted.
-- The write locks the agreement only while it is still as read (its status, every field the decision read, its
-- updatedAt), inserts the inbox row (unique notifyId) and, when both happened and a transition was decided, applies
-- it with its AgreementEvent and its outbound WebhookEvent (the agreement's next eventSequence).
-- Answers one row: whether the agreement was as read ("unchanged") and whether the inbox row was inserted.
CREATE FUNCTION "paysign_record_agreement_notification"(
    p_inbox_id UUID, p_notify_id TEXT, p_notify_type TEXT, p_app_id TEXT, p_inbox_agreement_no TEXT,
    p_inbox_out_trade_no TEXT, p_params JSONB, p_outcome "NotificationOutcome", p_detail TEXT, p_now TIMESTAMPTZ,
    p_agreement_id UUID, p_expected_status "AgreementStatus", p_expected_agreement_no TEXT,
    p_expected_alipay_user_id TEXT, p_expected_alipay_open_id TEXT, p_expected_has_sign_time BOOLEAN,
    p_expected_has_next_deduct_date BOOLEAN, p_live_sibling_planned BOOLEAN, p_live_sibling_id UUID,
    p_expected_updated_at TIMESTAMPTZ, p_to_status "AgreementStatus", p_set_alipay_status BOOLEAN,
    p_alipay_status TEXT, p_agreement_no TEXT, p_alipay_user_id TEXT, p_alipay_open_id TEXT, p_sign_time TIMESTAMPTZ,
    p_valid_time TIMESTAMPTZ, p_invalid_time TIMESTAMPTZ, p_start_deducting BOOLEAN,
    p_unless_execute_time_before DATE, p_clear_next_follow_up BOOLEAN, p_event_id UUID, p_event_source TEXT,
    p_event_reason TEXT, p_event_raw JSONB, p_outbound_id UUID, p_outbound_type TEXT, p_outbound_data JSONB)
RETURNS TABLE ("unchanged" BOOLEAN, "inserted" BOOLEAN)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    IF p_live_sibling_planned THEN
        PERFORM 1 FROM "Customer" c
        WHERE c."id" = (SELECT a."customerId" FROM "Agreement" a WHERE a."id" = p_agreement_id FOR UPDATE)
        FOR NO KEY UPDATE;
    END IF;
    RETURN QUERY
    WITH target AS (
        SELECT t."id" FROM "Agreement" t
        WHERE t."id" = p_agreement_id
          AND t."status" = p_expected_status
          AND t."agreementNo" IS NOT DISTINCT FROM p_expected_agreement_no
          AND t."alipayUserId" IS NOT DISTINCT FROM p_expected_alipay_user_id
          AND t."alipayOpenId" IS NOT DISTINCT FROM p_expected_alipay_open_id
          AND (t."signTime" IS NOT NULL) = p_expected_has_sign_time
          AND (t."nextDeductDate" IS NOT NULL) = p_expected_has_next_deduct_date
          AND (NOT p_live_sibling_planned OR (
                SELECT s."id" FROM "Agreement" s
                WHERE s."customerId" = t."customerId" AND s."planId" = t."planId" AND s."id" <> t."id"
                  AND s."status" IN ('TEMP', 'ACTIVE', 'PAUSED')
                ORDER BY s."createdAt", s."id" LIMIT 1) IS NOT DISTINCT FROM p_live_sibling_id)
          AND t."updatedAt" = p_expected_updated_at
        FOR UPDATE
    ), inbox AS (
        INSERT INTO "NotificationInbox" ("id", "notifyId", "notifyType", "appId", "agreementNo", "outTradeNo",
                                         "params", "outcome", "detail", "receivedAt")
        SELECT p_inbox_id, p_notify_id, p_notify_type, p_app_id, p_inbox_agreement_no, p_inbox_out_trade_no, p_params,
               p_outcome, p_detail, p_now
        FROM target
        ON CONFLICT ("notifyId") DO NOTHING
        RETURNING 1
    ), updated AS (
        UPDATE "Agreement" u SET
            "status" = p_to_status,
            "alipayStatus" = CASE WHEN p_set_alipay_status THEN p_alipay_status ELSE u."alipayStatus" END,
            "agreementNo" = COALESCE(p_agreement_no, u."agreementNo"),
            "alipayUserId" = COALESCE(p_alipay_user_id, u."alipayUserId"),
            "alipayOpenId" = COALESCE(p_alipay_open_id, u."alipayOpenId"),
            "signTime" = COALESCE(p_sign_time, u."signTime"),
            "validTime" = COALESCE(p_valid_time, u."validTime"),
            "invalidTime" = COALESCE(p_invalid_time, u."invalidTime"),
            "nextDeductDate" = CASE
                WHEN p_start_deducting AND (p_unless_execute_time_before IS NULL
                                            OR u."executeTime" >= p_unless_execute_time_before)
                THEN u."executeTime" ELSE u."nextDeductDate" END,
            "nextFollowUpAt" = CASE WHEN p_clear_next_follow_up THEN NULL ELSE u."nextFollowUpAt" END,
            "eventSequence" = u."eventSequence" + CASE WHEN p_outbound_type IS NULL THEN 0 ELSE 1 END,
            "updatedAt" = p_now
        WHERE p_to_status IS NOT NULL
          AND u."id" = (SELECT target."id" FROM target)
          AND EXISTS (SELECT 1 FROM inbox)
        RETURNING u."id", u."eventSequence"
    ), event AS (
        INSERT INTO "AgreementEvent" ("id", "agreementId", "fromStatus", "toStatus", "source", "reason", "raw",
                                      "createdAt")
        SELECT p_event_id, updated."id", p_expected_status, p_to_status, p_event_source, p_event_reason, p_event_raw,
               p_now
        FROM updated
    ), outbound AS (
        INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
        SELECT p_outbound_id, p_outbound_type, updated."id", updated."eventSequence", p_outbound_data,
               pg_current_xact_id()::text::bigint
        FROM updated WHERE p_outbound_type IS NOT NULL
    )
    SELECT EXISTS (SELECT 1 FROM target), EXISTS (SELECT 1 FROM inbox);
END
$$;
