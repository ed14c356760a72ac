-- AlterTable
ALTER TABLE "Agreement" ADD COLUMN     "nextSweepAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Agreement_status_nextSweepAt_idx" ON "Agreement"("status", "nextSweepAt");
