import { randomBytes, randomUUID } from "node:crypto";
import type { WebhookEvent, WebhookEventType } from "@paysign/contracts";
import { defined } from "@paysign/test-kit";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { appendWebhookEvent, findFinalEvents, type StreamPlace } from "../src/repositories/webhook-events.ts";
import type { ServiceDeps } from "../src/services/deps.ts";
import { dispatchWebhookEvents, sendDueWebhookDeliveries } from "../src/webhooks/deliveries.ts";
import { http, monthlyPlanId, type Json } from "./support/customer-client.ts";
import { setClock } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";
import { heldAnswer, startWebhookReceiver, type Receipt, type WebhookReceiver } from "./support/webhook-receiver.ts";

// Outbound webhooks (issue #19) against a real HTTP receiver on loopback: fan-out, signed sends, back-off driven by
// the sandbox clock (the server's Clock), per-agreement order, the production SSRF guard, disabling, final failure.
let stack: Stack;
let receiver: WebhookReceiver;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  // Each test has its own endpoints and receiver; nothing of one is sent in the next.
  await stack.database.db.prisma.webhookEndpoint.deleteMany({});
  await receiver?.close();
});

const hours = (count: number) => count * 3_600_000;
const at = (base: Date, offsetMs: number) => new Date(base.getTime() + offsetMs);

/** The sandbox clock keeps running after a move: a time read after `expected` is a few milliseconds past it. */
function expectNear(actual: Date | null | undefined, expected: Date): void {
  const drift = defined(actual, "a time").getTime() - expected.getTime();
  expect(drift).toBeGreaterThanOrEqual(0);
  expect(drift).toBeLessThan(5_000);
}

