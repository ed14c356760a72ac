import { AppError } from "../errors.ts";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque keyset cursor over (createdAt, id), newest first. */
export type Cursor = { createdAt: Date; id: string };

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
}

export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  const [createdAt = "", id = ""] = Buffer.from(text, "base64url").toString().split("|");
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(createdAt)
    ? new Date(createdAt)
    : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || !uuidPattern.test(id)) {
    throw new AppError("BAD_REQUEST", "The cursor is not one this API gave out; start again without it.");
  }
  return { createdAt: date, id };
}

/** Prisma `where` for the rows after the cursor in (createdAt desc, id desc) order. */
export function afterCursor(cursor: Cursor | undefined) {
  if (!cursor) return {};
  return {
    OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
  };
}
