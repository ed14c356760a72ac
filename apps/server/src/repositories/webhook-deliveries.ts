import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Database } from "../db/prisma.ts";
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookDeliveryStatus } from "../generated/prisma/client.ts";
import { afterCreatedAtCursor, createdAtCursorOf, newestFirst, readPage, type Page } from "./cursor.ts";
import type { Tx } from "./transaction.ts";

// Raw SQL on the pg pool: the dispatcher and the sender hold one transaction across statements (the sender across the
// HTTP call itself, up to WEBHOOK_TIMEOUT_MS), longer than Prisma's interactive-transaction timeout allows.

async function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.sql.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Fans out the next `limit` outbox rows after the dispatch cursor, in (txid, position) order and only below the
 * oldest running transaction (rows there are final: a late commit cannot land behind the cursor). Each row gets a
 * PENDING delivery, due at `now`, per enabled endpoint that takes its type (empty eventTypes: every type) and
 * existed when the event was written; the cursor moves past the rows in the same transaction. The cursor row's lock
 * makes concurrent dispatchers take turns. Returns how many events were read and deliveries made.
 */
export async function dispatchWebhookEventBatch(
  db: Database,
  input: { now: Date; limit: number },
): Promise<{ events: number; deliveries: number }> {
  return await inTransaction(db, async (client) => {
    // Its own statement, so the batch below reads with a snapshot taken after the previous holder committed.
    await client.query({
      name: "webhook-dispatch-lock",
      text: `SELECT 1 FROM "WebhookDispatchCursor" WHERE "id" = 1 FOR UPDATE`,
    });
    const result = await client.query<{ events: string; deliveries: string }>({
      name: "webhook-dispatch-batch",
      text: `
        WITH cursor AS (
          SELECT "txid", "position" FROM "WebhookDispatchCursor" WHERE "id" = 1
        ), batch AS (
          SELECT e."id", e."type", e."agreementId", e."sequence", e."txid", e."position", e."createdAt"
          FROM "WebhookEvent" e, cursor c
          WHERE (e."txid", e."position") > (c."txid", c."position")
            AND e."txid" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
          ORDER BY e."txid", e."position"
          LIMIT $2::int
        ), made AS (
          INSERT INTO "WebhookDelivery"
            ("id", "endpointId", "eventId", "agreementId", "sequence", "status", "nextAttemptAt", "createdAt", "updatedAt")
          SELECT gen_random_uuid(), p."id", b."id", b."agreementId", b."sequence", 'PENDING', $1::timestamptz, $1::timestamptz, $1::timestamptz
          FROM batch b JOIN "WebhookEndpoint" p
            ON p."enabled" AND p."createdAt" <= b."createdAt"
           AND (cardinality(p."eventTypes") = 0 OR b."type" = ANY (p."eventTypes"))
          ON CONFLICT ("endpointId", "eventId") DO NOTHING
          RETURNING 1
        ), last AS (
          SELECT "txid", "position" FROM batch ORDER BY "txid" DESC, "position" DESC LIMIT 1
        ), moved AS (
          UPDATE "WebhookDispatchCursor" w SET "txid" = l."txid", "position" = l."position", "updatedAt" = $1
          FROM last l WHERE w."id" = 1
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM batch) AS "events", (SELECT count(*) FROM made) AS "deliveries",
               (SELECT count(*) FROM moved) AS "moved"`,
      values: [input.now, input.limit],
    });
    const row = result.rows[0];
    return { events: Number(row?.events ?? 0), deliveries: Number(row?.deliveries ?? 0) };
  });
}

/** An outbox row as a delivery sends it. */
export type WebhookEventRow = {
  id: string;
  type: string;
  agreementId: string | null;
  sequence: number | null;
  data: unknown;
  createdAt: Date;
};

/** A delivery due now, with its endpoint's URL and secrets and its event. */
export type DueDelivery = {
  id: string;
  endpointId: string;
  attemptCount: number;
  /** The first attempt of this delivery, if there was one (the 3-day limit counts from it). */
  firstAttemptAt: Date | null;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  event: WebhookEventRow;
};

/** What one HTTP attempt gave. `statusCode` null: no answer (timeout, refused connection, refused address). */
type AttemptRecord = {
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string;
  error: string | null;
};

