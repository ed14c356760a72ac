-- The batch write of the dut_user_sign / dut_user_unsign notifications arriving together
-- (apps/server/src/repositories/agreement-notification-sql.ts) as set-based statements. Until now it called
-- "paysign_record_agreement_notification" once per notification (20261224000030), and pg_stat_statements over
-- `pnpm bench --only notify` showed what that cost: 0.22 ms a call for the function's own statement, and 0.14 ms more
-- per notification for the call itself (its 40 parameters taken out of the JSON one by one, its start-up, its result).
-- The batch function now writes every call's rows with one statement, and takes each call's parameters once.
--
-- What a call does is unchanged: its inbox row with its outcome, and its transition with its AgreementEvent and its
-- outbound event (the next "eventSequence"), only while its agreement is still as the server read it (its status,
-- every field the decision read, its "updatedAt", and, for a transition decided on the customer's live agreement, that
-- live agreement: docs/alipay-protocol.md §17.6). Each call is answered as before: "unchanged" whether it was written,
-- "inserted" whether its inbox row is new; a call that was not written is decided again by the server from a fresh
-- read (which now also happens in the cases below).
--
-- One statement sees the rows as they were when it began, where the calls one after another each saw the ones before.
-- So a call is written only when no call before it in the batch could have changed what it was decided on: none
-- before it, written or not, with its notify_id; none with a transition of its agreement; and, for a call that checks
-- the customer's live agreement, none with a transition that makes an agreement of the same customer and plan live or
-- no longer live (TEMP, ACTIVE and PAUSED are live; a duplicate's PENDING → ABANDONED changes nothing it checks). The
-- others answer "not unchanged" and are decided again, as they were when a call before them had moved their
-- agreement. Only calls whose agreement is as they read it count as before them: a call that cannot be written
-- changes nothing.
-- At most one call with a transition is written for each agreement, so the UPDATE's join finds one row for each.
--
-- The JSON parameters (the inbox row's params, the event's raw notification, the outbound event's data) may be sent as
-- JSON values, not only as text holding JSON as before: the server no longer writes JSON inside JSON
-- ("paysign_notification_json_parameter" reads both).
-- The locks are taken first, in the same order as in 20261224000040, and the 2 s lock timeout of 20261224000060 is
-- kept. The per-notification function is no longer called and is dropped.
-- A JSON parameter of a call: a JSON object, or null (then SQL NULL); a JSON string is the form of a server started
-- before this migration, text holding the object.
CREATE FUNCTION "paysign_notification_json_parameter"(p_value JSONB)
RETURNS JSONB
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE jsonb_typeof(p_value) WHEN 'string' THEN (p_value #>> '{}')::jsonb
        ELSE NULLIF(p_value, 'null'::jsonb) END
$$;

CREATE OR REPLACE FUNCTION "paysign_record_agreement_notifications"(p_calls JSONB)
RETURNS TABLE ("position" BIGINT, "unchanged" BOOLEAN, "inserted" BOOLEAN)
LANGUAGE plpgsql VOLATILE
SET lock_timeout = '2s'
AS $$
BEGIN
    PERFORM 1 FROM "Agreement" a
    WHERE a."id" = ANY (ARRAY(SELECT (c."call"->>10)::uuid FROM jsonb_array_elements(p_calls) AS c("call")))
    ORDER BY a."id"
    FOR UPDATE;
    PERFORM 1 FROM "Customer" cu
    WHERE cu."id" = ANY (ARRAY(
        SELECT a."customerId" FROM "Agreement" a
        WHERE a."id" = ANY (ARRAY(
            SELECT (c."call"->>10)::uuid FROM jsonb_array_elements(p_calls) AS c("call")
            WHERE (c."call"->>17)::boolean))))
    ORDER BY cu."id"
    FOR NO KEY UPDATE;
    RETURN QUERY
    WITH calls AS MATERIALIZED (
        SELECT e."position",
               (e."call"->>0)::uuid AS inbox_id,
               e."call"->>1 AS notify_id,
               e."call"->>2 AS notify_type,
               e."call"->>3 AS app_id,
               e."call"->>4 AS inbox_agreement_no,
               e."call"->>5 AS inbox_out_trade_no,
               "paysign_notification_json_parameter"(e."call"->6) AS params,
               (e."call"->>7)::"NotificationOutcome" AS outcome,
               e."call"->>8 AS detail,
               (e."call"->>9)::timestamptz AS at,
               (e."call"->>10)::uuid AS agreement_id,
               (e."call"->>11)::"AgreementStatus" AS expected_status,
               e."call"->>12 AS expected_agreement_no,
               e."call"->>13 AS expected_alipay_user_id,
               e."call"->>14 AS expected_alipay_open_id,
               (e."call"->>15)::boolean AS expected_has_sign_time,
               (e."call"->>16)::boolean AS expected_has_next_deduct_date,
               (e."call"->>17)::boolean AS live_sibling_planned,
               (e."call"->>18)::uuid AS live_sibling_id,
               (e."call"->>19)::timestamptz AS expected_updated_at,
               (e."call"->>20)::"AgreementStatus" AS to_status,
               (e."call"->>21)::boolean AS set_alipay_status,
               e."call"->>22 AS alipay_status,
               e."call"->>23 AS agreement_no,
               e."call"->>24 AS alipay_user_id,
               e."call"->>25 AS alipay_open_id,
               (e."call"->>26)::timestamptz AS sign_time,
               (e."call"->>27)::timestamptz AS valid_time,
               (e."call"->>28)::timestamptz AS invalid_time,
               (e."call"->>29)::boolean AS start_deducting,
               (e."call"->>30)::date AS unless_execute_time_before,
               (e."call"->>31)::boolean AS clear_next_follow_up,
               (e."call"->>32)::uuid AS event_id,
               e."call"->>33 AS event_source,
               e."call"->>34 AS event_reason,
               "paysign_notification_json_parameter"(e."call"->35) AS event_raw,
               (e."call"->>36)::uuid AS outbound_id,
               e."call"->>37 AS outbound_type,
               "paysign_notification_json_parameter"(e."call"->38) AS outbound_data,
               (e."call"->>39)::timestamptz AS next_sweep_at
        FROM jsonb_array_elements(p_calls) WITH ORDINALITY AS e("call", "position")
    ), as_read AS MATERIALIZED (
        -- The calls whose agreement is still as read, each looked up by its primary key (LIMIT 1: never a join
        -- the planner could answer by reading the whole table, as 20261224000040 explains).
        SELECT c."position", c.notify_id, c.agreement_id, c.to_status, c.live_sibling_planned,
               t."customerId" AS customer_id, t."planId" AS plan_id,
               c.to_status IS NOT NULL AND (c.expected_status IN ('TEMP', 'ACTIVE', 'PAUSED'))
                   <> (c.to_status IN ('TEMP', 'ACTIVE', 'PAUSED')) AS changes_liveness
        FROM calls c
        CROSS JOIN LATERAL (
            SELECT a."customerId", a."planId" FROM "Agreement" a
            WHERE a."id" = c.agreement_id
              AND a."status" = c.expected_status
              AND a."agreementNo" IS NOT DISTINCT FROM c.expected_agreement_no
              AND a."alipayUserId" IS NOT DISTINCT FROM c.expected_alipay_user_id
              AND a."alipayOpenId" IS NOT DISTINCT FROM c.expected_alipay_open_id
              AND (a."signTime" IS NOT NULL) = c.expected_has_sign_time
              AND (a."nextDeductDate" IS NOT NULL) = c.expected_has_next_deduct_date
              AND (NOT c.live_sibling_planned OR (
                    SELECT s."id" FROM "Agreement" s
                    WHERE s."customerId" = a."customerId" AND s."planId" = a."planId" AND s."id" <> a."id"
                      AND s."status" IN ('TEMP', 'ACTIVE', 'PAUSED')
                    ORDER BY s."createdAt", s."id" LIMIT 1) IS NOT DISTINCT FROM c.live_sibling_id)
              AND a."updatedAt" = c.expected_updated_at
            LIMIT 1) t
    ), written AS MATERIALIZED (
        SELECT c.* FROM calls c
        JOIN as_read r ON r."position" = c."position"
        WHERE NOT EXISTS (
            SELECT 1 FROM as_read b
            WHERE b."position" < r."position"
              AND (b.notify_id = r.notify_id
                   OR (b.to_status IS NOT NULL AND b.agreement_id = r.agreement_id)
                   OR (r.live_sibling_planned AND b.changes_liveness
                       AND b.customer_id = r.customer_id AND b.plan_id = r.plan_id)))
    ), inbox AS (
        INSERT INTO "NotificationInbox" ("id", "notifyId", "notifyType", "appId", "agreementNo", "outTradeNo",
                                         "params", "outcome", "detail", "receivedAt")
        SELECT w.inbox_id, w.notify_id, w.notify_type, w.app_id, w.inbox_agreement_no, w.inbox_out_trade_no, w.params,
               w.outcome, w.detail, w.at
        FROM written w
        ON CONFLICT ("notifyId") DO NOTHING
        RETURNING "notifyId"
    ), updated AS (
        UPDATE "Agreement" u SET
            "status" = w.to_status,
            "alipayStatus" = CASE WHEN w.set_alipay_status THEN w.alipay_status ELSE u."alipayStatus" END,
            "agreementNo" = COALESCE(w.agreement_no, u."agreementNo"),
            "alipayUserId" = COALESCE(w.alipay_user_id, u."alipayUserId"),
            "alipayOpenId" = COALESCE(w.alipay_open_id, u."alipayOpenId"),
            "signTime" = COALESCE(w.sign_time, u."signTime"),
            "validTime" = COALESCE(w.valid_time, u."validTime"),
            "invalidTime" = COALESCE(w.invalid_time, u."invalidTime"),
            "nextDeductDate" = CASE
                WHEN w.start_deducting AND (w.unless_execute_time_before IS NULL
                                            OR u."executeTime" >= w.unless_execute_time_before)
                THEN u."executeTime" ELSE u."nextDeductDate" END,
            "nextFollowUpAt" = CASE WHEN w.clear_next_follow_up THEN NULL ELSE u."nextFollowUpAt" END,
            "nextSweepAt" = COALESCE(w.next_sweep_at, u."nextSweepAt"),
            "eventSequence" = u."eventSequence" + CASE WHEN w.outbound_type IS NULL THEN 0 ELSE 1 END,
            "updatedAt" = w.at
        FROM written w
        -- By primary key too: joined to the calls alone, the whole table was read.
        WHERE u."id" = ANY (ARRAY(SELECT t.agreement_id FROM written t WHERE t.to_status IS NOT NULL))
          AND u."id" = w.agreement_id
          AND w.to_status IS NOT NULL
          AND w.notify_id IN (SELECT i."notifyId" FROM inbox i)
        RETURNING w."position", u."id", u."eventSequence"
    ), event AS (
        INSERT INTO "AgreementEvent" ("id", "agreementId", "fromStatus", "toStatus", "source", "reason", "raw",
                                      "createdAt")
        SELECT w.event_id, d."id", w.expected_status, w.to_status, w.event_source, w.event_reason, w.event_raw, w.at
        FROM updated d JOIN written w ON w."position" = d."position"
    ), outbound AS (
        INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
        SELECT w.outbound_id, w.outbound_type, d."id", d."eventSequence", w.outbound_data,
               pg_current_xact_id()::text::bigint
        FROM updated d JOIN written w ON w."position" = d."position"
        WHERE w.outbound_type IS NOT NULL
    )
    SELECT c."position",
           EXISTS (SELECT 1 FROM written w WHERE w."position" = c."position"),
           EXISTS (SELECT 1 FROM written w JOIN inbox i ON i."notifyId" = w.notify_id
                   WHERE w."position" = c."position")
    FROM calls c
    ORDER BY c."position";
END
$$;

DROP FUNCTION "paysign_record_agreement_notification"(
    UUID, TEXT, TEXT, TEXT, TEXT, TEXT, JSONB, "NotificationOutcome", TEXT, TIMESTAMPTZ, UUID, "AgreementStatus",
    TEXT, TEXT, TEXT, BOOLEAN, BOOLEAN, BOOLEAN, UUID, TIMESTAMPTZ, "AgreementStatus", BOOLEAN, TEXT, TEXT, TEXT,
    TEXT, TIMESTAMPTZ, TIMESTAMPTZ, TIMESTAMPTZ, BOOLEAN, DATE, BOOLEAN, UUID, TEXT, TEXT, JSONB, UUID, TEXT, JSONB,
    TIMESTAMPTZ);
