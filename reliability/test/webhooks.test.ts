import { randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { WebhookEvent } from "../../packages/contracts/src/index.ts";
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from "vitest";
import { seedDemoPlans } from "../../apps/server/src/db/seed.ts";
import { appendWebhookEvent } from "../../apps/server/src/repositories/webhook-events.ts";
import {
  heldAnswer,
  startWebhookReceiver,
  type Receipt,
  type WebhookReceiver,
} from "../../apps/server/test/support/webhook-receiver.ts";
import { reportLine } from "./support/histories.ts";
import { waitFor } from "./support/http.ts";
import { assertLogsClean, dumpApiLog } from "./support/scenario-logs.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Outbound webhooks across a crash: events are seeded in the outbox, the API's own job fans them out and sends them
// to a real receiver that holds the first answers; the API is SIGKILLed while those sends are in flight and started
// again. Every event must reach the receiver at least once, in each agreement's order, and only the ones in flight at
// the kill may come twice.

const AGREEMENTS = 20;
const EVENTS_PER_AGREEMENT = 3;
const LOOSE_EVENTS = 20;
const HELD = 4;

let stack: Stack;
let receiver: WebhookReceiver;
beforeAll(async () => {
  stack = await startStack({ name: "webhooks" });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

async function createAgreement(planId: string): Promise<string> {
  const { prisma } = stack.db;
  const customer = await prisma.customer.create({ data: { id: randomUUID() } });
  const agreement = await prisma.agreement.create({
    data: {
      id: randomUUID(),
      externalAgreementNo: randomBytes(8).toString("hex"),
      customerId: customer.id,
      planId,
      productCode: "GENERAL_WITHHOLDING",
      personalProductCode: "GENERAL_WITHHOLDING_P",
      signScene: "INDUSTRY|DIGITAL_MEDIA",
      effectType: "DIRECT",
      periodType: "MONTH",
      period: 1,
      executeTime: new Date("2030-01-08T00:00:00Z"),
      singleAmount: "19.90",
    },
  });
  return agreement.id;
}

const headersOf = (receipt: Receipt) => ({
  "webhook-id": String(receipt.headers["webhook-id"]),
  "webhook-timestamp": String(receipt.headers["webhook-timestamp"]),
  "webhook-signature": String(receipt.headers["webhook-signature"]),
});

/** Seeded events carry a marker, not a resource: delivery never reads inside `data`. */
function marker(data: Record<string, number>): WebhookEvent["data"] {
  return data as unknown as WebhookEvent["data"];
}

describe("webhooks across a crash", () => {
  test("the API is killed while deliveries are in flight: after the restart every event is delivered at least once, in order, none lost", async () => {
    onTestFailed(() => dumpApiLog(stack));
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    stack.rememberSecret("webhook secret", secret);
    await stack.db.prisma.webhookEndpoint.create({
      data: { id: randomUUID(), url: receiver.url, eventTypes: [], secret },
    });
    const [plan] = await seedDemoPlans(stack.db).then(() => stack.db.prisma.plan.findMany({ take: 1 }));
    if (!plan) throw new Error("no plan seeded");

    const held = Array.from({ length: HELD }, () => heldAnswer());
    receiver.answerWith((_receipt, index) => held[index]?.answer ?? { status: 200 });
    const eventIds: string[] = [];
    const agreements: string[] = [];
    for (let index = 0; index < AGREEMENTS; index++) agreements.push(await createAgreement(plan.id));
    // Every event in one transaction: the API's job sees them all at once, so its lanes take HELD distinct deliveries
    // together. Committed one by one, a job could start on the first few; its other lanes found nothing, and a held
    // send that timed out was sent again before the HELD-th distinct one (the first receipts then held a repeat).
    await stack.db.prisma.$transaction(
      async (tx) => {
        for (let round = 0; round < EVENTS_PER_AGREEMENT; round++) {
          for (const agreementId of agreements) {
            const written = await appendWebhookEvent(tx, {
              type: "charge.succeeded",
              agreementId,
              data: marker({ round }),
            });
            eventIds.push(written.id);
          }
        }
        for (let index = 0; index < LOOSE_EVENTS; index++) {
          const written = await appendWebhookEvent(tx, {
            type: "reconciliation.difference_found",
            agreementId: null,
            data: marker({ index }),
          });
          eventIds.push(written.id);
        }
      },
      { timeout: 60_000 },
    );

    // The API's job fans out and sends; its lanes all wait on the held answers.
    const inFlight = await receiver.received(HELD);
    await stack.api.crash();
    const inFlightIds = new Set(inFlight.slice(0, HELD).map((receipt) => receipt.webhookId));
    const receivedAtCrash = receiver.receipts.length;
    for (const answer of held) answer.release(200);
    const restartedAt = Date.now();
    await stack.api.restart();

    await waitFor({
      what: "every delivery SUCCEEDED after the restart",
      probe: () => stack.db.prisma.webhookDelivery.count({ where: { status: "SUCCEEDED" } }),
      done: (count) => count === eventIds.length,
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    const seconds = (Date.now() - restartedAt) / 1000;

    const receipts = [...receiver.receipts];
    const byId = new Map<string, number>();
    for (const receipt of receipts) byId.set(receipt.webhookId, (byId.get(receipt.webhookId) ?? 0) + 1);
    const lost = eventIds.filter((id) => !byId.has(id));
    const resent = [...byId].filter(([, count]) => count > 1).map(([id]) => id);
    const unexpectedDoubles = resent.filter((id) => !inFlightIds.has(id));
    const outOfOrder = agreements.filter((agreementId) => {
      const sequences = receipts
        .map((receipt) => JSON.parse(receipt.body) as { agreementId: string | null; sequence: number | null })
        .filter((body) => body.agreementId === agreementId)
        .map((body) => body.sequence ?? 0);
      // In order: each sequence is the same as or one more than the one before it (a re-send repeats one).
      return sequences.some((sequence, index) => index > 0 && sequence < (sequences[index - 1] ?? 0));
    });
    const unverified = receipts.filter((receipt) => {
      try {
        new Webhook(secret).verify(receipt.body, headersOf(receipt));
        return false;
      } catch {
        return true;
      }
    });
    reportLine(
      "webhooks",
      {
        injected: 1,
        survived: `${byId.size}/${eventIds.length}`,
        lost: lost.length,
        double: unexpectedDoubles.length,
      },
      `${eventIds.length} events (${AGREEMENTS} agreements × ${EVENTS_PER_AGREEMENT} + ${LOOSE_EVENTS} without one), ` +
        `SIGKILL with ${inFlightIds.size} sends in flight (${receivedAtCrash} received by then), ${receipts.length} ` +
        `receipts, ${resent.length} events re-sent after the restart (all of them in flight at the kill), ` +
        `${outOfOrder.length} agreements out of order, ${unverified.length} bad signatures, all delivered ` +
        `${seconds.toFixed(1)} s after the restart began`,
    );
    expect(lost).toEqual([]);
    expect(unexpectedDoubles).toEqual([]);
    expect(outOfOrder).toEqual([]);
    expect(unverified).toEqual([]);
    expect(inFlightIds.size).toBe(HELD);
    assertLogsClean(stack);
  });
});
