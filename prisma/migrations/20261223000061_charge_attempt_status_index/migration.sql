-- CreateIndex
CREATE INDEX "ChargeAttempt_status_subCode_idx" ON "ChargeAttempt"("status", "subCode");