/** A claimed delivery: its row stays locked until `finish` or `abandon` ends the transaction. */
export type DeliveryClaim = {
  delivery: DueDelivery;
  /**
   * Records the attempt and the delivery's new state, and the endpoint's: a success clears `failingSince`; a failure
   * sets it when unset. Answers the endpoint's `failingSince` after the write (null after a success).
   */
  finish(input: {
    attempt: AttemptRecord;
    status: WebhookDeliveryStatus;
    nextAttemptAt: Date | null;
  }): Promise<{ failingSince: Date | null }>;
  /** Disables the endpoint (if still enabled) in the same transaction; true when this call disabled it. */
  disableEndpoint(input: { reason: string; at: Date }): Promise<boolean>;
  commit(): Promise<void>;
  abandon(): Promise<void>;
};

type DueRow = {
  id: string;
  endpointId: string;
  attemptCount: number;
  firstAttemptAt: Date | null;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  eventId: string;
  type: string;
  agreementId: string | null;
  sequence: number | null;
  data: unknown;
  eventCreatedAt: Date;
};

/**
 * Locks one PENDING delivery due at `now` of an enabled endpoint (SKIP LOCKED: another worker's claim is passed
 * over), or answers null. A delivery of an agreement is due only when no earlier-sequence delivery of that agreement
 * to that endpoint is PENDING and no earlier-sequence event of the agreement is still ahead of the dispatch cursor
 * (its delivery may not exist yet).
 */