async function moveClock(to: Date): Promise<void> {
  await setClock(stack, to.toISOString());
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

async function createEndpoint(
  url: string,
  options: { eventTypes?: string[]; enabled?: boolean; previousSecret?: string; previousUntil?: Date } = {},
) {
  return await stack.database.db.prisma.webhookEndpoint.create({
    data: {
      id: randomUUID(),
      url,
      eventTypes: options.eventTypes ?? [],
      enabled: options.enabled ?? true,
      secret: newSecret(),
      previousSecret: options.previousSecret ?? null,
      previousSecretExpiresAt: options.previousUntil ?? null,
    },
  });
}

/** An agreement row of its own (no Alipay flow, so no other writer adds events to it). */
async function createAgreement(): Promise<string> {
  const { prisma } = stack.database.db;
  const customer = await prisma.customer.create({ data: { id: randomUUID() } });
  const agreement = await prisma.agreement.create({
    data: {
      id: randomUUID(),
      externalAgreementNo: randomBytes(8).toString("hex"),
      customerId: customer.id,
      planId: monthlyPlanId,
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

/** An outbox row as the writers make one; its data is a marker, not a resource: delivery never reads inside it. */
async function appendEvent(type: WebhookEventType, agreementId: string | null, data: Json = {}): Promise<string> {
  const marker = { note: "test event", ...data } as unknown as WebhookEvent["data"];
  const written = await stack.database.db.prisma.$transaction((tx) =>
    appendWebhookEvent(tx, { type, agreementId, data: marker }),
  );
  return written.id;
}

/** What the job does once: fan out, then send everything due now. */
async function round(deps: ServiceDeps = stack.deps) {
  await dispatchWebhookEvents(deps);
  return await sendDueWebhookDeliveries(deps);
}

async function deliveryOf(eventId: string) {
  return await stack.database.db.prisma.webhookDelivery.findFirstOrThrow({
    where: { eventId },
    include: { attempts: { orderBy: { attemptedAt: "asc" } } },
  });
}

const bodyOf = (receipt: Receipt) => JSON.parse(receipt.body) as Json;

describe("fan-out and a receiver answering 200", () => {
  test("every event is delivered exactly once (by webhook-id), to the endpoints that take its type and existed when it was written", async () => {
    receiver = await startWebhookReceiver();
    await moveClock(new Date("2030-01-01T00:00:00Z"));
    const all = await createEndpoint(receiver.url);
    const chargesOnly = await createEndpoint(receiver.url, { eventTypes: ["charge.succeeded"] });
    const disabled = await createEndpoint(receiver.url, { enabled: false });
    const agreementId = await createAgreement();
    const events = [
      await appendEvent("agreement.activated", agreementId),
      await appendEvent("charge.succeeded", agreementId, { amount: "19.90" }),
      await appendEvent("reconciliation.difference_found", null),
    ];
    const late = await createEndpoint(receiver.url);

    const first = await round();
    const again = await round();

    expect(first).toMatchObject({ attempts: 4, succeeded: 4 });
    expect(again.attempts).toBe(0);
    const receipts = await receiver.received(4);
    expect(receipts).toHaveLength(4);
    expect(receipts.map((receipt) => receipt.webhookId).sort()).toEqual([...events, events[1]].sort());
    const deliveries = await stack.database.db.prisma.webhookDelivery.findMany({ include: { attempts: true } });
    const byEndpoint = (id: string) => deliveries.filter((delivery) => delivery.endpointId === id);
    expect(
      byEndpoint(all.id)
        .map((delivery) => delivery.eventId)
        .sort(),
    ).toEqual([...events].sort());
    expect(byEndpoint(chargesOnly.id).map((delivery) => delivery.eventId)).toEqual([events[1]]);
    expect(byEndpoint(disabled.id)).toEqual([]);
    expect(byEndpoint(late.id)).toEqual([]);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ status: "SUCCEEDED", attemptCount: 1, nextAttemptAt: null });
      expect(delivery.attempts).toEqual([
        expect.objectContaining({ statusCode: 200, responseBody: "ok", error: null }),
      ]);
    }
    const charge = defined(
      receipts.find((receipt) => receipt.webhookId === events[1]),
      "the charge event's receipt",
    );
    expect(bodyOf(charge)).toEqual({
      id: events[1],
      type: "charge.succeeded",
      createdAt: expect.any(String) as string,
      agreementId,
      sequence: 2,
      data: { note: "test event", amount: "19.90" },
    });
    expect(charge.headers["content-type"]).toBe("application/json");
  });

  test("the dispatcher is idempotent: a delivery is made once per endpoint and event, however often it runs", async () => {
    receiver = await startWebhookReceiver();
    receiver.answerWith(() => ({ status: 503 }));
    await moveClock(new Date("2030-01-02T00:00:00Z"));
    await createEndpoint(receiver.url);
    const eventId = await appendEvent("agreement.activated", null);

    const runs = await Promise.all([dispatchWebhookEvents(stack.deps), dispatchWebhookEvents(stack.deps)]);
    await dispatchWebhookEvents(stack.deps);

    expect(runs.map((run) => run.deliveries).reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(await stack.database.db.prisma.webhookDelivery.count({ where: { eventId } })).toBe(1);
  });
});

describe("retries", () => {
  test("500, 500, 500 then 200: four receipts with the same webhook-id, each retry on the back-off (5 s, 30 s, 2 min ± 20 %)", async () => {
    receiver = await startWebhookReceiver();
    receiver.answerWith((_receipt, index) => (index < 3 ? { status: 500, body: "boom" } : { status: 200 }));
    const start = new Date("2030-02-01T00:00:00Z");
    await moveClock(start);
    await createEndpoint(receiver.url);
    const eventId = await appendEvent("charge.failed", null);

    await round();
    const delays: number[] = [];
    for (let retry = 1; retry <= 3; retry++) {
      const pending = await deliveryOf(eventId);
      const due = defined(pending.nextAttemptAt, "nextAttemptAt");
      delays.push(due.getTime() - defined(pending.lastAttemptAt, "lastAttemptAt").getTime());
      await moveClock(at(due, -1_000));
      expect((await round()).attempts, `nothing is sent before retry ${retry} is due`).toBe(0);
      await moveClock(due);
      expect((await round()).attempts).toBe(1);
    }

    const receipts = await receiver.received(4);
    expect(receipts).toHaveLength(4);
    expect(new Set(receipts.map((receipt) => receipt.webhookId))).toEqual(new Set([eventId]));
    const delivery = await deliveryOf(eventId);
    expect(delivery).toMatchObject({ status: "SUCCEEDED", attemptCount: 4, nextAttemptAt: null });
    expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 200]);
    expect(delivery.attempts[0]).toMatchObject({ responseBody: "boom", error: null });
    expectNear(delivery.attempts[0]?.attemptedAt, start);
    const gaps = delivery.attempts
      .slice(1)
      .map((attempt, index) => attempt.attemptedAt.getTime() - (delivery.attempts[index]?.attemptedAt.getTime() ?? 0));
    const steps = [5_000, 30_000, 120_000];
    steps.forEach((step, index) => {
      expect(delays[index]).toBeGreaterThanOrEqual(step * 0.8);
      expect(delays[index]).toBeLessThanOrEqual(step * 1.2);
      // Each retry was made when it fell due (the clock was moved there), so the attempts show the same gaps.
      expect(gaps[index]).toBeGreaterThanOrEqual(step * 0.8 - 1_000);
      expect(gaps[index]).toBeLessThanOrEqual(step * 1.2 + 1_000);
    });
    expect(delivery.attempts.every((attempt) => attempt.latencyMs >= 0)).toBe(true);
  });

  test("a receiver that does not answer within WEBHOOK_TIMEOUT_MS: the attempt is recorded as a timeout and retried", async () => {
    receiver = await startWebhookReceiver();
    const held = heldAnswer();
    receiver.answerWith(() => held.answer);
    await moveClock(new Date("2030-02-02T00:00:00Z"));
    await createEndpoint(receiver.url);
    const eventId = await appendEvent("charge.failed", null);
    const quick: ServiceDeps = { ...stack.deps, config: { ...stack.config, webhookTimeoutMs: 300 } };

    await round(quick);
    held.release(200);

    const delivery = await deliveryOf(eventId);
    expect(delivery).toMatchObject({ status: "PENDING", attemptCount: 1 });
    expect(delivery.attempts[0]).toMatchObject({ statusCode: null, error: "no answer within 300 ms" });
    expect(delivery.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(250);
  });

  test("a delivery that never gets a 2xx is tried until 3 days after its first attempt, then FAILED", async () => {
    receiver = await startWebhookReceiver();
    const start = new Date("2030-03-01T00:00:00Z");
    await moveClock(start);
    const endpoint = await createEndpoint(receiver.url);
    const doomed = await appendEvent("charge.failed", null);
    receiver.answerWith((receipt) => (receipt.webhookId === doomed ? { status: 500 } : { status: 200 }));

    await round();
    // Another event succeeds every 12 hours, so the endpoint is never a whole day without a success.
    for (let step = 1; step <= 6; step++) {
      await moveClock(at(start, hours(12 * step) + 5_000));
      await appendEvent("charge.succeeded", null);
      await round();
      if (step < 6) expect((await deliveryOf(doomed)).status, `after ${12 * step} h`).toBe("PENDING");
    }

    const delivery = await deliveryOf(doomed);
    expect(delivery).toMatchObject({ status: "FAILED", nextAttemptAt: null });
    expect(delivery.attempts).toHaveLength(7);
    expectNear(delivery.attempts.at(0)?.attemptedAt, start);
    expectNear(delivery.attempts.at(-1)?.attemptedAt, at(start, hours(72) + 5_000));
    expect(delivery.attempts.every((attempt) => attempt.statusCode === 500)).toBe(true);
    expect(
      await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } }),
    ).toMatchObject({ enabled: true, failingSince: null });
    await moveClock(at(start, hours(100)));
    expect((await round()).attempts).toBe(0);
  });
});

