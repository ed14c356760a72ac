import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDatabase, type Database } from "../src/db/prisma.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

// Prisma's pg adapter reads and writes timestamptz correctly only in a UTC session. A database whose default time
// zone is Asia/Shanghai (a natural choice for an Alipay merchant) must not shift any instant paysign stores.
let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  const name = new URL(database.url).pathname.slice(1);
  await database.db.sql.query(`ALTER DATABASE "${name}" SET timezone TO 'Asia/Shanghai'`);
  db = createDatabase({ url: database.url, poolSize: 2, logger: console });
});
afterAll(async () => {
  await db.close();
  await database.drop();
});

test("an instant written by Prisma is the same instant for raw SQL and for Prisma, in a non-UTC database", async () => {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query<{ timezone: string }>("SELECT current_setting('TimeZone') AS timezone");
  await client.end();
  expect(rows[0]?.timezone).toBe("Asia/Shanghai");

  const instant = new Date("2031-04-15T10:20:30.456Z");
  const id = randomUUID();
  await db.prisma.webhookEndpoint.create({
    data: { id, url: "https://merchant.example.com/hooks", secret: "whsec_x", disabledAt: instant },
  });
  const [raw] = await db.sql
    .query<{ epoch: string }>(
      `SELECT extract(epoch FROM "disabledAt")::text AS epoch FROM "WebhookEndpoint" WHERE id = $1`,
      [id],
    )
    .then((result) => result.rows);
  expect(Number(raw?.epoch) * 1000).toBe(instant.getTime());
  const read = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
  expect(read.disabledAt?.toISOString()).toBe(instant.toISOString());
});
