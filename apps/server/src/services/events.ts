import { DEFAULT_PAGE_LIMIT, type WebhookEventType } from "@paysign/contracts";
import { AppError, notFound } from "../errors.ts";
import {
  findEventById,
  findFinalEvents,
  type StreamPlace,
  type WebhookEventRow,
} from "../repositories/webhook-events.ts";
import type { ServiceDeps } from "./deps.ts";

// The events API's cursor: base64url of `<txid>.<position>`, the place of the last event served (or the place given,
// on an empty page), so a consumer always has a place to resume from.

const START: StreamPlace = { txid: "0", position: "0" };
const placePattern = /^(\d{1,20})\.(\d{1,20})$/;

function encodePlace(place: StreamPlace): string {
  return Buffer.from(`${place.txid}.${place.position}`).toString("base64url");
}

/** The largest PostgreSQL bigint: both numbers of a place are compared as bigints in the database. */
const BIGINT_MAX = 9_223_372_036_854_775_807n;

function decodePlace(cursor: string): StreamPlace {
  const match = placePattern.exec(Buffer.from(cursor, "base64url").toString());
  const [txid, position] = [match?.[1], match?.[2]];
  if (!txid || !position || BigInt(txid) > BIGINT_MAX || BigInt(position) > BIGINT_MAX)
    throw new AppError("BAD_REQUEST", "The cursor is not one this API gave out; start again without after.");
  return { txid, position };
}

export type EventsPageRows = { rows: WebhookEventRow[]; nextCursor: string; hasMore: boolean };

/**
 * Operators and merchants' systems catching up: the final events after the cursor `after`, in the order they were
 * written, of `type` only when given, `limit` 1–100 (default 20). Throws BAD_REQUEST for a cursor not given out here.
 */
export async function listEvents(
  deps: ServiceDeps,
  query: {
    after?: string | undefined;
    type?: WebhookEventType | WebhookEventType[] | undefined;
    limit?: number | undefined;
  },
): Promise<EventsPageRows> {
  const after = query.after === undefined ? START : decodePlace(query.after);
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  const types = query.type === undefined ? undefined : [query.type].flat();
  const found = await findFinalEvents(deps.db.prisma, { after, types, limit: limit + 1 });
  const rows = found.slice(0, limit);
  const last = rows.at(-1);
  return { rows, nextCursor: encodePlace(last ?? after), hasMore: found.length > limit };
}

/** One event by id. Throws NOT_FOUND. */
export async function getEvent(deps: ServiceDeps, id: string): Promise<WebhookEventRow> {
  const event = await findEventById(deps.db.prisma, id);
  if (!event) throw notFound("Event");
  return event;
}
