import { randomBytes, randomUUID } from "node:crypto";
import type { Database } from "@paysign/server";
import { startWebhookReceiver, type WebhookReceiver } from "../../apps/server/test/support/webhook-receiver.ts";
import { mapConcurrent } from "../api.ts";
import { monotonicMicros } from "../profile.ts";
import { ratiosOf, round, type ScenarioResult } from "../results.ts";
import { onFreshStack, type ScenarioOptions } from "../scenario.ts";

const AGREEMENTS = 20;
/** The server's send lanes (webhooks/deliveries.ts): the peer posts with as many at once. */
const LANES = 4;

/**
 * Writes `count` outbox rows in ONE transaction, so they become visible together: half of them events of
 * AGREEMENTS agreements (1, 2, 3… each), half without an agreement. Same rows as appendWebhookEvent writes.
 */
async function seedEvents(db: Database, count: number): Promise<void> {
  const plan = await db.prisma.plan.findFirstOrThrow();
  const customers = Array.from({ length: AGREEMENTS }, () => ({ id: randomUUID() }));
  await db.prisma.customer.createMany({ data: customers });
  const agreements = customers.map((customer) => ({
    id: randomUUID(),
    externalAgreementNo: randomBytes(8).toString("hex"),
    customerId: customer.id,
    planId: plan.id,
    productCode: plan.productCode,
    personalProductCode: "GENERAL_WITHHOLDING_P",
    signScene: plan.signScene,
    effectType: "DIRECT" as const,
    periodType: "MONTH" as const,
    period: 1,
    executeTime: new Date("2030-01-08T00:00:00Z"),
    singleAmount: "19.90",
  }));
  await db.prisma.agreement.createMany({ data: agreements });
  const perAgreement = Math.floor(count / 2 / AGREEMENTS);
  const loose = count - perAgreement * AGREEMENTS;
  await db.sql.query(
    `WITH a AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "Agreement" WHERE id = ANY ($1::uuid[])),
          tied AS (SELECT a.id AS "agreementId", s AS "sequence" FROM a, generate_series(1, $2::int) s),
          all_events AS (
            SELECT "agreementId", "sequence" FROM tied
            UNION ALL SELECT NULL::uuid, NULL::int FROM generate_series(1, $3::int))
     INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
     SELECT gen_random_uuid(), 'charge.succeeded', "agreementId", "sequence", jsonb_build_object('bench', true),
            pg_current_xact_id()::text::bigint
     FROM all_events ORDER BY "sequence" NULLS LAST`,
    [agreements.map((agreement) => agreement.id), perAgreement, loose],
  );
}

async function waitForDeliveries(db: Database, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await db.prisma.webhookDelivery.count({ where: { status: "SUCCEEDED" } });
    if (done >= count || Date.now() > deadline) return done;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The peer: the same number of POSTs of a like body straight to the receiver, LANES at a time (no database). */
async function directPosts(receiver: WebhookReceiver, count: number): Promise<number> {
  const body = JSON.stringify({ id: randomUUID(), type: "charge.succeeded", data: { bench: true } });
  const started = performance.now();
  await mapConcurrent(
    Array.from({ length: count }, () => 0),
    LANES,
    async () => {
      const answer = await fetch(receiver.url, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": "peer" },
        body,
      });
      await answer.arrayBuffer();
    },
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * `webhooks`: N outbox events committed at once, fanned out and sent by the API's own pg-boss job to a receiver on
 * loopback answering 200; deliveries/s from the commit until every delivery is SUCCEEDED. Bounded by one
 * transaction per delivery held across its POST (claim with SKIP LOCKED, attempt, delivery and endpoint writes), 4
 * lanes in one exclusive job, and up to one JOBS_POLLING_INTERVAL_SECONDS before the job starts. Peer: the same
 * number of POSTs straight to the receiver.
 */
export function runWebhooks(options: ScenarioOptions): Promise<ScenarioResult> {
  const count = options.sizes.webhookEvents;
  return onFreshStack("webhooks", options, async ({ db, markLoad }) => {
    const receiver = await startWebhookReceiver();
    try {
      await db.prisma.webhookEndpoint.create({
        data: {
          id: randomUUID(),
          url: receiver.url,
          eventTypes: [],
          secret: `whsec_${randomBytes(32).toString("base64")}`,
        },
      });
      const from = monotonicMicros();
      const started = performance.now();
      await seedEvents(db, count);
      const succeeded = await waitForDeliveries(db, count, 300_000);
      const seconds = (performance.now() - started) / 1000;
      markLoad({ from, to: monotonicMicros() });

      const receipts = [...receiver.receipts];
      const ids = new Set(receipts.map((receipt) => receipt.webhookId));
      const events = await db.prisma.webhookEvent.findMany({ select: { id: true } });
      const byAgreement = new Map<string, number[]>();
      for (const receipt of receipts) {
        const body = JSON.parse(receipt.body) as { agreementId: string | null; sequence: number | null };
        if (body.agreementId === null) continue;
        byAgreement.set(body.agreementId, [...(byAgreement.get(body.agreementId) ?? []), body.sequence ?? 0]);
      }
      const inOrder = [...byAgreement.values()].every((sequences) =>
        sequences.every((sequence, index) => sequence === index + 1),
      );
      const value = succeeded / seconds;
      const peers = { receiver_direct: round(await directPosts(receiver, count)) };
      return {
        status: "ok",
        value: round(value),
        unit: "deliveries/s",
        peers,
        ratios: ratiosOf("webhooks", value, peers),
        checks: {
          every_event_delivered: events.every((event) => ids.has(event.id)) && events.length === count,
          none_lost: succeeded === count,
          none_sent_twice: receipts.length === count,
          per_agreement_order: inOrder && byAgreement.size === AGREEMENTS,
        },
        details: {
          events: count,
          agreements: AGREEMENTS,
          receipts: receipts.length,
          seconds: round(seconds),
          lanes: LANES,
          bound:
            "per delivery a fan-out pass, a committed lease claim and, after the POST, a short transaction for the " +
            "attempt, delivery and endpoint; 4 lanes in one exclusive pg-boss job, up to one polling interval before it starts",
        },
      };
    } finally {
      await receiver.close();
    }
  });
}
