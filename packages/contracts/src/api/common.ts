import { z } from "zod";

/** `Authorization: Bearer <session token>` (customer routes). */
export const customerAuthHeadersSchema = z.object({
  authorization: z.string().regex(/^Bearer \S+$/, "send Authorization: Bearer <session token>"),
});

/** The admin key (admin routes). */
export const ADMIN_KEY_HEADER = "x-admin-key";
/**
 * The admin key header, or else the console's session cookie (`ADMIN_SESSION_COOKIE`, from POST /admin/v1/session);
 * which of the two authenticates is the server's check, made before the headers are parsed.
 */
export const adminAuthHeadersSchema = z.object({
  [ADMIN_KEY_HEADER]: z
    .string()
    .min(1, "send the admin key in the x-admin-key header")
    .optional()
    .meta({ description: "The admin key; optional when the console's session cookie is sent" }),
});

/** Headers the security schemes already describe; left out of per-route header parameters. */
export const AUTH_HEADER_NAMES = ["authorization", ADMIN_KEY_HEADER] as const;

export const idParamsSchema = z.object({ id: z.uuid() });

/** Cursor pagination: an opaque `cursor` from the previous page's `nextCursor`, `limit` 1–100 (default 20). */
export const pageQueryShape = {
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: "1–100, default 20" }),
};
export const DEFAULT_PAGE_LIMIT = 20;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "Pass as cursor for the next page; null at the end" }),
  });
}

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

/** A 204 answer: no body at all (the handler returns `null`; the server sends nothing). */
export const noContentSchema = z.null().meta({ description: "No body" });
