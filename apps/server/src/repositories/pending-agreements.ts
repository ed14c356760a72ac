import type { Tx } from "./transaction.ts";

/** PENDING agreements of one customer (the per-customer cap of createAgreement). */
export function countPendingAgreements(db: Tx, customerId: string): Promise<number> {
  return db.agreement.count({ where: { customerId, status: "PENDING" } });
}
