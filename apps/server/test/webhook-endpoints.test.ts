import { createServer, type Server } from "node:http";
import type { WebhookEndpoint, WebhookEndpointWithSecret, WebhookEvent } from "@paysign/contracts";
import { defined } from "@paysign/test-kit";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp } from "../src/app.ts";
import { appendWebhookEvent } from "../src/repositories/webhook-events.ts";
import { checkWebhookEndpointUrl, type HostResolver } from "../src/webhooks/endpoint-url.ts";
import { http } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
let productionServer: Server;
let productionApi: string;

beforeAll(async () => {
  stack = await startStack();
  // The same database and clock behind an app configured for production: the URL rules differ.
  const app = createApp({
    config: { ...stack.config, nodeEnv: "production", webhookPublicTargetsOnly: true },
    db: stack.database.db,
    logger: stack.deps.logger,
    clock: stack.clock,
    alipay: stack.alipay,
  });
  productionServer = createServer(app);
  await new Promise<void>((resolve) => productionServer.listen(0, "127.0.0.1", resolve));
  productionApi = `http://127.0.0.1:${(productionServer.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => productionServer?.close(() => resolve()));
  productionServer?.closeAllConnections();
  await stack?.close();
});

const admin = <T>(path: string, init: { method?: string; body?: unknown; base?: string } = {}) =>
  http<T>(`${init.base ?? stack.api}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "x-admin-key": stack.config.adminApiKey },
    ...(init.body === undefined ? {} : { body: init.body }),
  });

type ErrorBody = { error: { code: string; message: string } };

async function createEndpoint(body: Record<string, unknown>): Promise<WebhookEndpointWithSecret> {
  const answer = await admin<WebhookEndpointWithSecret>("/admin/v1/webhook-endpoints", { body });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
}

