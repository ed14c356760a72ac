-- The batch write of the dut_user_sign / dut_user_unsign notifications arriving together
-- (apps/server/src/repositories/agreement-notification-sql.ts) waits at most 2 s for any lock, its agreements' and
-- customers' row locks first of all. Only one such batch is at the database at a time (a default pool of 10), so a
-- row held by a long transaction (an operator's session left open, a stuck client) would otherwise hold back every
-- notification write behind it for as long as it is held. After 2 s the batch fails (lock_not_available, 55P03) and
-- nothing of it is written; the server runs its notifications again one by one, and only the one whose agreement is
-- still held fails: it is answered `fail`, and Alipay delivers it again later (docs/alipay-protocol.md §10.6). The
-- setting holds for the function's call only, the per-notification function it calls included.
ALTER FUNCTION "paysign_record_agreement_notifications"(JSONB) SET lock_timeout = '2s';
