import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { isUniqueViolation } from "../src/repositories/unique-violation.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

async function failure(write: () => Promise<unknown>): Promise<unknown> {
  try {
    await write();
  } catch (error) {
    return error;
  }
  throw new Error("the write did not fail");
}

test("a duplicate key is recognised from Prisma (P2002) and from pg (23505), with its constraint", async () => {
  const alipayUserId = "2088000000000042";
  await database.db.prisma.customer.create({ data: { id: randomUUID(), alipayUserId } });

  const fromPrisma = await failure(() =>
    database.db.prisma.customer.create({ data: { id: randomUUID(), alipayUserId } }),
  );
  const fromSql = await failure(() =>
    database.db.sql.query(`INSERT INTO "Customer" ("id", "alipayUserId", "updatedAt") VALUES ($1::uuid, $2, now())`, [
      randomUUID(),
      alipayUserId,
    ]),
  );

  for (const error of [fromPrisma, fromSql]) {
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, "Customer_alipayUserId_key")).toBe(true);
    expect(isUniqueViolation(error, "IdempotencyKey_scope_key_key")).toBe(false);
  }
});

test("other failures are not duplicate keys", async () => {
  const notNull = await failure(() =>
    database.db.sql.query(`INSERT INTO "Customer" ("id", "updatedAt") VALUES (NULL, now())`),
  );
  expect(isUniqueViolation(notNull)).toBe(false);
  expect(isUniqueViolation(new Error("duplicate key"))).toBe(false);
  expect(isUniqueViolation(undefined)).toBe(false);
});
