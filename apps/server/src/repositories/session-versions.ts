import type { Database } from "../db/prisma.ts";
import type { Tx } from "./transaction.ts";

/**
 * A customer's session version; undefined when there is no such customer. Raw SQL: every customer request reads it
 * (Prisma's per-query CPU would halve the agreement-creation throughput of `pnpm bench`).
 */
export async function findSessionVersion(db: Database, customerId: string): Promise<number | undefined> {
  const { rows } = await db.sql.query<{ sessionVersion: number }>({
    name: "customer-session-version",
    text: `SELECT "sessionVersion" FROM "Customer" WHERE "id" = $1::uuid`,
    values: [customerId],
  });
  return rows[0]?.sessionVersion;
}

export async function raiseSessionVersion(db: Tx, customerId: string): Promise<void> {
  await db.customer.update({ where: { id: customerId }, data: { sessionVersion: { increment: 1 } } });
}
