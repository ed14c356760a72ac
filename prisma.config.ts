import path from "node:path";
import { defineConfig } from "prisma/config";

// The datasource URL is only needed by Prisma CLI commands that talk to a database; paysign applies
// migrations with its own migrator (apps/server/src/db/migrator.ts), so `prisma generate` needs none.
export default defineConfig({
  schema: path.join(import.meta.dirname, "prisma", "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "prisma", "migrations") },
});
