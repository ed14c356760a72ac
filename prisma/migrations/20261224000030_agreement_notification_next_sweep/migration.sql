-- A dut_user_sign that makes a PENDING or TEMP agreement ACTIVE also sets when the agreement sweep next asks Alipay
-- about it (apps/server/src/domain/sweep-schedule.ts): the verified notification already told what the sweep's
-- agreement.query would, so the sweep's next round no longer queries every fresh signing.
-- "paysign_record_agreement_notification" takes p_next_sweep_at (NULL leaves "nextSweepAt" as it is) and is otherwise
-- as in 20261224000000; the batch function passes each call's 40th parameter, as in 20261224000020 otherwise. A call
-- list of 39 (a server started before this migration) leaves "nextSweepAt" as it is.
DROP FUNCTION "paysign_record_agreement_notification"(
    UUID, TEXT, TEXT, TEXT, TEXT, TEXT, JSONB, "NotificationOutcome", TEXT, TIMESTAMPTZ, UUID, "AgreementStatus",
    TEXT, TEXT, TEXT, BOOLEAN, BOOLEAN, BOOLEAN, UUID, TIMESTAMPTZ, "AgreementStatus", BOOLEAN, TEXT, TEXT, TEXT,
    TEXT, TIMESTAMPTZ, TIMESTAMPTZ, TIMESTAMPTZ, BOOLEAN, DATE, BOOLEAN, UUID, TEXT, TEXT, JSONB, UUID, TEXT, JSONB);
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
    p_event_reason TEXT, p_event_raw JSONB, p_outbound_id UUID, p_outbound_type TEXT, p_outbound_data JSONB,
    p_next_sweep_at TIMESTAMPTZ)
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
            "nextSweepAt" = COALESCE(p_next_sweep_at, u."nextSweepAt"),
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

CREATE OR REPLACE FUNCTION "paysign_record_agreement_notifications"(p_calls JSONB)
RETURNS TABLE ("position" BIGINT, "unchanged" BOOLEAN, "inserted" BOOLEAN)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    PERFORM 1 FROM "Agreement" a
    WHERE a."id" IN (SELECT (c."call"->>10)::uuid FROM jsonb_array_elements(p_calls) AS c("call"))
    ORDER BY a."id"
    FOR UPDATE;
    PERFORM 1 FROM "Customer" cu
    WHERE cu."id" IN (
        SELECT a."customerId" FROM "Agreement" a
        JOIN jsonb_array_elements(p_calls) AS c("call") ON a."id" = (c."call"->>10)::uuid
        WHERE (c."call"->>17)::boolean)
    ORDER BY cu."id"
    FOR NO KEY UPDATE;
    RETURN QUERY
    SELECT e."position", r."unchanged", r."inserted"
    FROM jsonb_array_elements(p_calls) WITH ORDINALITY AS e("call", "position")
    CROSS JOIN LATERAL "paysign_record_agreement_notification"(
        p_inbox_id => (e."call"->>0)::uuid,
        p_notify_id => e."call"->>1,
        p_notify_type => e."call"->>2,
        p_app_id => e."call"->>3,
        p_inbox_agreement_no => e."call"->>4,
        p_inbox_out_trade_no => e."call"->>5,
        p_params => (e."call"->>6)::jsonb,
        p_outcome => (e."call"->>7)::"NotificationOutcome",
        p_detail => e."call"->>8,
        p_now => (e."call"->>9)::timestamptz,
        p_agreement_id => (e."call"->>10)::uuid,
        p_expected_status => (e."call"->>11)::"AgreementStatus",
        p_expected_agreement_no => e."call"->>12,
        p_expected_alipay_user_id => e."call"->>13,
        p_expected_alipay_open_id => e."call"->>14,
        p_expected_has_sign_time => (e."call"->>15)::boolean,
        p_expected_has_next_deduct_date => (e."call"->>16)::boolean,
        p_live_sibling_planned => (e."call"->>17)::boolean,
        p_live_sibling_id => (e."call"->>18)::uuid,
        p_expected_updated_at => (e."call"->>19)::timestamptz,
        p_to_status => (e."call"->>20)::"AgreementStatus",
        p_set_alipay_status => (e."call"->>21)::boolean,
        p_alipay_status => e."call"->>22,
        p_agreement_no => e."call"->>23,
        p_alipay_user_id => e."call"->>24,
        p_alipay_open_id => e."call"->>25,
        p_sign_time => (e."call"->>26)::timestamptz,
        p_valid_time => (e."call"->>27)::timestamptz,
        p_invalid_time => (e."call"->>28)::timestamptz,
        p_start_deducting => (e."call"->>29)::boolean,
        p_unless_execute_time_before => (e."call"->>30)::date,
        p_clear_next_follow_up => (e."call"->>31)::boolean,
        p_event_id => (e."call"->>32)::uuid,
        p_event_source => e."call"->>33,
        p_event_reason => e."call"->>34,
        p_event_raw => (e."call"->>35)::jsonb,
        p_outbound_id => (e."call"->>36)::uuid,
        p_outbound_type => e."call"->>37,
        p_outbound_data => (e."call"->>38)::jsonb,
        p_next_sweep_at => (e."call"->>39)::timestamptz) AS r
    ORDER BY e."position";
END;
$$;
