import { DEFAULT_PAGE_LIMIT } from "@paysign/contracts";
import type { Page } from "../repositories/cursor.ts";
import {
  findNotificationsPage,
  type NotificationFilter,
  type NotificationRow,
} from "../repositories/notification-list.ts";
import type { ServiceDeps } from "./deps.ts";

/** Operators: Alipay's notifications as recorded, newest first, filtered, one page after the cursor. */
export function findNotifications(
  deps: ServiceDeps,
  query: NotificationFilter & { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<NotificationRow>> {
  const { cursor, limit, ...filter } = query;
  return findNotificationsPage(deps.db.prisma, { filter, cursor, limit: limit ?? DEFAULT_PAGE_LIMIT });
}
