-- CreateTable
CREATE TABLE "RevokedConsoleSession" (
    "tokenDigest" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RevokedConsoleSession_pkey" PRIMARY KEY ("tokenDigest")
);
