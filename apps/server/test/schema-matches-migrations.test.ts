import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "../src/env.ts";
import {
  expectedColumnType,
  expectedForeignKeys,
  expectedIndexes,
  isColumn,
  readPrismaSchema,
} from "./support/prisma-schema.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

// The migrations are written by hand (the Prisma CLI cannot diff offline); this proves they build exactly the
// database that prisma/schema.prisma describes: tables, columns with type and nullability, enums, indexes, keys.
const schema = readPrismaSchema(path.join(repoRoot, "prisma", "schema.prisma"));
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await database.drop();
});

async function rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await client.query<T>(sql, params)).rows;
}

describe("the migrated database matches schema.prisma", () => {
  test("one table per model and no others", async () => {
    const tables = await rows<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'",
    );
    expect(tables.map((row) => row.table_name).sort()).toEqual(schema.models.map((model) => model.name).sort());
  });

  test("every enum has exactly the schema's values, in order", async () => {
    const found = await rows<{ name: string; value: string }>(
      `SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`,
    );
    const actual = new Map<string, string[]>();
    for (const row of found) actual.set(row.name, [...(actual.get(row.name) ?? []), row.value]);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(schema.enums));
  });

  describe.each(schema.models.map((model) => [model.name, model] as const))("model %s", (_name, model) => {
    test("has every field as a column of the right type and nullability, and no other column", async () => {
      const columns = await rows<{ name: string; type: string; nullable: boolean }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
        [model.name],
      );
      const expected = model.fields
        .filter((field) => isColumn(field, schema))
        .map((field) => ({
          name: field.name,
          type: expectedColumnType(field, schema),
          nullable: field.optional || field.list,
        }));
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(columns.sort(byName)).toEqual(expected.sort(byName));
    });

    test("has exactly the schema's unique constraints and indexes", async () => {
      const indexes = await rows<{ name: string; columns: string[]; unique: boolean }>(
        `SELECT i.relname AS name, ix.indisunique AS unique,
                array_agg(a.attname ORDER BY k.ord)::text[] AS columns
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE n.nspname = 'public' AND t.relname = $1
         GROUP BY i.relname, ix.indisunique`,
        [model.name],
      );
      const expected = expectedIndexes(model).map(({ name, columns, unique }) => ({ name, columns, unique }));
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(indexes.sort(byName)).toEqual(expected.sort(byName));
    });

    test("has exactly the schema's foreign keys", async () => {
      const keys = await rows<{ columns: string[]; references: string; referenced_columns: string[] }>(
        `SELECT (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
                r.relname AS references,
                (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(c.confkey) WITH ORDINALITY k(n, ord)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS referenced_columns
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
         WHERE c.contype = 'f' AND t.relname = $1`,
        [model.name],
      );
      const expected = expectedForeignKeys(model).map((key) => ({
        columns: key.columns,
        references: key.references,
        referenced_columns: key.referencedColumns,
      }));
      const byColumns = (a: { columns: string[] }, b: { columns: string[] }) =>
        a.columns.join().localeCompare(b.columns.join());
      expect(keys.sort(byColumns)).toEqual(expected.sort(byColumns));
    });
  });
});
