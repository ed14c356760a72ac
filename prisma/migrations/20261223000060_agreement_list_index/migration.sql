-- CreateIndex
CREATE INDEX "Agreement_createdAt_id_idx" ON "Agreement"("createdAt", "id");
