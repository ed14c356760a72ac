import { calendarDateFromUtcMidnight, calendarDateToUtcMidnight, isCalendarDate } from "@paysign/contracts";
import { AppError } from "../errors.ts";

// Every paginated list pages by an opaque keyset cursor: base64url of `<sort key>|<id>` of the last row served,
// the next page being the rows after it in (sort key desc, id desc) order.

/** One page of a list and the cursor of the page after it (null on the last page). */
export type Page<Row> = { rows: Row[]; nextCursor: string | null };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const looseIdPattern = /^[0-9a-f-]{36}$/;
const isoInstantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function encodeCursor(sortKey: string, id: string): string {
  return Buffer.from(`${sortKey}|${id}`).toString("base64url");
}

function decodeCursor(text: string): { sortKey: string; id: string } {
  const [sortKey = "", id = ""] = Buffer.from(text, "base64url").toString().split("|");
  return { sortKey, id };
}

function foreignCursor(): AppError {
  return new AppError("BAD_REQUEST", "The cursor is not one this API gave out; start again without it.");
}

/** Newest first: (createdAt desc, id desc). */
export const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** The `where` for the rows after a newest-first cursor (none: from the first row). */
export function afterCreatedAtCursor(cursor: string | undefined) {
  if (cursor === undefined) return {};
  const { sortKey, id } = decodeCursor(cursor);
  const createdAt = isoInstantPattern.test(sortKey) ? new Date(sortKey) : new Date(Number.NaN);
  if (Number.isNaN(createdAt.getTime()) || !uuidPattern.test(id)) throw foreignCursor();
  return { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] };
}

export function createdAtCursorOf(row: { createdAt: Date; id: string }): string {
  return encodeCursor(row.createdAt.toISOString(), row.id);
}

/** Latest due date first: (dueDate desc, id desc). */
export const latestDueFirst = [{ dueDate: "desc" as const }, { id: "desc" as const }];

/** The `where` for the rows after a latest-due-first cursor (none: from the first row). */
export function afterDueDateCursor(cursor: string | undefined) {
  if (cursor === undefined) return {};
  const { sortKey, id } = decodeCursor(cursor);
  if (!isCalendarDate(sortKey) || !looseIdPattern.test(id)) throw foreignCursor();
  const dueDate = calendarDateToUtcMidnight(sortKey);
  return { OR: [{ dueDate: { lt: dueDate } }, { dueDate, id: { lt: id } }] };
}

export function dueDateCursorOf(row: { dueDate: Date; id: string }): string {
  return encodeCursor(calendarDateFromUtcMidnight(row.dueDate), row.id);
}

/** Reads one row more than the page holds, to know whether another page follows. */
export async function readPage<Row>(
  limit: number,
  query: (take: number) => Promise<Row[]>,
  cursorOf: (row: Row) => string,
): Promise<Page<Row>> {
  const rows = await query(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

/** The `where` for the rows after a newest-received-first cursor (recorded notifications). */
export function afterReceivedAtCursor(cursor: string | undefined) {
  if (cursor === undefined) return {};
  const { sortKey, id } = decodeCursor(cursor);
  const receivedAt = isoInstantPattern.test(sortKey) ? new Date(sortKey) : new Date(Number.NaN);
  if (Number.isNaN(receivedAt.getTime()) || !uuidPattern.test(id)) throw foreignCursor();
  return { OR: [{ receivedAt: { lt: receivedAt } }, { receivedAt, id: { lt: id } }] };
}

export function receivedAtCursorOf(row: { receivedAt: Date; id: string }): string {
  return encodeCursor(row.receivedAt.toISOString(), row.id);
}
