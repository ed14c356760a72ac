-- Session revocation (SECURITY.md): a customer's session tokens carry this version; raising it ends them all.
ALTER TABLE "Customer" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;
