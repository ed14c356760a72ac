import { randomBytes } from "node:crypto";
import { createDatabase, migrate } from "@paysign/server";
import { inject } from "vitest";

export type E2eDatabase = { url: string; drop(): Promise<void> };

/** A migrated database of its own for one end-to-end file, on the project's PostgreSQL. */
export async function createE2eDatabase(): Promise<E2eDatabase> {
  const adminUrl = inject("e2eAdminDatabaseUrl");
  const name = `paysign_e2e_${randomBytes(6).toString("hex")}`;
  await onAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate({ connectionString: url.toString() });
  return {
    url: url.toString(),
    drop: () => onAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function onAdmin(adminUrl: string, statement: string): Promise<void> {
  const db = createDatabase({ url: adminUrl, poolSize: 1, logger: console });
  try {
    await db.prisma.$executeRawUnsafe(statement);
  } finally {
    await db.close();
  }
}
