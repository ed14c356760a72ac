-- CreateEnum
CREATE TYPE "PeriodType" AS ENUM ('DAY', 'MONTH');

-- CreateEnum
CREATE TYPE "EffectType" AS ENUM ('DIRECT', 'NOTICE');

-- CreateEnum
CREATE TYPE "AgreementStatus" AS ENUM ('PENDING', 'TEMP', 'ACTIVE', 'PAUSED', 'UNSIGNED', 'EXPIRED', 'COMPLETED', 'FAILED', 'ABANDONED');

-- CreateEnum
CREATE TYPE "ChargeStatus" AS ENUM ('PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'UNKNOWN', 'PAST_DUE');

-- CreateEnum
CREATE TYPE "AttemptStatus" AS ENUM ('PROCESSING', 'SUCCEEDED', 'FAILED', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "NotificationOutcome" AS ENUM ('APPLIED', 'NO_CHANGE', 'UNKNOWN_TARGET', 'MISMATCH');

-- CreateTable
CREATE TABLE "Customer" (
    "id" UUID NOT NULL,
    "alipayUserId" TEXT,
    "alipayOpenId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Plan" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "productCode" TEXT NOT NULL,
    "personalProductCode" TEXT NOT NULL,
    "signScene" TEXT NOT NULL,
    "periodType" "PeriodType" NOT NULL,
    "period" INTEGER NOT NULL,
    "singleAmount" DECIMAL(12,2) NOT NULL,
    "totalAmount" DECIMAL(12,2),
    "totalPayments" INTEGER,
    "firstChargeDelayDays" INTEGER NOT NULL DEFAULT 0,
    "effectType" "EffectType" NOT NULL DEFAULT 'DIRECT',
    "signValidityPeriod" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Agreement" (
    "id" UUID NOT NULL,
    "externalAgreementNo" VARCHAR(32) NOT NULL,
    "customerId" UUID NOT NULL,
    "planId" UUID NOT NULL,
    "status" "AgreementStatus" NOT NULL DEFAULT 'PENDING',
    "agreementNo" TEXT,
    "alipayStatus" TEXT,
    "alipayUserId" TEXT,
    "productCode" TEXT NOT NULL,
    "personalProductCode" TEXT NOT NULL,
    "signScene" TEXT NOT NULL,
    "effectType" "EffectType" NOT NULL,
    "periodType" "PeriodType" NOT NULL,
    "period" INTEGER NOT NULL,
    "executeTime" DATE NOT NULL,
    "singleAmount" DECIMAL(12,2) NOT NULL,
    "totalAmount" DECIMAL(12,2),
    "totalPayments" INTEGER,
    "nextDeductDate" DATE,
    "paymentsCount" INTEGER NOT NULL DEFAULT 0,
    "paidTotal" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "signTime" TIMESTAMPTZ(3),
    "validTime" TIMESTAMPTZ(3),
    "invalidTime" TIMESTAMPTZ(3),
    "clientResultStatus" TEXT,
    "followUpCount" INTEGER NOT NULL DEFAULT 0,
    "nextFollowUpAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Agreement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementEvent" (
    "id" UUID NOT NULL,
    "agreementId" UUID NOT NULL,
    "fromStatus" "AgreementStatus",
    "toStatus" "AgreementStatus" NOT NULL,
    "source" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "raw" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgreementEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationInbox" (
    "id" UUID NOT NULL,
    "notifyId" TEXT NOT NULL,
    "notifyType" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "agreementNo" TEXT,
    "outTradeNo" TEXT,
    "outcome" "NotificationOutcome" NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',
    "params" JSONB NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationInbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Charge" (
    "id" UUID NOT NULL,
    "agreementId" UUID NOT NULL,
    "dueDate" DATE NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "status" "ChargeStatus" NOT NULL DEFAULT 'PENDING',
    "tradeNo" TEXT,
    "paidAt" TIMESTAMPTZ(3),
    "failureCode" TEXT,
    "failureReason" TEXT,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Charge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChargeAttempt" (
    "id" UUID NOT NULL,
    "chargeId" UUID NOT NULL,
    "outTradeNo" VARCHAR(64) NOT NULL,
    "status" "AttemptStatus" NOT NULL DEFAULT 'PROCESSING',
    "subCode" TEXT,
    "subMsg" TEXT,
    "tradeNo" TEXT,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settledAt" TIMESTAMPTZ(3),

    CONSTRAINT "ChargeAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyKey" (
    "id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "responseStatus" INTEGER NOT NULL,
    "responseBody" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Customer_alipayUserId_key" ON "Customer"("alipayUserId");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_alipayOpenId_key" ON "Customer"("alipayOpenId");

-- CreateIndex
CREATE UNIQUE INDEX "Agreement_externalAgreementNo_key" ON "Agreement"("externalAgreementNo");

-- CreateIndex
CREATE UNIQUE INDEX "Agreement_agreementNo_key" ON "Agreement"("agreementNo");

-- CreateIndex
CREATE INDEX "Agreement_customerId_createdAt_idx" ON "Agreement"("customerId", "createdAt");

-- CreateIndex
CREATE INDEX "Agreement_status_nextDeductDate_idx" ON "Agreement"("status", "nextDeductDate");

-- CreateIndex
CREATE INDEX "Agreement_status_nextFollowUpAt_idx" ON "Agreement"("status", "nextFollowUpAt");

-- CreateIndex
CREATE INDEX "AgreementEvent_agreementId_createdAt_idx" ON "AgreementEvent"("agreementId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationInbox_notifyId_key" ON "NotificationInbox"("notifyId");

-- CreateIndex
CREATE INDEX "NotificationInbox_agreementNo_idx" ON "NotificationInbox"("agreementNo");

-- CreateIndex
CREATE INDEX "NotificationInbox_outTradeNo_idx" ON "NotificationInbox"("outTradeNo");

-- CreateIndex
CREATE UNIQUE INDEX "Charge_tradeNo_key" ON "Charge"("tradeNo");

-- CreateIndex
CREATE INDEX "Charge_status_nextAttemptAt_idx" ON "Charge"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "Charge_agreementId_dueDate_key" ON "Charge"("agreementId", "dueDate");

-- CreateIndex
CREATE UNIQUE INDEX "ChargeAttempt_outTradeNo_key" ON "ChargeAttempt"("outTradeNo");

-- CreateIndex
CREATE INDEX "ChargeAttempt_chargeId_requestedAt_idx" ON "ChargeAttempt"("chargeId", "requestedAt");

-- CreateIndex
CREATE UNIQUE INDEX "IdempotencyKey_scope_key_key" ON "IdempotencyKey"("scope", "key");

-- AddForeignKey
ALTER TABLE "Agreement" ADD CONSTRAINT "Agreement_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Agreement" ADD CONSTRAINT "Agreement_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgreementEvent" ADD CONSTRAINT "AgreementEvent_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "Agreement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Charge" ADD CONSTRAINT "Charge_agreementId_fkey" FOREIGN KEY ("agreementId") REFERENCES "Agreement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChargeAttempt" ADD CONSTRAINT "ChargeAttempt_chargeId_fkey" FOREIGN KEY ("chargeId") REFERENCES "Charge"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
