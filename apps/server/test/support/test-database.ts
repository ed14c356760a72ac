import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "../../src/db/migrator.ts";
import { createDatabase, type Database, type PoolLogger } from "../../src/db/prisma.ts";
import type { StatementBatchReport } from "../../src/db/statement-batches.ts";

export type TestDatabase = { url: string; db: Database; drop(): Promise<void> };

export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * An empty database of its own for one test file; `migrated: false` leaves it without tables. `observeStatementBatch`
 * hears of the batches of its batched statements (the stack's metrics); `logger` gets the pool's and the batches'
 * warnings (`console` by default).
 */
export async function createTestDatabase(
  options: {
    migrated?: boolean;
    observeStatementBatch?: (batch: StatementBatchReport) => void;
    logger?: PoolLogger;
  } = {},
): Promise<TestDatabase> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `paysign_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrlFor(adminUrl, name);
  if (options.migrated !== false) await migrate({ connectionString: url });
  const db = createDatabase({
    url,
    poolSize: 5,
    logger: options.logger ?? console,
    observeStatementBatch: options.observeStatementBatch,
  });
  return {
    url,
    db,
    drop: async () => {
      await db.close();
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
