import type { CustomerRow } from "./rows.ts";
import type { Tx } from "./transaction.ts";

export type CustomerLocator = { alipayUserId: string } | { alipayOpenId: string };

export function findCustomer(db: Tx, where: CustomerLocator): Promise<CustomerRow | null> {
  return db.customer.findUnique({ where });
}

/** The customer; Prisma's not-found error when there is none. */
export function getCustomerById(db: Tx, id: string): Promise<CustomerRow> {
  return db.customer.findUniqueOrThrow({ where: { id } });
}

/** A new customer; a duplicate Alipay user or open id fails as a unique violation (isUniqueViolation). */
export function insertCustomer(
  db: Tx,
  input: { id: string; alipayUserId: string | null; alipayOpenId: string | null },
): Promise<CustomerRow> {
  return db.customer.create({ data: input });
}
