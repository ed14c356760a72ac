import { randomUUID } from "node:crypto";
import { buildPath } from "@paysign/contracts";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSessionTokens } from "../src/services/session-tokens.ts";
import {
  contractRoutes,
  errorBodyOf,
  isMounted,
  pathParamNamesOf,
  send,
  type ContractRoute,
  type RawAnswer,
} from "./support/contract-requests.ts";
import { http, monthlyPlanId, noticePlanId, signIn, weeklyPlanId } from "./support/customer-client.ts";
import { validBodies } from "./support/malformed-cases.ts";
import { startStack, type Stack } from "./support/stack.ts";

type Customer = Awaited<ReturnType<typeof signIn>>;

let stack: Stack;
let alice: Customer;
let bob: Customer;
/** Alice's agreements: one signed (ACTIVE), one left PENDING. */
let aliceActive: string;
let alicePending: string;

beforeAll(async () => {
  // This file sends every kind of wrong admin key to every admin route from one address: no lockout here.
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: "1000000", ADMIN_AUTH_FAILURE_LIMIT: "1000000" } });
  alice = await signIn(stack);
  bob = await signIn(stack);

  const created = await alice.as("/api/v1/agreements", { planId: monthlyPlanId });
  aliceActive = (created.body.agreement as { id: string }).id;
  const signed = await stack.control.signAtCenter({
    signStr: created.body.signStr as string,
    userId: alice.userId,
    decision: "confirm",
  });
  const reported = await alice.as(`/api/v1/agreements/${aliceActive}/sign-result`, {
    resultStatus: signed.body.resultStatus,
    result: signed.body.result,
  });
  expect((reported.body.agreement as { status: string }).status).toBe("ACTIVE");

  const pending = await alice.as("/api/v1/agreements", { planId: weeklyPlanId });
  alicePending = (pending.body.agreement as { id: string }).id;
});
afterAll(async () => {
  await stack?.close();
});

const customerRoutes = contractRoutes.filter((route) => route.security === "customer");
const adminRoutes = contractRoutes.filter((route) => route.security === "admin");

function requestFor(route: ContractRoute, headers: Record<string, string>, id: string = randomUUID()) {
  const params = Object.fromEntries(pathParamNamesOf(route).map((name) => [name, id]));
  const body = validBodies[route.operationId];
  return {
    method: route.method,
    target: buildPath(route.path, params),
    headers: { ...headers, ...(route.method === "GET" ? {} : { "content-type": "application/json" }) },
    ...(route.method === "GET" ? {} : { body: JSON.stringify(body ?? {}) }),
  };
}

function expectDeclaredError(route: ContractRoute, answer: RawAnswer, expected: { status: number; code: string }) {
  const { status, code } = expected;
  const label = `${route.operationId}: ${answer.status} ${answer.text.slice(0, 200)}`;
  expect(answer.status, label).toBe(status);
  const error = errorBodyOf(answer);
  expect(error?.error.code, label).toBe(code);
  expect(route.responses[status]?.safeParse(error).success, `${label} matches the declared ${status}`).toBe(true);
}

async function agreementSnapshot(id: string) {
  const detail = await alice.as(`/api/v1/agreements/${id}`);
  expect(detail.status).toBe(200);
  const { status, updatedAt, events, charges } = detail.body as {
    status: string;
    updatedAt: string;
    events: unknown[];
    charges: unknown[];
  };
  return { status, updatedAt, events: events.length, charges: charges.length };
}

