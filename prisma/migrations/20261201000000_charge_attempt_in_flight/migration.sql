-- AlterTable
ALTER TABLE "ChargeAttempt" ADD COLUMN     "inFlightUntil" TIMESTAMPTZ(3);