export async function claimDueWebhookDelivery(db: Database, now: Date): Promise<DeliveryClaim | null> {
  const client = await db.sql.connect();
  let open = true;
  const end = async (statement: "COMMIT" | "ROLLBACK") => {
    if (!open) return;
    open = false;
    try {
      await client.query(statement);
    } finally {
      client.release();
    }
  };
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<DueRow>({
      name: "webhook-claim-due",
      text: `
        SELECT d."id", d."endpointId", d."attemptCount",
               (SELECT min(a."attemptedAt") FROM "WebhookDeliveryAttempt" a WHERE a."deliveryId" = d."id")
                 AS "firstAttemptAt",
               p."url", p."secret", p."previousSecret", p."previousSecretExpiresAt",
               e."id" AS "eventId", e."type", e."agreementId", e."sequence", e."data", e."createdAt" AS "eventCreatedAt"
        FROM "WebhookDelivery" d
        JOIN "WebhookEndpoint" p ON p."id" = d."endpointId" AND p."enabled"
        JOIN "WebhookEvent" e ON e."id" = d."eventId"
        WHERE d."status" = 'PENDING' AND d."nextAttemptAt" <= $1
          AND (d."agreementId" IS NULL OR (
            NOT EXISTS (
              SELECT 1 FROM "WebhookDelivery" o
              WHERE o."endpointId" = d."endpointId" AND o."agreementId" = d."agreementId"
                AND o."sequence" < d."sequence" AND o."status" = 'PENDING')
            AND NOT EXISTS (
              SELECT 1 FROM "WebhookEvent" x, "WebhookDispatchCursor" c
              WHERE c."id" = 1 AND x."agreementId" = d."agreementId" AND x."sequence" < d."sequence"
                AND (x."txid", x."position") > (c."txid", c."position"))))
        ORDER BY d."nextAttemptAt", d."createdAt"
        LIMIT 1
        FOR UPDATE OF d SKIP LOCKED`,
      values: [now],
    });
    const row = rows[0];
    if (!row) {
      await end("COMMIT");
      return null;
    }
    return claimOf(client, row, end);
  } catch (error) {
    await end("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

function claimOf(
  client: pg.PoolClient,
  row: DueRow,
  end: (statement: "COMMIT" | "ROLLBACK") => Promise<void>,
): DeliveryClaim {
  const delivery: DueDelivery = {
    id: row.id,
    endpointId: row.endpointId,
    attemptCount: row.attemptCount,
    firstAttemptAt: row.firstAttemptAt,
    url: row.url,
    secret: row.secret,
    previousSecret: row.previousSecret,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    event: {
      id: row.eventId,
      type: row.type,
      agreementId: row.agreementId,
      sequence: row.sequence,
      data: row.data,
      createdAt: row.eventCreatedAt,
    },
  };
  return {
    delivery,
    async finish({ attempt, status, nextAttemptAt }) {
      await client.query({
        name: "webhook-attempt-insert",
        text: `INSERT INTO "WebhookDeliveryAttempt"
                 ("id", "deliveryId", "statusCode", "latencyMs", "responseBody", "error", "attemptedAt")
               VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        values: [
          randomUUID(),
          delivery.id,
          attempt.statusCode,
          attempt.latencyMs,
          attempt.responseBody,
          attempt.error,
          attempt.attemptedAt,
        ],
      });
      await client.query({
        name: "webhook-delivery-after-attempt",
        text: `UPDATE "WebhookDelivery" SET "status" = $2, "attemptCount" = "attemptCount" + 1, "lastAttemptAt" = $3,
                 "nextAttemptAt" = $4, "updatedAt" = $3
               WHERE "id" = $1`,
        values: [delivery.id, status, attempt.attemptedAt, nextAttemptAt],
      });
      const succeeded = status === "SUCCEEDED";
      const { rows } = await client.query<{ failingSince: Date | null }>({
        name: "webhook-endpoint-after-attempt",
        text: `UPDATE "WebhookEndpoint"
               SET "failingSince" = CASE WHEN $2::boolean THEN NULL ELSE coalesce("failingSince", $3::timestamptz) END
               WHERE "id" = $1 RETURNING "failingSince"`,
        values: [delivery.endpointId, succeeded, attempt.attemptedAt],
      });
      return { failingSince: rows[0]?.failingSince ?? null };
    },
    async disableEndpoint({ reason, at }) {
      const result = await client.query({
        name: "webhook-endpoint-disable",
        text: `UPDATE "WebhookEndpoint" SET "enabled" = false, "disabledReason" = $2, "disabledAt" = $3, "updatedAt" = $3
               WHERE "id" = $1 AND "enabled"`,
        values: [delivery.endpointId, reason, at],
      });
      return (result.rowCount ?? 0) > 0;
    },
    commit: () => end("COMMIT"),
    abandon: () => end("ROLLBACK"),
  };
}

export type WebhookDeliveryFilter = {
  endpointId?: string | undefined;
  status?: WebhookDeliveryStatus | undefined;
  eventId?: string | undefined;
};

/** Deliveries, newest first, one page after `cursor`. */
export function findWebhookDeliveriesPage(
  db: Tx,
  input: { filter: WebhookDeliveryFilter; cursor: string | undefined; limit: number },
): Promise<Page<WebhookDelivery>> {
  const { filter } = input;
  const where = {
    AND: [
      filter.endpointId ? { endpointId: filter.endpointId } : {},
      filter.status ? { status: filter.status } : {},
      filter.eventId ? { eventId: filter.eventId } : {},
      afterCreatedAtCursor(input.cursor),
    ],
  };
  return readPage(
    input.limit,
    (take) => db.webhookDelivery.findMany({ where, orderBy: newestFirst, take }),
    createdAtCursorOf,
  );
}

export type WebhookDeliveryRow = WebhookDelivery;
export type WebhookDeliveryWithAttempts = WebhookDelivery & { attempts: WebhookDeliveryAttempt[] };

/** One delivery with its attempts, oldest attempt first; null when there is none with this id. */
export function findWebhookDeliveryById(db: Tx, id: string): Promise<WebhookDeliveryWithAttempts | null> {
  return db.webhookDelivery.findUnique({
    where: { id },
    include: { attempts: { orderBy: [{ attemptedAt: "asc" }, { id: "asc" }] } },
  });
}

/**
 * Makes a delivery PENDING and due at `now` (a re-send of a final one, or a PENDING one moved forward); null when
 * there is no delivery with this id. Waits for a send in flight on it to finish first (its row lock).
 */
export async function rescheduleWebhookDelivery(db: Tx, input: { id: string; now: Date }): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE "WebhookDelivery" SET "status" = 'PENDING', "nextAttemptAt" = ${input.now}, "updatedAt" = ${input.now}
    WHERE "id" = ${input.id}::uuid`;
  return count > 0;
}
