import { randomUUID } from "node:crypto";
import type pg from "pg";
import { withPooledClient } from "../db/pooled-client.ts";
import type { Database } from "../db/prisma.ts";
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookDeliveryStatus } from "../generated/prisma/client.ts";
import { afterCreatedAtCursor, createdAtCursorOf, newestFirst, readPage, type Page } from "./cursor.ts";
import type { Tx } from "./transaction.ts";

// Raw SQL on the pg pool: the dispatcher's batch, the sender's claim (one statement) and its result (one short
// transaction). No transaction is held across an HTTP call: a running one would hold back the outbox horizon.

function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withPooledClient(db.sql, async (client) => {
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
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

/** A claimed delivery: no other worker sends it until `leaseUntil` (the database's time) unless its result is written. */
export type DeliveryClaim = { delivery: DueDelivery; leaseToken: string };

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
 * Claims one PENDING delivery due at `now` (the injected Clock's) of an enabled endpoint, or answers null: one
 * committed statement sets its lease to the database's now + `leaseMs` and a new token, so no HTTP call ever runs
 * inside a transaction. A delivery is claimable when it has no lease or its lease ran out (its worker died: at least
 * once, never lost). A delivery of an agreement is due only when no earlier-sequence delivery of that agreement to
 * that endpoint is PENDING (leased or not) and no earlier-sequence event of the agreement is still ahead of the
 * dispatch cursor (its delivery may not exist yet).
 *
 * Fairness: endpoints are tried in order of how many of their deliveries are leased now (fewest first), and an
 * endpoint whose last attempt failed (`failingSince` set) is passed over while one of its deliveries is leased, so a
 * dead receiver holds about one lane while the others serve the healthy endpoints.
 */
export async function claimDueWebhookDelivery(
  db: Database,
  input: { now: Date; leaseMs: number },
): Promise<DeliveryClaim | null> {
  const leaseToken = randomUUID();
  const { rows } = await db.sql.query<DueRow>({
    name: "webhook-claim-due",
    text: `
      WITH endpoints AS (
        SELECT p."id", p."failingSince",
               (SELECT count(*) FROM "WebhookDelivery" l WHERE l."endpointId" = p."id" AND l."leaseUntil" > now())
                 AS "busy"
        FROM "WebhookEndpoint" p
        WHERE p."enabled"
        ORDER BY "busy", p."id"
      ), picked AS (
        SELECT c."id"
        FROM (SELECT * FROM endpoints WHERE "failingSince" IS NULL OR "busy" = 0 OFFSET 0) p
        CROSS JOIN LATERAL (
          SELECT d."id"
          FROM "WebhookDelivery" d
          WHERE d."endpointId" = p."id" AND d."status" = 'PENDING' AND d."nextAttemptAt" <= $1
            AND (d."leaseUntil" IS NULL OR d."leaseUntil" <= now())
            AND (d."agreementId" IS NULL OR (
              NOT EXISTS (
                SELECT 1 FROM "WebhookDelivery" o
                WHERE o."endpointId" = d."endpointId" AND o."agreementId" = d."agreementId"
                  AND o."sequence" < d."sequence" AND o."status" = 'PENDING')
              AND NOT EXISTS (
                SELECT 1 FROM "WebhookEvent" x, "WebhookDispatchCursor" k
                WHERE k."id" = 1 AND x."agreementId" = d."agreementId" AND x."sequence" < d."sequence"
                  AND (x."txid", x."position") > (k."txid", k."position"))))
          ORDER BY d."nextAttemptAt", d."createdAt"
          LIMIT 1
          FOR UPDATE OF d SKIP LOCKED
        ) c
        ORDER BY p."busy", p."id"
        LIMIT 1
      )
      UPDATE "WebhookDelivery" d
      SET "leaseUntil" = now() + $2::int * interval '1 millisecond', "leaseToken" = $3::uuid
      FROM picked c, "WebhookEndpoint" p, "WebhookEvent" e
      WHERE d."id" = c."id" AND p."id" = d."endpointId" AND e."id" = d."eventId"
      RETURNING d."id", d."endpointId", d."attemptCount",
             (SELECT min(a."attemptedAt") FROM "WebhookDeliveryAttempt" a WHERE a."deliveryId" = d."id")
               AS "firstAttemptAt",
             p."url", p."secret", p."previousSecret", p."previousSecretExpiresAt",
             e."id" AS "eventId", e."type", e."agreementId", e."sequence", e."data", e."createdAt" AS "eventCreatedAt"`,
    values: [input.now, Math.ceil(input.leaseMs), leaseToken],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    leaseToken,
    delivery: {
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
    },
  };
}

/** How writing an attempt's result ended. */
export type AttemptWrite =
  | { written: true; failingSince: Date | null; disabled: boolean }
  /** `endpoint-gone`: the endpoint (and with it the delivery) was deleted meanwhile; `lease-lost`: another claim. */
  | { written: false; why: "endpoint-gone" | "lease-lost" };

/**
 * Writes an attempt's result in one short transaction, after the HTTP call: the attempt row, the delivery's new
 * state (its lease cleared), and the endpoint's `failingSince` (a success clears it, a failure sets it when unset,
 * unless a success of the endpoint was recorded for an attempt made at or after `successesSince`: concurrent attempts
 * write in any order, and a failure beside a success does not start the endpoint's failing day).
 * `disableFor` sees that `failingSince` and may answer a reason to disable the endpoint in the same transaction.
 * The endpoint row is locked first, the order a DELETE of the endpoint takes too (endpoint, then its deliveries), so
 * the two never deadlock; nothing is written when the endpoint is gone or `leaseToken` is no longer the delivery's
 * (its lease ran out and another worker claimed it: that worker's result counts).
 */
export async function recordWebhookAttempt(
  db: Database,
  input: {
    claim: DeliveryClaim;
    attempt: AttemptRecord;
    status: WebhookDeliveryStatus;
    nextAttemptAt: Date | null;
    /** A failure does not set `failingSince` when a delivery of the endpoint succeeded in an attempt made since. */
    successesSince: Date;
    disableFor: (failingSince: Date | null) => { reason: string; at: Date } | null;
  },
): Promise<AttemptWrite> {
  const { claim, attempt, status, nextAttemptAt } = input;
  const { delivery } = claim;
  return withPooledClient(db.sql, async (client) => {
    try {
      await client.query("BEGIN");
      const endpoint = await client.query({
        name: "webhook-endpoint-lock",
        text: `SELECT 1 FROM "WebhookEndpoint" WHERE "id" = $1 FOR NO KEY UPDATE`,
        values: [delivery.endpointId],
      });
      if (endpoint.rowCount === 0) {
        await client.query("ROLLBACK");
        return { written: false, why: "endpoint-gone" };
      }
      const updated = await client.query({
        name: "webhook-delivery-after-attempt",
        text: `UPDATE "WebhookDelivery" SET "status" = $3, "attemptCount" = "attemptCount" + 1, "lastAttemptAt" = $4,
               "nextAttemptAt" = $5, "updatedAt" = $4, "leaseUntil" = NULL, "leaseToken" = NULL
             WHERE "id" = $1 AND "leaseToken" = $2::uuid`,
        values: [delivery.id, claim.leaseToken, status, attempt.attemptedAt, nextAttemptAt],
      });
      if (updated.rowCount === 0) {
        await client.query("ROLLBACK");
        return { written: false, why: "lease-lost" };
      }
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
      const { rows } = await client.query<{ failingSince: Date | null }>({
        name: "webhook-endpoint-after-attempt",
        text: `UPDATE "WebhookEndpoint"
             SET "failingSince" = CASE
               WHEN $2::boolean OR "failingSince" IS NOT NULL THEN CASE WHEN $2::boolean THEN NULL ELSE "failingSince" END
               WHEN EXISTS (
                 SELECT 1 FROM "WebhookDelivery" s
                 WHERE s."endpointId" = $1 AND s."lastAttemptAt" >= $4 AND s."status" = 'SUCCEEDED') THEN NULL
               ELSE $3::timestamptz END
             WHERE "id" = $1 RETURNING "failingSince"`,
        values: [delivery.endpointId, status === "SUCCEEDED", attempt.attemptedAt, input.successesSince],
      });
      const failingSince = rows[0]?.failingSince ?? null;
      const disable = input.disableFor(failingSince);
      let disabled = false;
      if (disable) {
        const result = await client.query({
          name: "webhook-endpoint-disable",
          text: `UPDATE "WebhookEndpoint" SET "enabled" = false, "disabledReason" = $2, "disabledAt" = $3, "updatedAt" = $3
               WHERE "id" = $1 AND "enabled"`,
          values: [delivery.endpointId, disable.reason, disable.at],
        });
        disabled = (result.rowCount ?? 0) > 0;
      }
      await client.query("COMMIT");
      return { written: true, failingSince, disabled };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
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
 * Makes a delivery PENDING and due at `now` (a re-send of a final one, or a PENDING one moved forward); false when
 * there is no delivery with this id. A delivery being sent keeps its lease: the attempt in flight writes its result.
 */
export async function rescheduleWebhookDelivery(db: Tx, input: { id: string; now: Date }): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE "WebhookDelivery" SET "status" = 'PENDING', "nextAttemptAt" = ${input.now}, "updatedAt" = ${input.now}
    WHERE "id" = ${input.id}::uuid`;
  return count > 0;
}
