-- The batch write of the dut_user_sign / dut_user_unsign notifications (20261224000070) keeps one plan of its
-- statements for each connection, as the read does (20261224000050). PostgreSQL planned its ten-CTE statement anew at
-- every call: pg_stat_statements over batches of 12 on a database of 50,000 agreements showed 0.83–0.91 ms of planning
-- a call, and 0.06–0.08 ms for each lock statement, in a function call of 5.0–5.3 ms. The plan does not depend on what
-- a batch holds: the calls are read from one JSON parameter, whose length the planner cannot see (it assumes 100 calls
-- either way), and each agreement and customer is looked up by its primary key. With the generic plan the same calls
-- took 3.9–4.1 ms, with the same plan. Like any cached plan, it is made again when the tables' statistics change
-- (ANALYZE, autovacuum), and each pooled connection makes its own.
ALTER FUNCTION "paysign_record_agreement_notifications"(JSONB) SET plan_cache_mode = force_generic_plan;