describe("disabling an endpoint that fails for a day", () => {
  test("every attempt failing for 24 h disables the endpoint (logged with its id, counted); a success in between resets the day", async () => {
    receiver = await startWebhookReceiver();
    let healthy = false;
    receiver.answerWith(() => ({ status: healthy ? 200 : 502 }));
    const start = new Date("2030-04-01T00:00:00Z");
    await moveClock(start);
    const endpoint = await createEndpoint(receiver.url);
    const read = () => stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    const disabledBefore = (await stack.deps.metrics?.webhookEndpointsDisabled.get())?.values[0]?.value ?? 0;

    await appendEvent("charge.failed", null);
    await round();
    expectNear((await read()).failingSince, start);
    await moveClock(at(start, hours(12)));
    healthy = true;
    await appendEvent("charge.succeeded", null);
    await round();
    expect((await read()).failingSince).toBeNull();

    healthy = false;
    const failingFrom = at(start, hours(13));
    await moveClock(failingFrom);
    const stuck = await appendEvent("charge.failed", null);
    await round();
    await moveClock(at(failingFrom, hours(23)));
    await round();
    expect((await read()).enabled).toBe(true);
    expectNear((await read()).failingSince, failingFrom);

    await moveClock(at(failingFrom, hours(24) + 5_000));
    await round();

    const disabled = await read();
    expect(disabled).toMatchObject({ enabled: false, disabledReason: expect.stringContaining("24 hours") as string });
    expectNear(disabled.disabledAt, at(failingFrom, hours(24) + 5_000));
    const errorLines = stack.logs
      .map((line) => JSON.parse(line) as Json)
      .filter((line) => line.level === 50 && line.endpointId === endpoint.id);
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]?.msg).toMatch(/disabled/);
    const disabledAfter = (await stack.deps.metrics?.webhookEndpointsDisabled.get())?.values[0]?.value ?? 0;
    expect(disabledAfter - disabledBefore).toBe(1);

    const sent = receiver.receipts.length;
    healthy = true;
    await moveClock(at(failingFrom, hours(30)));
    await appendEvent("charge.succeeded", null);
    expect((await round()).attempts).toBe(0);
    expect(receiver.receipts).toHaveLength(sent);
    expect((await deliveryOf(stuck)).status).toBe("PENDING");
  });
});