describe("one customer never sees or changes another's agreement", () => {
  test("customer B gets the same 404 as for a missing agreement on every customer route with an id", async () => {
    const before = [await agreementSnapshot(aliceActive), await agreementSnapshot(alicePending)];
    const withId = customerRoutes.filter((route) => pathParamNamesOf(route).length > 0);
    let requests = 0;
    for (const route of withId) {
      const missing = await send(stack.api, requestFor(route, { authorization: `Bearer ${bob.token}` }));
      expectDeclaredError(route, missing, { status: 404, code: "NOT_FOUND" });
      for (const id of [aliceActive, alicePending]) {
        const foreign = await send(stack.api, requestFor(route, { authorization: `Bearer ${bob.token}` }, id));
        requests += 1;
        expectDeclaredError(route, foreign, { status: 404, code: "NOT_FOUND" });
        // Never reveal whether it exists: the same message as for an id nobody has.
        expect(errorBodyOf(foreign)?.error.message).toBe(errorBodyOf(missing)?.error.message);
      }
    }
    expect(withId.map((route) => route.operationId).sort()).toEqual([
      "getAgreement",
      "reportSignResult",
      "unsignAgreement",
    ]);
    expect([await agreementSnapshot(aliceActive), await agreementSnapshot(alicePending)]).toEqual(before);
    console.log(
      `access: ${requests} requests by customer B on ${withId.length} routes for A's agreements: all 404, A's unchanged`,
    );
  });

  test("customer B's list holds none of A's agreements", async () => {
    await bob.as("/api/v1/agreements", { planId: monthlyPlanId });
    const list = await bob.as("/api/v1/agreements");
    expect(list.status).toBe(200);
    const ids = (list.body.items as Array<{ id: string }>).map((item) => item.id);
    expect(ids).toHaveLength(1);
    expect(ids).not.toContain(aliceActive);
    expect(ids).not.toContain(alicePending);
  });

  test("the same Idempotency-Key from two customers gives each their own agreement", async () => {
    const key = `shared-${randomUUID()}`;
    // A plan neither holds live (Alice's monthly agreement is ACTIVE: one more would be refused 409, a rule of its own).
    const create = (customer: Customer) =>
      http(`${stack.api}/api/v1/agreements`, {
        body: { planId: noticePlanId },
        headers: { authorization: `Bearer ${customer.token}`, "idempotency-key": key },
      });
    const first = await create(alice);
    const second = await create(bob);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const firstId = (first.body.agreement as { id: string }).id;
    const secondId = (second.body.agreement as { id: string }).id;
    expect(secondId).not.toBe(firstId);
    expect(second.body.signStr).not.toBe(first.body.signStr);
    expect((await bob.as(`/api/v1/agreements/${firstId}`)).status).toBe(404);
  });
});

describe("customer routes need a valid, unexpired session", () => {
  async function tokens() {
    const now = await stack.clock.now();
    const secret = new TextEncoder().encode(stack.config.sessionSecret);
    const [header, , signature] = alice.token.split(".");
    const bobPayload = bob.token.split(".")[1];
    const expired = await createSessionTokens({
      secret: stack.config.sessionSecret,
      ttlSeconds: 60,
      clock: { now: () => Promise.resolve(new Date(now.getTime() - 3_600_000)) },
    }).issue(alice.customer.id as string);
    const otherSecret = await createSessionTokens({
      secret: "another-secret-another-secret-another-secret",
      ttlSeconds: 3_600,
      clock: stack.clock,
    }).issue(alice.customer.id as string);
    const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const issuedAt = Math.floor(now.getTime() / 1000);
    const claims = { sub: alice.customer.id, iss: "paysign", aud: "paysign-customer", iat: issuedAt };
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(secret);
    // The signature's first character: all six of its bits count (the last one's low bits are base64url padding, so
    // changing only those leaves the same signature bytes).
    const [aliceHeader, alicePayload, aliceSignature = ""] = alice.token.split(".");
    const tamperedSignature = `${aliceSignature.startsWith("A") ? "Q" : "A"}${aliceSignature.slice(1)}`;
    return {
      "no Authorization header": undefined,
      "an empty bearer": "Bearer ",
      "a bearer of garbage": "Bearer not.a.token",
      "a Basic scheme": `Basic ${Buffer.from("alice:pw").toString("base64")}`,
      "a token without its scheme": alice.token,
      "the admin key as a bearer": `Bearer ${stack.config.adminApiKey}`,
      "an expired token": `Bearer ${expired.token}`,
      "B's claims under A's signature": `Bearer ${header}.${bobPayload}.${signature}`,
      "a token with its signature's first character changed": `Bearer ${aliceHeader}.${alicePayload}.${tamperedSignature}`,
      "a token with the signature removed": `Bearer ${header}.${alice.token.split(".")[1]}.`,
      "an unsigned token (alg none)": `Bearer ${base64url({ alg: "none" })}.${base64url({ ...claims, exp: issuedAt + 3_600 })}.`,
      "a token signed with another secret": `Bearer ${otherSecret.token}`,
      "a token for another audience": `Bearer ${await sign({ ...claims, aud: "someone-else", exp: issuedAt + 3_600 })}`,
      "a token from another issuer": `Bearer ${await sign({ ...claims, iss: "someone-else", exp: issuedAt + 3_600 })}`,
    };
  }

  test("every customer route answers 401 with the error body to a missing, malformed, expired or tampered token", async () => {
    const cases = Object.entries(await tokens()).filter(
      ([label, value]) => value !== undefined || label === "no Authorization header",
    );
    let requests = 0;
    for (const route of customerRoutes) {
      for (const [label, authorization] of cases) {
        const answer = await send(
          stack.api,
          requestFor(route, authorization === undefined ? {} : { authorization }, aliceActive),
        );
        requests += 1;
        expect.soft(answer.status, `${route.operationId} with ${label}`).toBe(401);
        expectDeclaredError(route, answer, { status: 401, code: "UNAUTHORIZED" });
      }
    }
    // A valid token still works: the 401s above are about the token, not the route.
    expect((await alice.as(`/api/v1/agreements/${aliceActive}`)).status).toBe(200);
    console.log(
      `access: ${requests} requests with ${cases.length} kinds of bad token on ${customerRoutes.length} routes: all 401`,
    );
  });
});