describe("webhook endpoint CRUD", () => {
  test("create answers the endpoint and a Standard Webhooks secret that signs and verifies with the library", async () => {
    const created = await createEndpoint({
      url: "https://merchant.example.com/paysign/webhooks",
      description: "CRM",
      eventTypes: ["agreement.activated", "charge.succeeded"],
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.endpoint).toMatchObject({
      url: "https://merchant.example.com/paysign/webhooks",
      description: "CRM",
      eventTypes: ["agreement.activated", "charge.succeeded"],
      enabled: true,
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
      previousSecretValidUntil: null,
    });
    const stored = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({
      where: { id: created.endpoint.id },
    });
    expect(stored.secret).toBe(created.secret);

    const webhook = new Webhook(created.secret);
    const payload = JSON.stringify({ type: "charge.succeeded" });
    const timestamp = new Date();
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "webhook-signature": webhook.sign("msg_1", timestamp, payload),
    };
    expect(webhook.verify(payload, headers)).toEqual({ type: "charge.succeeded" });
    expect(() => webhook.verify(payload.replace("succeeded", "succeedee"), headers)).toThrow();
  });

  test("the secret is shown at creation only: never in GET or the list", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/a" });
    const one = await admin<WebhookEndpoint>(`/admin/v1/webhook-endpoints/${created.endpoint.id}`);
    const list = await admin<{ items: WebhookEndpoint[] }>("/admin/v1/webhook-endpoints");
    expect(one.status).toBe(200);
    expect(one.body).toEqual(created.endpoint);
    expect(list.status).toBe(200);
    expect(list.body.items.map((item) => item.id)).toContain(created.endpoint.id);
    for (const text of [one.text, list.text]) {
      expect(text).not.toContain(created.secret);
      expect(text).not.toContain(created.secret.slice("whsec_".length, 20));
      expect(text).not.toMatch(/"secret"|"previousSecret"/);
    }
    // Empty or absent event types: every type.
    expect(created.endpoint.eventTypes).toEqual([]);
  });

  test("patch changes url, description and event types; delete answers 204 and cascades to deliveries", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/b", description: "old" });
    const id = created.endpoint.id;
    const patched = await admin<WebhookEndpoint>(`/admin/v1/webhook-endpoints/${id}`, {
      method: "PATCH",
      body: { url: "https://merchant.example.com/hooks/c", description: null, eventTypes: ["refund.succeeded"] },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      url: "https://merchant.example.com/hooks/c",
      description: null,
      eventTypes: ["refund.succeeded"],
    });

    const { prisma } = stack.database.db;
    const event = await prisma.$transaction((tx) =>
      appendWebhookEvent(tx, {
        type: "refund.succeeded",
        agreementId: null,
        data: { id: "r" } as unknown as WebhookEvent["data"],
      }),
    );
    const delivery = await prisma.webhookDelivery.create({
      data: { id: crypto.randomUUID(), endpointId: id, eventId: event.id },
    });

    const deleted = await fetch(`${stack.api}/admin/v1/webhook-endpoints/${id}`, {
      method: "DELETE",
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    expect(await prisma.webhookDelivery.findUnique({ where: { id: delivery.id } })).toBeNull();
    expect(await prisma.webhookEvent.findUnique({ where: { id: event.id } })).not.toBeNull();
    expect((await admin(`/admin/v1/webhook-endpoints/${id}`)).status).toBe(404);
    expect((await admin(`/admin/v1/webhook-endpoints/${id}`, { method: "DELETE" })).status).toBe(404);
    expect(
      (await admin(`/admin/v1/webhook-endpoints/${id}`, { method: "PATCH", body: { enabled: true } })).status,
    ).toBe(404);
    expect((await admin(`/admin/v1/webhook-endpoints/${id}/rotate-secret`, { body: {} })).status).toBe(404);
  });

  test("disabling records when; re-enabling clears disabledReason, disabledAt and failingSince", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/d" });
    const id = created.endpoint.id;
    const disabled = await admin<WebhookEndpoint>(`/admin/v1/webhook-endpoints/${id}`, {
      method: "PATCH",
      body: { enabled: false },
    });
    expect(disabled.body.enabled).toBe(false);
    expect(disabled.body.disabledAt).not.toBeNull();
    expect(disabled.body.disabledReason).toBeNull();

    // What the delivery engine writes when an endpoint fails for a whole day.
    const since = new Date("2026-01-01T00:00:00.000Z");
    await stack.database.db.prisma.webhookEndpoint.update({
      where: { id },
      data: { disabledReason: "failing for 24 hours", disabledAt: since, failingSince: since },
    });
    const shown = await admin<WebhookEndpoint>(`/admin/v1/webhook-endpoints/${id}`);
    expect(shown.body).toMatchObject({
      enabled: false,
      disabledReason: "failing for 24 hours",
      disabledAt: since.toISOString(),
      failingSince: since.toISOString(),
    });

    const enabled = await admin<WebhookEndpoint>(`/admin/v1/webhook-endpoints/${id}`, {
      method: "PATCH",
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
  });

  test("created disabled: enabled false with disabledAt set", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/e", enabled: false });
    expect(created.endpoint.enabled).toBe(false);
    expect(created.endpoint.disabledAt).not.toBeNull();
  });
});

