-- The batch notification write (20261224000030) took its locks with a hash join of the calls against a sequential
-- scan of the whole "Agreement" table (and, for the customers, of "Agreement" and "Customer"): the planner guesses a
-- set-returning function yields 100 rows, and up to several thousand agreements a scan looked cheaper than 100 index
-- look-ups. Every batch then read every agreement (and customer) row: 4 to 5 ms a batch at 4,400 agreements
-- (auto_explain in `pnpm bench --only notify`). The ids are now collected into an array first, and "id" = ANY (array)
-- is answered from the primary keys, one look-up per call; only a table of a few pages may still be read whole, where
-- that is the cheaper plan. Locks, their order and everything else are as in 20261224000030.
CREATE OR REPLACE FUNCTION "paysign_record_agreement_notifications"(p_calls JSONB)
RETURNS TABLE ("position" BIGINT, "unchanged" BOOLEAN, "inserted" BOOLEAN)
LANGUAGE plpgsql VOLATILE
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
