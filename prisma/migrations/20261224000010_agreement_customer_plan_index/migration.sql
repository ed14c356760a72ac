-- The customer's live agreement for a plan, as a dut_user_sign / dut_user_unsign reads and writes it, is found by this
-- index, one customer and plan at a time, instead of a bitmap of every live agreement in the table.
CREATE INDEX "Agreement_customerId_planId_createdAt_id_idx" ON "Agreement"("customerId", "planId", "createdAt", "id");
