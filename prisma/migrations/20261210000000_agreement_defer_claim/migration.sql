-- AlterTable
ALTER TABLE "Agreement" ADD COLUMN     "deferClaimedUntil" TIMESTAMPTZ(3);
