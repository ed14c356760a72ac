import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

// Prisma's own bookkeeping table, created exactly as `prisma migrate deploy` creates it, so that both tools agree
// on what has been applied. paysign applies migrations itself because the Prisma CLI needs a schema-engine binary
// that cannot be downloaded everywhere (see ARCHITECTURE.md).
const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// Any constant works; it only has to be the same for every process migrating this database.
const advisoryLockKey = 72_707_370_001;

// The build copies prisma/migrations to dist/migrations, so a production install (which has no prisma/ folder) carries
// them; from the sources, the repository's own folder.
const bundledMigrationsDir = path.resolve(import.meta.dirname, "../migrations");
export const defaultMigrationsDir = existsSync(bundledMigrationsDir)
  ? bundledMigrationsDir
  : path.resolve(import.meta.dirname, "../../../../prisma/migrations");

export type Migration = { name: string; file: string; sql: string; checksum: string };

export type MigrateOptions = {
  connectionString: string;
  migrationsDir?: string;
  log?: (line: string) => void;
};

export class MigrationError extends Error {
  override name = "MigrationError";
}

export function readMigrations(migrationsDir: string): Migration[] {
  if (!existsSync(migrationsDir)) throw new MigrationError(`No migrations folder at ${migrationsDir}.`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      if (!existsSync(file)) throw new MigrationError(`Migration folder ${name} has no migration.sql (${file}).`);
      const sql = readFileSync(file, "utf8");
      return { name, file, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

type AppliedRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

/**
 * Applies pending migrations in name order, each in its own transaction, under a PostgreSQL advisory lock so that
 * any number of processes may start at once. Refuses to run when an applied migration's file has changed.
 */
export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const log = options.log ?? (() => {});
  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [advisoryLockKey]);
    await client.query(createMigrationsTable);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const pending = pendingMigrations(migrations, rows, log);
    for (const migration of pending) {
      await applyMigration(client, migration);
      log(`migration applied: ${migration.name}`);
    }
    return { applied: pending.map((migration) => migration.name) };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [advisoryLockKey]).catch(() => {});
    await client.end();
  }
}

function pendingMigrations(migrations: Migration[], rows: AppliedRow[], log: (line: string) => void): Migration[] {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const unfinished = live.find((row) => row.finished_at === null);
  if (unfinished) {
    throw new MigrationError(
      `Migration ${unfinished.migration_name} started but never finished. Repair the database by hand, then mark it ` +
        `rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${unfinished.migration_name}').`,
    );
  }
  const applied = new Map(live.map((row) => [row.migration_name, row.checksum]));
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new MigrationError(
        `Migration ${migration.name} was changed after it was applied: ${migration.file} no longer matches the ` +
          `checksum recorded in _prisma_migrations. Restore the file and put the change in a new migration.`,
      );
    }
  }
  const known = new Set(migrations.map((migration) => migration.name));
  for (const name of applied.keys()) {
    if (!known.has(name)) log(`warning: applied migration ${name} has no folder here (a newer checkout applied it?)`);
  }
  return migrations.filter((migration) => !applied.has(migration.name));
}

async function applyMigration(client: pg.Client, migration: Migration): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
       VALUES ($1, $2, now(), $3, 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