describe("per-agreement order", () => {
  test("a later event of an agreement waits while an earlier one is held, then fails and is retried; other agreements and events without one go on", async () => {
    receiver = await startWebhookReceiver();
    const start = new Date("2030-05-01T00:00:00Z");
    await moveClock(start);
    await createEndpoint(receiver.url);
    const first = await createAgreement();
    const other = await createAgreement();
    const a1 = await appendEvent("agreement.activated", first);
    const a2 = await appendEvent("charge.succeeded", first);
    const a3 = await appendEvent("agreement.unsigned", first);
    const b1 = await appendEvent("agreement.activated", other);
    const loose = await appendEvent("reconciliation.difference_found", null);
    const held = heldAnswer();
    receiver.answerWith((receipt, index) => (receipt.webhookId === a1 && index < 3 ? held.answer : { status: 200 }));

    await dispatchWebhookEvents(stack.deps);
    const sending = sendDueWebhookDeliveries(stack.deps);
    const early = await receiver.received(3);
    // A second worker while a1's answer is held: a1 is locked, a2 and a3 wait for it.
    const meanwhile = await sendDueWebhookDeliveries(stack.deps);

    expect(early.map((receipt) => receipt.webhookId).sort()).toEqual([a1, b1, loose].sort());
    expect(meanwhile.attempts).toBe(0);
    expect(receiver.receipts.map((receipt) => receipt.webhookId)).not.toContain(a2);

    held.release(500);
    await sending;
    expect(receiver.receipts.map((receipt) => receipt.webhookId)).not.toContain(a2);
    expect((await deliveryOf(a1)).status).toBe("PENDING");

    await moveClock(at(start, 10_000));
    await round();

    const ofFirst = receiver.receipts.filter((receipt) => bodyOf(receipt).agreementId === first);
    expect(ofFirst.map((receipt) => bodyOf(receipt).sequence)).toEqual([1, 1, 2, 3]);
    expect(ofFirst.map((receipt) => receipt.webhookId)).toEqual([a1, a1, a2, a3]);
    for (const id of [a1, a2, a3, b1, loose]) expect((await deliveryOf(id)).status).toBe("SUCCEEDED");
  });
});

