import type { Tx } from "./transaction.ts";

/** Whether the console session token with this digest was signed out. */
export async function isConsoleSessionRevoked(db: Tx, tokenDigest: string): Promise<boolean> {
  const row = await db.revokedConsoleSession.findUnique({ where: { tokenDigest }, select: { tokenDigest: true } });
  return row !== null;
}

/** Records a signed-out console session until it expires, and forgets those already expired at `now`. */
export async function revokeConsoleSession(
  db: Tx,
  input: { tokenDigest: string; expiresAt: Date; now: Date },
): Promise<void> {
  await db.revokedConsoleSession.deleteMany({ where: { expiresAt: { lt: input.now } } });
  await db.revokedConsoleSession.upsert({
    where: { tokenDigest: input.tokenDigest },
    create: { tokenDigest: input.tokenDigest, expiresAt: input.expiresAt },
    update: {},
  });
}
