-- CreateEnum
CREATE TYPE "ReconciliationStatus" AS ENUM ('RUNNING', 'COMPLETED', 'FAILED');

-- CreateEnum
CREATE TYPE "ReconciliationDifferenceKind" AS ENUM ('MISSING_HERE', 'MISSING_AT_ALIPAY', 'AMOUNT_DIFFERS', 'STATUS_DIFFERS', 'DUPLICATE_TRADE');

-- CreateTable
CREATE TABLE "ReconciliationRun" (
    "id" UUID NOT NULL,
    "billDate" DATE NOT NULL,
    "status" "ReconciliationStatus" NOT NULL DEFAULT 'RUNNING',
    "tradeLines" INTEGER NOT NULL DEFAULT 0,
    "refundLines" INTEGER NOT NULL DEFAULT 0,
    "matchedLines" INTEGER NOT NULL DEFAULT 0,
    "differences" INTEGER NOT NULL DEFAULT 0,
    "settled" INTEGER NOT NULL DEFAULT 0,
    "failureReason" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReconciliationRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReconciliationDifference" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "kind" "ReconciliationDifferenceKind" NOT NULL,
    "lineType" TEXT NOT NULL,
    "outTradeNo" TEXT,
    "tradeNo" TEXT,
    "outRequestNo" TEXT,
    "chargeId" UUID,
    "alipayAmount" DECIMAL(12,2),
    "ourAmount" DECIMAL(12,2),
    "alipayStatus" TEXT,
    "ourStatus" TEXT,
    "detail" TEXT NOT NULL,
    "suggestedAction" TEXT NOT NULL,
    "settledAt" TIMESTAMPTZ(3),
    "settlement" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReconciliationDifference_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReconciliationRun_billDate_key" ON "ReconciliationRun"("billDate");

-- CreateIndex
CREATE INDEX "ReconciliationDifference_runId_idx" ON "ReconciliationDifference"("runId");

-- AddForeignKey
ALTER TABLE "ReconciliationDifference" ADD CONSTRAINT "ReconciliationDifference_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ReconciliationRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