describe("signatures", () => {
  test("a signature our sender made verifies with the library's Webhook.verify and fails after one byte of the body changes", async () => {
    receiver = await startWebhookReceiver();
    await moveClock(new Date("2030-06-01T00:00:00Z"));
    const endpoint = await createEndpoint(receiver.url);
    const eventId = await appendEvent("agreement.paused", null, { reason: "verify me" });

    await round();

    const [receipt] = await receiver.received(1);
    const { body, headers } = defined(receipt, "the receipt");
    const signed = {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    };
    expect(signed["webhook-id"]).toBe(eventId);
    expect(signed["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(new Webhook(endpoint.secret).verify(body, signed)).toMatchObject({ id: eventId, type: "agreement.paused" });
    const tampered = body.replace("verify me", "verify mE");
    expect(tampered).not.toBe(body);
    expect(() => new Webhook(endpoint.secret).verify(tampered, signed)).toThrow(/signature/i);
    expect(() => new Webhook(newSecret()).verify(body, signed)).toThrow(/signature/i);
  });

  test("during a rotation's overlap each attempt is signed with the current and the previous secret; after it, with the current one", async () => {
    receiver = await startWebhookReceiver();
    const now = new Date("2030-06-02T00:00:00Z");
    await moveClock(now);
    const previous = newSecret();
    const endpoint = await createEndpoint(receiver.url, { previousSecret: previous, previousUntil: at(now, hours(1)) });
    await appendEvent("agreement.resumed", null);
    await round();
    await moveClock(at(now, hours(2)));
    await appendEvent("agreement.resumed", null);
    await round();

    const [during, after] = await receiver.received(2);
    const headersOf = (receipt: Receipt | undefined) => {
      const { headers } = defined(receipt, "a receipt");
      return {
        "webhook-id": String(headers["webhook-id"]),
        "webhook-timestamp": String(headers["webhook-timestamp"]),
        "webhook-signature": String(headers["webhook-signature"]),
      };
    };
    expect(headersOf(during)["webhook-signature"].split(" ")).toHaveLength(2);
    expect(() => new Webhook(previous).verify(during?.body ?? "", headersOf(during))).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(during?.body ?? "", headersOf(during))).not.toThrow();
    expect(headersOf(after)["webhook-signature"].split(" ")).toHaveLength(1);
    expect(() => new Webhook(previous).verify(after?.body ?? "", headersOf(after))).toThrow(/signature/i);
    expect(() => new Webhook(endpoint.secret).verify(after?.body ?? "", headersOf(after))).not.toThrow();
  });
});

describe("the SSRF guard at send time", () => {
  test("in production a loopback target is refused when connecting (a literal IP and a name resolving to one): the attempt is recorded, nothing is sent", async () => {
    receiver = await startWebhookReceiver();
    await moveClock(new Date("2030-07-01T00:00:00Z"));
    await createEndpoint(receiver.url);
    await createEndpoint(`http://localhost:${receiver.port}/hooks`);
    const eventId = await appendEvent("charge.succeeded", null);
    const production: ServiceDeps = {
      ...stack.deps,
      config: { ...stack.config, nodeEnv: "production", webhookPublicTargetsOnly: true },
    };

    const sent = await round(production);

    expect(sent).toMatchObject({ attempts: 2, retrying: 2 });
    expect(receiver.receipts).toHaveLength(0);
    const deliveries = await stack.database.db.prisma.webhookDelivery.findMany({
      where: { eventId },
      include: { attempts: true },
    });
    expect(deliveries).toHaveLength(2);
    for (const delivery of deliveries) {
      expect(delivery.status).toBe("PENDING");
      expect(delivery.attempts).toEqual([
        expect.objectContaining({
          statusCode: null,
          error: expect.stringMatching(/refused to connect to (127\.0\.0\.1|::1)/) as string,
        }),
      ]);
    }
  });

  test("outside production the same loopback receiver is sent to", async () => {
    receiver = await startWebhookReceiver();
    await moveClock(new Date("2030-07-02T00:00:00Z"));
    await createEndpoint(`http://localhost:${receiver.port}/hooks`);
    await appendEvent("charge.succeeded", null);

    expect(await round()).toMatchObject({ attempts: 1, succeeded: 1 });
    expect(receiver.receipts).toHaveLength(1);
  });
});

describe("deliveries routes", () => {
  const admin = (path: string, method = "GET") =>
    http(`${stack.api}${path}`, { method, headers: { "x-admin-key": stack.config.adminApiKey } });

  test("list by endpoint and status, one delivery with its attempts, and a retry that sends a delivered event again with the same webhook-id", async () => {
    receiver = await startWebhookReceiver();
    await moveClock(new Date("2030-08-01T00:00:00Z"));
    const endpoint = await createEndpoint(receiver.url);
    const delivered = await appendEvent("refund.succeeded", null);
    const later = await appendEvent("refund.failed", null);
    receiver.answerWith((receipt) => (receipt.webhookId === later ? { status: 500 } : { status: 200 }));
    await round();

    const list = await admin(`/admin/v1/webhook-deliveries?endpointId=${endpoint.id}`);
    const succeeded = await admin(`/admin/v1/webhook-deliveries?endpointId=${endpoint.id}&status=SUCCEEDED`);
    const byEvent = await admin(`/admin/v1/webhook-deliveries?eventId=${later}`);
    expect(list.status).toBe(200);
    expect((list.body.items as Json[]).map((item) => item.eventId).sort()).toEqual([delivered, later].sort());
    expect((succeeded.body.items as Json[]).map((item) => item.eventId)).toEqual([delivered]);
    expect((byEvent.body.items as Json[]).map((item) => item.status)).toEqual(["PENDING"]);
    const paged = await admin(`/admin/v1/webhook-deliveries?endpointId=${endpoint.id}&limit=1`);
    expect(paged.body.items).toHaveLength(1);
    const next = await admin(
      `/admin/v1/webhook-deliveries?endpointId=${endpoint.id}&limit=1&cursor=${String(paged.body.nextCursor)}`,
    );
    expect(
      [...(paged.body.items as Json[]), ...(next.body.items as Json[])].map((item) => item.eventId).sort(),
    ).toEqual([delivered, later].sort());

    const id = (await deliveryOf(delivered)).id;
    const detail = await admin(`/admin/v1/webhook-deliveries/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id, eventId: delivered, status: "SUCCEEDED", attemptCount: 1 });
    expect(detail.body.attempts).toEqual([expect.objectContaining({ statusCode: 200, responseBody: "", error: null })]);

    const retried = await admin(`/admin/v1/webhook-deliveries/${id}/retry`, "POST");
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, status: "PENDING" });
    await round();
    const again = await admin(`/admin/v1/webhook-deliveries/${id}`);
    expect(again.body).toMatchObject({ status: "SUCCEEDED", attemptCount: 2 });
    expect(receiver.receipts.filter((receipt) => receipt.webhookId === delivered)).toHaveLength(2);

    const pendingId = (await deliveryOf(later)).id;
    const moved = await admin(`/admin/v1/webhook-deliveries/${pendingId}/retry`, "POST");
    expect(moved.status).toBe(202);
    expect(moved.body).toMatchObject({ status: "PENDING" });
    expectNear(new Date(String(moved.body.nextAttemptAt)), new Date("2030-08-01T00:00:00Z"));

    const missing = await admin(`/admin/v1/webhook-deliveries/${randomUUID()}`);
    const missingRetry = await admin(`/admin/v1/webhook-deliveries/${randomUUID()}/retry`, "POST");
    expect([missing.status, missingRetry.status]).toEqual([404, 404]);
  });
});

describe("a slow or dead receiver does not hold back the others (issue #19 review)", () => {
  test("an endpoint hanging on every lane: once one of its attempts ends, the freed lane fans out and sends a healthy endpoint's new event before the hanging one gets another attempt", async () => {
    const hanging = await startWebhookReceiver();
    try {
      receiver = await startWebhookReceiver();
      const held = Array.from({ length: 12 }, () => heldAnswer());
      hanging.answerWith((_receipt, index) => held[index]?.answer ?? { status: 500 });
      await moveClock(new Date("2030-09-01T00:00:00Z"));
      await createEndpoint(hanging.url);
      for (let index = 0; index < 8; index++) await appendEvent("charge.failed", null, { index });
      await dispatchWebhookEvents(stack.deps);
      const sending = sendDueWebhookDeliveries(stack.deps, { lanes: 4 });
      await hanging.received(4);

      await createEndpoint(receiver.url);
      const fresh = await appendEvent("charge.succeeded", null);
      defined(held[0], "the first held answer").release(500);
      const first = await Promise.race([
        receiver.received(1).then(() => "the healthy endpoint"),
        hanging.received(5).then(() => "the hanging endpoint"),
      ]);

      expect(first).toBe("the healthy endpoint");
      expect(receiver.receipts.map((receipt) => receipt.webhookId)).toEqual([fresh]);
      for (const answer of held) answer.release(500);
      await sending;
    } finally {
      await hanging.close();
    }
  });

  test("a round is bounded: roundMs 0 makes one attempt per lane and leaves the rest due for the next round", async () => {
    receiver = await startWebhookReceiver();
    await moveClock(new Date("2030-09-02T00:00:00Z"));
    await createEndpoint(receiver.url);
    for (let index = 0; index < 5; index++) await appendEvent("charge.succeeded", null, { index });
    await dispatchWebhookEvents(stack.deps);

    const bounded = await sendDueWebhookDeliveries(stack.deps, { lanes: 1, roundMs: 0 });
    const rest = await sendDueWebhookDeliveries(stack.deps, { lanes: 1 });

    expect(bounded.attempts).toBe(1);
    expect(rest.attempts).toBe(4);
    expect(receiver.receipts).toHaveLength(5);
  });

  test("an attempt held open does not hold back the events API: an event committed meanwhile is final (listed by GET /admin/v1/events)", async () => {
    receiver = await startWebhookReceiver();
    const held = heldAnswer();
    receiver.answerWith(() => held.answer);
    await moveClock(new Date("2030-09-03T00:00:00Z"));
    await createEndpoint(receiver.url);
    await appendEvent("charge.failed", null);
    const sending = round();
    await receiver.received(1);

    const during = await appendEvent("refund.failed", null);
    // What GET /admin/v1/events reads (the route itself would refuse this file's marker payloads).
    const listed: string[] = [];
    let after: StreamPlace | undefined;
    for (;;) {
      const rows = await findFinalEvents(stack.database.db.prisma, { after, types: ["refund.failed"], limit: 500 });
      listed.push(...rows.map((row) => row.id));
      const last = rows.at(-1);
      if (!last || rows.length < 500) break;
      after = { txid: last.txid, position: last.position };
    }
    held.release(200);
    await sending;

    expect(listed).toContain(during);
  });

  test("an expired lease (its worker died) makes the delivery claimable again; the stale holder's late result is dropped", async () => {
    receiver = await startWebhookReceiver();
    const held = heldAnswer();
    receiver.answerWith((_receipt, index) => (index === 0 ? held.answer : { status: 200 }));
    await moveClock(new Date("2030-09-04T00:00:00Z"));
    await createEndpoint(receiver.url);
    const eventId = await appendEvent("charge.succeeded", null);
    const stale = round();
    await receiver.received(1);
    // As if the first worker had died long ago: its lease ran out.
    await stack.database.db.prisma.$executeRaw`
      UPDATE "WebhookDelivery" SET "leaseUntil" = now() - interval '1 second' WHERE "eventId" = ${eventId}::uuid`;

    const second = await sendDueWebhookDeliveries(stack.deps);
    held.release(500);
    await stale;

    expect(second).toMatchObject({ attempts: 1, succeeded: 1 });
    const delivery = await deliveryOf(eventId);
    expect(delivery).toMatchObject({ status: "SUCCEEDED", attemptCount: 1, leaseUntil: null });
    expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([200]);
    expect(receiver.receipts.map((receipt) => receipt.webhookId)).toEqual([eventId, eventId]);
  });

  test("deleting an endpoint while its attempt is held open: 204 at once, the round ends without error, nothing logged at error level", async () => {
    receiver = await startWebhookReceiver();
    const held = heldAnswer();
    receiver.answerWith(() => held.answer);
    await moveClock(new Date("2030-09-05T00:00:00Z"));
    const endpoint = await createEndpoint(receiver.url);
    await appendEvent("charge.failed", null);
    const sending = round();
    await receiver.received(1);
    const logsBefore = stack.logs.length;

    const deleted = await http(`${stack.api}/admin/v1/webhook-endpoints/${endpoint.id}`, {
      method: "DELETE",
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(deleted.status).toBe(204);
    held.release(500);

    await expect(sending).resolves.toMatchObject({ attempts: 1 });
    const errors = stack.logs
      .slice(logsBefore)
      .map((line) => JSON.parse(line) as Json)
      .filter((line) => Number(line.level) >= 50);
    expect(errors).toEqual([]);
    expect(await stack.database.db.prisma.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(0);
  });

  test("in production a non-https URL stored before is refused at send time as a failed attempt, nothing is connected to", async () => {
    receiver = await startWebhookReceiver();
    await moveClock(new Date("2030-09-06T00:00:00Z"));
    await createEndpoint("http://8.8.8.8/hooks");
    const eventId = await appendEvent("charge.succeeded", null);
    const production: ServiceDeps = {
      ...stack.deps,
      config: { ...stack.config, nodeEnv: "production", webhookPublicTargetsOnly: true, webhookTimeoutMs: 300 },
    };

    expect(await round(production)).toMatchObject({ attempts: 1, retrying: 1 });

    const delivery = await deliveryOf(eventId);
    expect(delivery.attempts).toEqual([
      expect.objectContaining({
        statusCode: null,
        error: expect.stringMatching(/must be https in production/) as string,
      }),
    ]);
  });
});
