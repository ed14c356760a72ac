-- DropIndex
DROP INDEX "ChargeAttempt_outTradeNo_key";

-- CreateIndex
CREATE INDEX "ChargeAttempt_outTradeNo_idx" ON "ChargeAttempt"("outTradeNo");
