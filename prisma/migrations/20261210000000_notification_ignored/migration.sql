-- AlterEnum
ALTER TYPE "NotificationOutcome" ADD VALUE 'IGNORED';
