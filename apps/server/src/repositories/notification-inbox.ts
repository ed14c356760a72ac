import { randomUUID } from "node:crypto";
import type { NotificationOutcome } from "../generated/prisma/enums.ts";
import type { InboxRow } from "./agreement-notification-sql.ts";
import type { Tx } from "./transaction.ts";

/**
 * Inserts the inbox row of a notification (unique notify_id) in the caller's transaction; false when that
 * notify_id is recorded already. Its outcome is set with setInboxOutcome once decided, in the same transaction.
 */
export async function insertInboxRow(tx: Tx, row: InboxRow): Promise<boolean> {
  const inserted = await tx.notificationInbox.createMany({
    data: { id: randomUUID(), ...row, outcome: "NO_CHANGE" },
    skipDuplicates: true,
  });
  return inserted.count === 1;
}

export async function setInboxOutcome(
  tx: Tx,
  input: { notifyId: string; outcome: NotificationOutcome; detail: string },
): Promise<void> {
  await tx.notificationInbox.update({
    where: { notifyId: input.notifyId },
    data: { outcome: input.outcome, detail: input.detail },
  });
}