describe("secret rotation", () => {
  test("the previous secret stays valid for the overlap, on the server's clock, then is no longer shown", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/rotate" });
    const id = created.endpoint.id;
    const now = await stack.clock.now();
    const rotated = await admin<WebhookEndpointWithSecret>(`/admin/v1/webhook-endpoints/${id}/rotate-secret`, {
      body: { overlapHours: 2 },
    });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    const validUntil = new Date(defined(rotated.body.endpoint.previousSecretValidUntil, "previousSecretValidUntil"));
    const overlapMs = validUntil.getTime() - now.getTime();
    expect(overlapMs).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(overlapMs).toBeLessThan(2 * 3_600_000 + 60_000);

    const stored = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ secret: rotated.body.secret, previousSecret: created.secret });
    expect(stored.previousSecretExpiresAt?.toISOString()).toBe(validUntil.toISOString());

    const during = await admin<WebhookEndpoint>(`/admin/v1/webhook-endpoints/${id}`);
    expect(during.body.previousSecretValidUntil).toBe(validUntil.toISOString());
    expect(during.text).not.toContain(rotated.body.secret);
    expect(during.text).not.toContain(created.secret);

    // Two hours and a minute later the previous secret has expired.
    await stack.control.setClock(new Date(validUntil.getTime() + 60_000).toISOString());
    const after = await admin<WebhookEndpoint>(`/admin/v1/webhook-endpoints/${id}`);
    expect(after.body.previousSecretValidUntil).toBeNull();
  });

  test("the default overlap is 24 hours; overlapHours 0 drops the previous secret at once", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/rotate-default" });
    const id = created.endpoint.id;
    const now = await stack.clock.now();
    const rotated = await admin<WebhookEndpointWithSecret>(`/admin/v1/webhook-endpoints/${id}/rotate-secret`, {
      body: {},
    });
    const until = new Date(defined(rotated.body.endpoint.previousSecretValidUntil, "previousSecretValidUntil"));
    expect(until.getTime() - now.getTime()).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(until.getTime() - now.getTime()).toBeLessThan(24 * 3_600_000 + 60_000);

    const immediate = await admin<WebhookEndpointWithSecret>(`/admin/v1/webhook-endpoints/${id}/rotate-secret`, {
      body: { overlapHours: 0 },
    });
    expect(immediate.body.endpoint.previousSecretValidUntil).toBeNull();
    const stored = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({
      secret: immediate.body.secret,
      previousSecret: null,
      previousSecretExpiresAt: null,
    });
  });
});

describe("concurrent rotations", () => {
  // Until the overlap ends a second rotation is refused (409): replacing the previous secret with the first rotation's
  // new one would stop the original secret, which receivers may still hold, verifying at once.
  test("two rotations at once: exactly one 200, the other 409; the original secret still signs during the overlap", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/rotate-twice" });
    const id = created.endpoint.id;
    const rotate = () =>
      admin<WebhookEndpointWithSecret & ErrorBody>(`/admin/v1/webhook-endpoints/${id}/rotate-secret`, {
        body: { overlapHours: 1 },
      });
    const answers = await Promise.all([rotate(), rotate()]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const won = defined(
      answers.find((answer) => answer.status === 200),
      "the rotation answered 200",
    );
    const refused = defined(
      answers.find((answer) => answer.status === 409),
      "the rotation answered 409",
    );
    expect(refused.body.error.code).toBe("CONFLICT");
    const stored = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ secret: won.body.secret, previousSecret: created.secret });
    const validUntil = defined(won.body.endpoint.previousSecretValidUntil, "previousSecretValidUntil");
    expect(stored.previousSecretExpiresAt?.toISOString()).toBe(validUntil);
    expect(new Date(validUntil).getTime()).toBeGreaterThan((await stack.clock.now()).getTime());
    expect(refused.body.error.message).toContain(validUntil);
  });

  test("a rotation while the overlap runs is refused with when it ends and what to do; overlapHours 0 is the explicit way out", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/rotate-retry" });
    const id = created.endpoint.id;
    const path = `/admin/v1/webhook-endpoints/${id}/rotate-secret`;
    const first = await admin<WebhookEndpointWithSecret>(path, { body: { overlapHours: 2 } });
    expect(first.status, first.text).toBe(200);
    const validUntil = defined(first.body.endpoint.previousSecretValidUntil, "previousSecretValidUntil");

    // A client that timed out and retries the rotation: refused, and both secrets a receiver may hold still sign.
    for (const body of [{}, { overlapHours: 24 }]) {
      const again = await admin<ErrorBody>(path, { body });
      expect(again.status, again.text).toBe(409);
      expect(again.body.error.code).toBe("CONFLICT");
      expect(again.body.error.message).toBe(
        `the previous secret stays valid until ${validUntil}: finish the rotation first: wait until ${validUntil}, ` +
          "or rotate with overlapHours 0 to drop the previous secret now (the current one is replaced at once too)",
      );
    }
    const kept = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(kept).toMatchObject({ secret: first.body.secret, previousSecret: created.secret });
    expect(kept.previousSecretExpiresAt?.toISOString()).toBe(validUntil);

    // Once the overlap has ended a rotation is accepted again.
    await stack.control.setClock(new Date(new Date(validUntil).getTime() + 60_000).toISOString());
    const later = await admin<WebhookEndpointWithSecret>(path, { body: { overlapHours: 1 } });
    expect(later.status, later.text).toBe(200);
    const chained = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(chained).toMatchObject({ secret: later.body.secret, previousSecret: first.body.secret });

    // overlapHours 0 during an overlap: asked for explicitly, it drops the previous secret now.
    const dropped = await admin<WebhookEndpointWithSecret>(path, { body: { overlapHours: 0 } });
    expect(dropped.status, dropped.text).toBe(200);
    expect(dropped.body.endpoint.previousSecretValidUntil).toBeNull();
    const final = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(final).toMatchObject({ secret: dropped.body.secret, previousSecret: null, previousSecretExpiresAt: null });
  });
});

