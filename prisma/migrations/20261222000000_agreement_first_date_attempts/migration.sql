-- AlterTable
ALTER TABLE "Agreement" ADD COLUMN     "firstDateAttempts" INTEGER NOT NULL DEFAULT 0;
