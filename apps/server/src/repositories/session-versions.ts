import type { Tx } from "./transaction.ts";

/** A customer's session version; undefined when there is no such customer. */
export async function findSessionVersion(db: Tx, customerId: string): Promise<number | undefined> {
  const customer = await db.customer.findUnique({ where: { id: customerId }, select: { sessionVersion: true } });
  return customer?.sessionVersion;
}

export async function raiseSessionVersion(db: Tx, customerId: string): Promise<void> {
  await db.customer.update({ where: { id: customerId }, data: { sessionVersion: { increment: 1 } } });
}