describe("validation", () => {
  test.each([
    ["an unknown event type", { url: "https://a.example.com/", eventTypes: ["agreement.created"] }, /eventTypes/],
    [
      "a repeated event type",
      { url: "https://a.example.com/", eventTypes: ["charge.failed", "charge.failed"] },
      /once/,
    ],
    ["a relative URL", { url: "/webhooks" }, /url/],
    ["an ftp URL", { url: "ftp://a.example.com/hooks" }, /url/],
    ["an unknown field", { url: "https://a.example.com/", secret: "whsec_AAAA" }, /secret/],
  ])("creation refuses %s", async (_name, body, message) => {
    const answer = await admin<ErrorBody>("/admin/v1/webhook-endpoints", { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("BAD_REQUEST");
    expect(answer.body.error.message).toMatch(message);
  });

  test.each([
    ["over 2048 characters as sent", `https://a.example.com/${"a".repeat(2100)}`],
    // 1,000 characters as sent, 6,022 once percent-encoded: the cap applies to what is stored and requested.
    ["over 2048 characters once normalised", `https://a.example.com/${"é".repeat(1000)}`],
  ])("a URL %s is refused and the answer names the cap", async (_name, url) => {
    const answer = await admin<ErrorBody>("/admin/v1/webhook-endpoints", { body: { url } });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.error.code).toBe("BAD_REQUEST");
    expect(answer.body.error.message).toMatch(/at most 2048 characters/);
  });

  test("a URL with a #fragment is refused on create and patch: receivers never see it", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/fragment" });
    for (const [method, path] of [
      ["POST", "/admin/v1/webhook-endpoints"],
      ["PATCH", `/admin/v1/webhook-endpoints/${created.endpoint.id}`],
    ] as const) {
      for (const url of ["https://merchant.example.com/hooks#crm", "https://merchant.example.com/hooks#"]) {
        const answer = await admin<ErrorBody>(path, { method, body: { url } });
        expect(answer.status, `${method} ${url}`).toBe(400);
        expect(answer.body.error.message).toMatch(/remove the #fragment/);
      }
    }
    const stored = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({
      where: { id: created.endpoint.id },
    });
    expect(stored.url).toBe("https://merchant.example.com/hooks/fragment");
  });

  test("credentials in the URL are refused with what to do", async () => {
    const answer = await admin<ErrorBody>("/admin/v1/webhook-endpoints", {
      body: { url: "https://user:pass@merchant.example.com/hooks" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/remove the user name and password/);
  });

  test("an empty patch and an overlap past a week are refused", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/v" });
    const id = created.endpoint.id;
    const empty = await admin<ErrorBody>(`/admin/v1/webhook-endpoints/${id}`, { method: "PATCH", body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/at least one field/);
    for (const overlapHours of [169, -1, 1.5]) {
      const answer = await admin<ErrorBody>(`/admin/v1/webhook-endpoints/${id}/rotate-secret`, {
        body: { overlapHours },
      });
      expect(answer.status, String(overlapHours)).toBe(400);
    }
    const stored = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored.secret).toBe(created.secret);
  });
});

describe("retrying a delivery", () => {
  async function deliveryTo(endpointId: string): Promise<string> {
    const { prisma } = stack.database.db;
    const event = await prisma.$transaction((tx) =>
      appendWebhookEvent(tx, {
        type: "refund.failed",
        agreementId: null,
        data: { id: "r" } as unknown as WebhookEvent["data"],
      }),
    );
    const delivery = await prisma.webhookDelivery.create({
      data: { id: crypto.randomUUID(), endpointId, eventId: event.id, status: "FAILED", attemptCount: 3 },
    });
    return delivery.id;
  }

  test("the retry body is empty or {}: anything else is a 400", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/retry-body", enabled: false });
    const id = await deliveryTo(created.endpoint.id);
    const answer = await admin<ErrorBody>(`/admin/v1/webhook-deliveries/${id}/retry`, { body: { x: 1 } });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.error.message).toMatch(/x/);
    const stored = await stack.database.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id } });
    expect(stored.status).toBe("FAILED");
  });

  test("a delivery of a disabled endpoint is not retried: 409 with why and how to enable it; enabled, it is", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/retry-disabled", enabled: false });
    const endpointId = created.endpoint.id;
    const id = await deliveryTo(endpointId);
    const retry = () => admin<ErrorBody>(`/admin/v1/webhook-deliveries/${id}/retry`, { body: {} });
    const enableHint = `enable it with PATCH /admin/v1/webhook-endpoints/${endpointId} {"enabled":true} first`;

    const byOperator = await retry();
    expect(byOperator.status, byOperator.text).toBe(409);
    expect(byOperator.body.error.code).toBe("CONFLICT");
    expect(byOperator.body.error.message).toBe(`the endpoint is disabled (by an operator): ${enableHint}`);

    await stack.database.db.prisma.webhookEndpoint.update({
      where: { id: endpointId },
      data: { disabledReason: "failing for 24 hours" },
    });
    const byPaysign = await retry();
    expect(byPaysign.status).toBe(409);
    expect(byPaysign.body.error.message).toBe(`the endpoint is disabled (failing for 24 hours): ${enableHint}`);
    const untouched = await stack.database.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id } });
    expect(untouched).toMatchObject({ status: "FAILED", attemptCount: 3, nextAttemptAt: null });

    const enabled = await admin(`/admin/v1/webhook-endpoints/${endpointId}`, {
      method: "PATCH",
      body: { enabled: true },
    });
    expect(enabled.status).toBe(200);
    const accepted = await admin<{ status: string }>(`/admin/v1/webhook-deliveries/${id}/retry`, { body: {} });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.body.status).toBe("PENDING");
  });
});

