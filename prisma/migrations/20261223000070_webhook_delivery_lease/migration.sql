-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "leaseToken" UUID,
ADD COLUMN     "leaseUntil" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_status_nextAttemptAt_idx" ON "WebhookDelivery"("endpointId", "status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_leaseUntil_idx" ON "WebhookDelivery"("endpointId", "leaseUntil");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_lastAttemptAt_idx" ON "WebhookDelivery"("endpointId", "lastAttemptAt");
