import { afterAll, beforeAll, expect, test } from "vitest";
import { createDatabase } from "../src/db/prisma.ts";
import { withPooledClient } from "../src/db/pooled-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

// A transaction's client is checked out of the pool between its statements. When PostgreSQL ends that connection
// (a restart, an outage, pg_terminate_backend) pg emits `error` on the client, and a checked-out client has no
// listener of pg-pool's: the API process crashed in the outage reliability test from the webhook dispatcher's
// transaction. withPooledClient keeps a listener on while the client is out and drops the broken client.
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

test("a connection ended between two statements fails the work, not the process, and the pool goes on", async () => {
  const work = withPooledClient(t.db.sql, async (client) => {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    // Not events.once: it listens to `error` too, which would hide a missing listener.
    const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
    // Another pooled connection ends this one while it is idle between statements.
    await t.db.sql.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
    // pg emits `error` on the client before `end`: by now the error was emitted with no statement running.
    await ended;
    await client.query("SELECT 1");
  });
  await expect(work).rejects.toThrow();
  const { rows } = await t.db.sql.query<{ one: number }>("SELECT 1 AS one");
  expect(rows[0]?.one).toBe(1);
  expect(t.db.sql.totalCount).toBeLessThanOrEqual(2);
});

test("an idle pooled connection that PostgreSQL ends is logged as a warning with its error, not its client", async () => {
  const warnings: { details: object; message: string }[] = [];
  let warned: () => void = () => {};
  const logged = new Promise<void>((resolve) => (warned = resolve));
  const db = createDatabase({
    url: t.url,
    poolSize: 2,
    logger: {
      warn(details, message) {
        warnings.push({ details, message });
        warned();
      },
    },
  });
  try {
    const { rows } = await db.sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    await t.db.sql.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
    await logged;
    expect(warnings).toHaveLength(1);
    const { err } = warnings[0]?.details as { err: Error & { code?: string } };
    expect(warnings[0]?.message).toBe("database: an idle pooled connection failed; the pool replaces it");
    expect(err.code).toBe("57P01");
    expect(err).not.toHaveProperty("client");
    expect(JSON.stringify(err).length).toBeLessThan(2_000);
    expect((await db.sql.query<{ one: number }>("SELECT 1 AS one")).rows[0]?.one).toBe(1);
  } finally {
    await db.close();
  }
});
