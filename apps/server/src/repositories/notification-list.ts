import type { NotificationOutcome } from "../generated/prisma/client.ts";
import { afterReceivedAtCursor, readPage, receivedAtCursorOf, type Page } from "./cursor.ts";
import type { Tx } from "./transaction.ts";

export type NotificationFilter = {
  outcome?: NotificationOutcome | undefined;
  notifyType?: string | undefined;
  agreementNo?: string | undefined;
};

export type NotificationRow = Awaited<ReturnType<Tx["notificationInbox"]["findFirstOrThrow"]>>;

/** Recorded notifications, newest first, one page after `cursor`. */
export function findNotificationsPage(
  db: Tx,
  input: { filter: NotificationFilter; cursor: string | undefined; limit: number },
): Promise<Page<NotificationRow>> {
  const { filter } = input;
  const where = {
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.notifyType ? { notifyType: filter.notifyType } : {}),
    ...(filter.agreementNo ? { agreementNo: filter.agreementNo } : {}),
    ...afterReceivedAtCursor(input.cursor),
  };
  return readPage(
    input.limit,
    (take) => db.notificationInbox.findMany({ where, orderBy: [{ receivedAt: "desc" }, { id: "desc" }], take }),
    receivedAtCursorOf,
  );
}
