-- POST /api/v1/agreements in one round trip (apps/server/src/repositories/agreement-create-sql.ts): the customer's
-- row lock, then the live-agreement and PENDING-cap checks and the writes, in one call that commits as it returns,
-- so no network round trip happens while the lock is held. A VOLATILE function takes a fresh snapshot for each of
-- its statements: the checks run after the lock is granted and see whatever the previous holder committed.
-- Answers one row: the PENDING count, the live agreement for the plan (JSON) or null, the created agreement (JSON)
-- or null. Money and dates leave as text, never as JSON numbers.
CREATE FUNCTION "paysign_create_agreement"(
    p_id UUID, p_external_agreement_no TEXT, p_customer_id UUID, p_plan_id UUID, p_alipay_user_id TEXT,
    p_product_code TEXT, p_personal_product_code TEXT, p_sign_scene TEXT, p_effect_type "EffectType",
    p_period_type "PeriodType", p_period INTEGER, p_execute_time DATE, p_single_amount NUMERIC, p_total_amount NUMERIC,
    p_total_payments INTEGER, p_next_follow_up_at TIMESTAMPTZ, p_now TIMESTAMPTZ, p_event_id UUID,
    p_event_source TEXT, p_event_reason TEXT, p_idempotency_id UUID, p_idempotency_scope TEXT,
    p_idempotency_key TEXT, p_request_hash TEXT, p_response_status INTEGER, p_response_body JSONB,
    p_alipay_open_id TEXT, p_live_statuses TEXT[], p_max_pending INTEGER)
RETURNS TABLE ("pending" INTEGER, "live" JSON, "created" JSON)
LANGUAGE sql VOLATILE
AS $$
SELECT 1 FROM "Customer" WHERE "id" = p_customer_id FOR NO KEY UPDATE;
WITH checks AS (
    SELECT (SELECT count(*)::int FROM "Agreement" a
            WHERE a."customerId" = p_customer_id AND a."status" = 'PENDING') AS "pending",
           (SELECT a."id" FROM "Agreement" a
            WHERE a."customerId" = p_customer_id AND a."planId" = p_plan_id AND a."status"::text = ANY(p_live_statuses)
            ORDER BY a."createdAt" DESC LIMIT 1) AS "liveId"
), agreement AS (
    INSERT INTO "Agreement" ("id", "externalAgreementNo", "customerId", "planId", "status", "alipayUserId",
                             "productCode", "personalProductCode", "signScene", "effectType", "periodType", "period",
                             "executeTime", "singleAmount", "totalAmount", "totalPayments", "nextFollowUpAt",
                             "createdAt", "updatedAt", "alipayOpenId")
    SELECT p_id, p_external_agreement_no, p_customer_id, p_plan_id, 'PENDING', p_alipay_user_id, p_product_code,
           p_personal_product_code, p_sign_scene, p_effect_type, p_period_type, p_period, p_execute_time,
           p_single_amount, p_total_amount, p_total_payments, p_next_follow_up_at, p_now, p_now, p_alipay_open_id
    FROM checks WHERE checks."liveId" IS NULL AND checks."pending" < p_max_pending
    RETURNING *
), event AS (
    INSERT INTO "AgreementEvent" ("id", "agreementId", "fromStatus", "toStatus", "source", "reason", "createdAt")
    SELECT p_event_id, agreement."id", NULL, 'PENDING', p_event_source, p_event_reason, p_now FROM agreement
), idempotency AS (
    INSERT INTO "IdempotencyKey" ("id", "scope", "key", "requestHash", "responseStatus", "responseBody", "createdAt")
    SELECT p_idempotency_id, p_idempotency_scope, p_idempotency_key, p_request_hash, p_response_status,
           p_response_body, p_now
    FROM agreement WHERE p_idempotency_key IS NOT NULL
)
SELECT checks."pending",
       (SELECT json_build_object(
            'id', a."id", 'externalAgreementNo', a."externalAgreementNo", 'customerId', a."customerId",
            'planId', a."planId", 'status', a."status"::text, 'agreementNo', a."agreementNo",
            'alipayStatus', a."alipayStatus", 'alipayUserId', a."alipayUserId", 'alipayOpenId', a."alipayOpenId",
            'productCode', a."productCode", 'personalProductCode', a."personalProductCode",
            'signScene', a."signScene", 'effectType', a."effectType"::text, 'periodType', a."periodType"::text,
            'period', a."period", 'executeTime', a."executeTime"::text, 'singleAmount', a."singleAmount"::text,
            'totalAmount', a."totalAmount"::text, 'totalPayments', a."totalPayments",
            'nextDeductDate', a."nextDeductDate"::text, 'paymentsCount', a."paymentsCount",
            'paidTotal', a."paidTotal"::text, 'signTime', a."signTime", 'validTime', a."validTime",
            'invalidTime', a."invalidTime", 'clientResultStatus', a."clientResultStatus",
            'followUpCount', a."followUpCount", 'nextFollowUpAt', a."nextFollowUpAt", 'nextSweepAt', a."nextSweepAt",
            'createdAt', a."createdAt", 'updatedAt', a."updatedAt")
        FROM "Agreement" a WHERE a."id" = checks."liveId") AS "live",
       (SELECT json_build_object(
            'id', a."id", 'externalAgreementNo', a."externalAgreementNo", 'customerId', a."customerId",
            'planId', a."planId", 'status', a."status"::text, 'agreementNo', a."agreementNo",
            'alipayStatus', a."alipayStatus", 'alipayUserId', a."alipayUserId", 'alipayOpenId', a."alipayOpenId",
            'productCode', a."productCode", 'personalProductCode', a."personalProductCode",
            'signScene', a."signScene", 'effectType', a."effectType"::text, 'periodType', a."periodType"::text,
            'period', a."period", 'executeTime', a."executeTime"::text, 'singleAmount', a."singleAmount"::text,
            'totalAmount', a."totalAmount"::text, 'totalPayments', a."totalPayments",
            'nextDeductDate', a."nextDeductDate"::text, 'paymentsCount', a."paymentsCount",
            'paidTotal', a."paidTotal"::text, 'signTime', a."signTime", 'validTime', a."validTime",
            'invalidTime', a."invalidTime", 'clientResultStatus', a."clientResultStatus",
            'followUpCount', a."followUpCount", 'nextFollowUpAt', a."nextFollowUpAt", 'nextSweepAt', a."nextSweepAt",
            'createdAt', a."createdAt", 'updatedAt', a."updatedAt")
        FROM agreement a) AS "created"
FROM checks;
$$;
