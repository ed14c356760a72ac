-- A customer's live agreement for a plan (a dut_user_sign / dut_user_unsign's read and write, a creation) and the
-- customer's PENDING count (a creation) are found by this index, one customer at a time, instead of ANDing a bitmap
-- of every agreement in the table with that status.
CREATE INDEX "Agreement_customerId_status_planId_createdAt_id_idx" ON "Agreement"("customerId", "status", "planId", "createdAt", "id");