describe("admin routes are closed without the admin key", () => {
  test("every mounted admin route answers 401 without the key, with a wrong key or with a customer token", async () => {
    const credentials = { customerToken: alice.token, adminKey: stack.config.adminApiKey };
    const probes = await Promise.all(adminRoutes.map((route) => isMounted(stack, route, credentials)));
    const mounted = adminRoutes.filter((_, index) => probes[index]);
    const notMounted = adminRoutes.filter((_, index) => !probes[index]).map((route) => route.operationId);
    const key = stack.config.adminApiKey;
    const wrong: Record<string, Record<string, string>> = {
      "no key": {},
      "an empty key": { "x-admin-key": "" },
      "a wrong key": { "x-admin-key": `${key}x` },
      "the key's prefix": { "x-admin-key": key.slice(0, -1) },
      "the key upper-cased": { "x-admin-key": key.toUpperCase() === key ? key.toLowerCase() : key.toUpperCase() },
      "the key as a bearer": { authorization: `Bearer ${key}` },
      "a customer session": { authorization: `Bearer ${alice.token}` },
      "a customer session as the key": { "x-admin-key": alice.token },
    };
    let requests = 0;
    for (const route of mounted) {
      for (const [label, headers] of Object.entries(wrong)) {
        const answer = await send(stack.api, requestFor(route, headers, aliceActive));
        requests += 1;
        expect.soft(answer.status, `${route.operationId} with ${label}`).toBe(401);
        expectDeclaredError(route, answer, { status: 401, code: "UNAUTHORIZED" });
      }
    }
    // Nothing happened to the agreement the admin actions were aimed at.
    expect((await agreementSnapshot(aliceActive)).status).toBe("ACTIVE");
    expect(mounted.length).toBeGreaterThanOrEqual(6);
    console.log(
      `access: ${requests} requests with ${Object.keys(wrong).length} kinds of bad admin credentials on ` +
        `${mounted.length} admin routes: all 401` +
        (notMounted.length > 0 ? ` (not mounted yet, skipped: ${notMounted.join(", ")})` : ""),
    );
  });
});

describe("a session ends when its time is up", () => {
  test("a token answered 200 before its expiry answers 401 once the clock passes it", async () => {
    const session = await signIn(stack);
    expect((await session.as("/api/v1/agreements")).status).toBe(200);
    const now = await stack.clock.now();
    const later = new Date(now.getTime() + (stack.config.sessionTtlSeconds + 60) * 1000);
    await stack.control.setClock(later.toISOString());
    const answer = await session.as("/api/v1/agreements");
    expect(answer.status).toBe(401);
    expect((answer.body.error as { code: string }).code).toBe("UNAUTHORIZED");
  });
});
