-- CreateEnum
CREATE TYPE "RefundStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "RefundSource" AS ENUM ('PAYSIGN', 'OUTSIDE');

-- CreateTable
CREATE TABLE "Refund" (
    "id" UUID NOT NULL,
    "chargeId" UUID NOT NULL,
    "tradeNo" TEXT NOT NULL,
    "outRequestNo" VARCHAR(64) NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "reason" TEXT,
    "status" "RefundStatus" NOT NULL DEFAULT 'PENDING',
    "source" "RefundSource" NOT NULL DEFAULT 'PAYSIGN',
    "idempotencyKey" TEXT,
    "subCode" TEXT,
    "subMsg" TEXT,
    "refundedAt" TIMESTAMPTZ(3),
    "nextQueryAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RefundAttempt" (
    "id" UUID NOT NULL,
    "refundId" UUID NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "status" "AttemptStatus" NOT NULL DEFAULT 'PROCESSING',
    "subCode" TEXT,
    "subMsg" TEXT,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settledAt" TIMESTAMPTZ(3),
    "inFlightUntil" TIMESTAMPTZ(3),

    CONSTRAINT "RefundAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Refund_tradeNo_outRequestNo_key" ON "Refund"("tradeNo", "outRequestNo");

-- CreateIndex
CREATE UNIQUE INDEX "Refund_chargeId_idempotencyKey_key" ON "Refund"("chargeId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Refund_status_nextQueryAt_idx" ON "Refund"("status", "nextQueryAt");

-- CreateIndex
CREATE INDEX "Refund_createdAt_idx" ON "Refund"("createdAt");

-- CreateIndex
CREATE INDEX "RefundAttempt_refundId_requestedAt_idx" ON "RefundAttempt"("refundId", "requestedAt");

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_chargeId_fkey" FOREIGN KEY ("chargeId") REFERENCES "Charge"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundAttempt" ADD CONSTRAINT "RefundAttempt_refundId_fkey" FOREIGN KEY ("refundId") REFERENCES "Refund"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
