import { execFile } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { defaultMigrationsDir, migrate, readMigrations } from "../src/db/migrator.ts";
import { defined, tempDir } from "@paysign/test-kit";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

const run = promisify(execFile);
const serverDir = path.resolve(import.meta.dirname, "..");
const opened: TestDatabase[] = [];

async function emptyDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ migrated: false });
  opened.push(database);
  return database;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.drop()));
});

describe("migrator", () => {
  test("applies every migration to an empty database, then nothing on a second run", async () => {
    const { url } = await emptyDatabase();
    const all = readMigrations(defaultMigrationsDir).map((migration) => migration.name);
    expect(all.length).toBeGreaterThan(0);

    expect((await migrate({ connectionString: url })).applied).toEqual(all);
    expect((await migrate({ connectionString: url })).applied).toEqual([]);

    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((row) => row.table_name)).toContain("Agreement");
  });

  test("records rows with Prisma's columns and the sha256 checksum of each file", async () => {
    const { url } = await emptyDatabase();
    await migrate({ connectionString: url });
    const columns = await query<{ column_name: string }>(
      url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position",
    );
    expect(columns.map((row) => row.column_name)).toEqual([
      "id",
      "checksum",
      "finished_at",
      "migration_name",
      "logs",
      "rolled_back_at",
      "started_at",
      "applied_steps_count",
    ]);
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(url, `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`);
    for (const migration of readMigrations(defaultMigrationsDir)) {
      const row = rows.find((candidate) => candidate.migration_name === migration.name);
      expect(row?.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row?.checksum).toBe(
        (await import("node:crypto")).createHash("sha256").update(readFileSync(migration.file)).digest("hex"),
      );
      expect(row?.finished_at).toBeInstanceOf(Date);
      expect(row?.applied_steps_count).toBe(1);
    }
  });

  test("two processes starting at once apply each migration exactly once", async () => {
    const { url } = await emptyDatabase();
    const start = () =>
      run(process.execPath, ["--import", "tsx", "--conditions=@paysign/source", "scripts/db-migrate.ts"], {
        cwd: serverDir,
        env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "info" },
      });
    const [first, second] = await Promise.all([start(), start()]);
    const appliedLines = `${first.stdout}${second.stdout}`
      .split("\n")
      .filter((line) => line.includes("migration applied"));
    const names = readMigrations(defaultMigrationsDir).map((migration) => migration.name);
    expect(appliedLines).toHaveLength(names.length);
    const rows = await query<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations"`);
    expect(rows.map((row) => row.migration_name).sort()).toEqual(names);
  });

  test("a changed applied migration stops start-up with a message naming the file", async () => {
    const { url } = await emptyDatabase();
    const dir = tempDir("paysign-migrations-");
    cpSync(defaultMigrationsDir, dir, { recursive: true });
    await migrate({ connectionString: url, migrationsDir: dir });
    const [first] = readMigrations(dir);
    if (!first) throw new Error("no migration to change");
    writeFileSync(first.file, `${first.sql}\n-- an edit after the fact\n`);

    await expect(migrate({ connectionString: url, migrationsDir: dir })).rejects.toThrow(first.file);
  });

  test("a failing migration is rolled back whole and not recorded", async () => {
    const { url } = await emptyDatabase();
    const dir = tempDir("paysign-migrations-");
    cpSync(defaultMigrationsDir, dir, { recursive: true });
    const broken = path.join(dir, "99999999999999_broken");
    cpSync(path.join(dir, defined(readMigrations(dir)[0], "the first migration").name), broken, { recursive: true });
    writeFileSync(
      path.join(broken, "migration.sql"),
      'CREATE TABLE "Half" ("id" INTEGER);\nSELECT no_such_function();\n',
    );

    await expect(migrate({ connectionString: url, migrationsDir: dir })).rejects.toThrow("99999999999999_broken");
    const half = await query(url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'");
    expect(half).toHaveLength(0);
    const recorded = await query(
      url,
      `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99999999999999_broken'`,
    );
    expect(recorded).toHaveLength(0);
  });
});