describe("URL rules in production (SSRF)", () => {
  const refused = [
    ["http://merchant.example.com/hooks", /must be https in production/],
    ["https://127.0.0.1/hooks", /127\.0\.0\.1 is loopback/],
    ["https://[::1]/hooks", /::1 is loopback/],
    ["https://localhost/hooks", /localhost .*loopback/],
    ["https://localhost./hooks", /localhost .*loopback/],
    ["https://169.254.169.254/latest/meta-data", /169\.254\.169\.254 is linkLocal/],
    ["https://10.1.2.3/hooks", /10\.1\.2\.3 is private/],
    ["https://192.168.0.10/hooks", /192\.168\.0\.10 is private/],
    ["https://172.16.5.4/hooks", /private/],
    ["https://100.64.0.1/hooks", /carrierGradeNat/],
    ["https://[::ffff:127.0.0.1]/hooks", /loopback/],
    ["https://2130706433/hooks", /127\.0\.0\.1 is loopback/],
    ["https://0x7f.0.0.1/hooks", /127\.0\.0\.1 is loopback/],
    ["https://0.0.0.0/hooks", /unspecified/],
    ["https://[fd00::1]/hooks", /uniqueLocal/],
  ] as const;

  test.each(refused)("%s is refused with 400 and what to do", async (url, message) => {
    const answer = await admin<ErrorBody>("/admin/v1/webhook-endpoints", { base: productionApi, body: { url } });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.error.code).toBe("BAD_REQUEST");
    expect(answer.body.error.message).toMatch(message);
    expect(answer.body.error.message).toMatch(/use an https:\/\/ URL the internet can reach/);
  });

  test("a patch to a private URL is refused and leaves the endpoint as it was", async () => {
    const created = await createEndpoint({ url: "https://8.8.8.8/hooks" });
    const id = created.endpoint.id;
    const answer = await admin<ErrorBody>(`/admin/v1/webhook-endpoints/${id}`, {
      base: productionApi,
      method: "PATCH",
      body: { url: "https://10.0.0.7/hooks" },
    });
    expect(answer.status).toBe(400);
    const stored = await stack.database.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(stored.url).toBe("https://8.8.8.8/hooks");
  });

  test("a public https address is accepted", async () => {
    const answer = await admin<WebhookEndpointWithSecret>("/admin/v1/webhook-endpoints", {
      base: productionApi,
      body: { url: "https://8.8.8.8/paysign/hooks" },
    });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.body.endpoint.url).toBe("https://8.8.8.8/paysign/hooks");
  });

  test("a host name is resolved and refused when ANY of its addresses is not public", async () => {
    const names: Record<string, string[]> = {
      "hooks.merchant.example": ["8.8.4.4", "2001:4860:4860::8888"],
      "mixed.merchant.example": ["8.8.4.4", "10.0.0.5"],
      "rebind.merchant.example": ["::ffff:169.254.169.254"],
    };
    const asked: string[] = [];
    const resolve: HostResolver = (host) => {
      asked.push(host);
      const addresses = names[host];
      return addresses ? Promise.resolve(addresses) : Promise.reject(new Error("ENOTFOUND"));
    };
    const policy = { production: true, resolve };
    await expect(checkWebhookEndpointUrl("https://hooks.merchant.example/in", policy)).resolves.toEqual({
      url: "https://hooks.merchant.example/in",
      addresses: ["8.8.4.4", "2001:4860:4860::8888"],
    });
    await expect(checkWebhookEndpointUrl("https://mixed.merchant.example/in", policy)).rejects.toThrow(
      /mixed\.merchant\.example \(10\.0\.0\.5\) is private/,
    );
    await expect(checkWebhookEndpointUrl("https://rebind.merchant.example/in", policy)).rejects.toThrow(/linkLocal/);
    await expect(checkWebhookEndpointUrl("https://nowhere.merchant.example/in", policy)).rejects.toThrow(
      /does not resolve/,
    );
    await expect(checkWebhookEndpointUrl("https://app.localhost/in", policy)).rejects.toThrow(/loopback/);
    // Literal addresses and localhost are judged without asking the resolver.
    await expect(checkWebhookEndpointUrl("https://8.8.8.8/in", policy)).resolves.toMatchObject({
      addresses: ["8.8.8.8"],
    });
    expect(asked).toEqual([
      "hooks.merchant.example",
      "mixed.merchant.example",
      "rebind.merchant.example",
      "nowhere.merchant.example",
    ]);
  });
});

describe("URL rules outside production", () => {
  test("a local http receiver on loopback is accepted (development and tests)", async () => {
    const created = await createEndpoint({ url: "http://127.0.0.1:4999/receiver" });
    expect(created.endpoint.url).toBe("http://127.0.0.1:4999/receiver");
    const local = await createEndpoint({ url: "http://localhost:4999/receiver" });
    expect(local.endpoint.url).toBe("http://localhost:4999/receiver");
  });
});

describe("logs", () => {
  test("no created or rotated secret appears in any log line", async () => {
    const created = await createEndpoint({ url: "https://merchant.example.com/hooks/logs" });
    const rotated = await admin<WebhookEndpointWithSecret>(
      `/admin/v1/webhook-endpoints/${created.endpoint.id}/rotate-secret`,
      { body: { overlapHours: 1 } },
    );
    expect(rotated.status).toBe(200);
    await admin("/admin/v1/webhook-endpoints");
    const text = stack.logs.join("\n");
    expect(text).toContain("webhook endpoint created");
    expect(text).toContain("webhook endpoint secret rotated");
    for (const secret of [created.secret, rotated.body.secret]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice("whsec_".length));
    }
  });
});
