import { randomUUID } from "node:crypto";
import type { WebhookEvent, WebhookEventType } from "@paysign/contracts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Tx } from "./transaction.ts";

/** One outbound event as written: `type` is contracts' webhook event type, `data` its payload (the admin resource). */
export type WebhookEventInput = { type: WebhookEventType; agreementId: string | null; data: WebhookEvent["data"] };

export type WrittenWebhookEvent = { id: string; sequence: number | null };

/**
 * Writes one outbound event in the caller's transaction (the transactional outbox). An event of an agreement takes
 * the agreement's next `sequence` (1, 2, 3…), which locks the agreement row until the transaction ends: take it after
 * any other lock the caller holds on that agreement's rows' parents, as every writer locks the agreement first.
 */
export async function appendWebhookEvent(tx: Tx, input: WebhookEventInput): Promise<WrittenWebhookEvent> {
  const id = randomUUID();
  let sequence: number | null = null;
  if (input.agreementId !== null) {
    const rows = await tx.$queryRaw<Array<{ eventSequence: number }>>`
      UPDATE "Agreement" SET "eventSequence" = "eventSequence" + 1
      WHERE "id" = ${input.agreementId}::uuid RETURNING "eventSequence"`;
    const row = rows[0];
    if (!row) throw new Error(`appendWebhookEvent: no agreement ${input.agreementId}`);
    sequence = row.eventSequence;
  }
  await tx.$executeRaw`
    INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
    VALUES (${id}::uuid, ${input.type}, ${input.agreementId}::uuid, ${sequence}, ${JSON.stringify(input.data)}::jsonb,
            pg_current_xact_id()::text::bigint)`;
  return { id, sequence };
}

/** An outbox row as readers see it; `txid` and `position` (bigints as decimal strings) are its place in the stream. */
export type WebhookEventRow = {
  id: string;
  type: string;
  agreementId: string | null;
  sequence: number | null;
  data: unknown;
  createdAt: Date;
  txid: string;
  position: string;
};

/** A place in the stream: the events after it are those greater in (txid, position). */
export type StreamPlace = { txid: string; position: string };

// The text aliases of txid and position shadow the columns in a bare ORDER BY: order by the qualified columns.
const rowColumns = Prisma.sql`"id"::text AS "id", "type", "agreementId"::text AS "agreementId", "sequence", "data",
  "createdAt", "txid"::text AS "txid", "position"::text AS "position"`;

/**
 * Up to `limit` events after `after` (from the start without it), of `types` only when given, in (txid, position)
 * order and only below the xmin horizon: rows whose writing transaction is older than every transaction still running
 * are final (committed or gone), so an event committing late never lands behind a place a reader has passed.
 */
export function findFinalEvents(
  db: Tx,
  input: { after: StreamPlace | undefined; types: readonly string[] | undefined; limit: number },
): Promise<WebhookEventRow[]> {
  const after = input.after ?? { txid: "0", position: "0" };
  const types = input.types === undefined ? Prisma.empty : Prisma.sql`AND "type" = ANY(${[...input.types]}::text[])`;
  return db.$queryRaw<WebhookEventRow[]>`
    SELECT ${rowColumns} FROM "WebhookEvent"
    WHERE "txid" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
      AND ("txid", "position") > (${after.txid}::bigint, ${after.position}::bigint) ${types}
    ORDER BY "WebhookEvent"."txid", "WebhookEvent"."position"
    LIMIT ${input.limit}`;
}

export async function findEventById(db: Tx, id: string): Promise<WebhookEventRow | null> {
  const rows = await db.$queryRaw<WebhookEventRow[]>`
    SELECT ${rowColumns} FROM "WebhookEvent" WHERE "id" = ${id}::uuid`;
  return rows[0] ?? null;
}
