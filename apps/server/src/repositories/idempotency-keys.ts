import type { Tx } from "./transaction.ts";

/** The stored answer of an earlier request with this Idempotency-Key in this scope, if any. */
export function findIdempotencyKey(db: Tx, input: { scope: string; key: string }) {
  return db.idempotencyKey.findUnique({ where: { scope_key: { scope: input.scope, key: input.key } } });
}
