-- CreateTable
CREATE TABLE "WebhookDispatchCursor" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "txid" BIGINT NOT NULL DEFAULT 0,
    "position" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDispatchCursor_pkey" PRIMARY KEY ("id")
);

-- The one row the dispatcher moves forward (apps/server/src/webhooks/dispatcher.ts).
INSERT INTO "WebhookDispatchCursor" ("id") VALUES (1);
