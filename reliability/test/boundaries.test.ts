import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from "vitest";
import { buildPath } from "../../packages/contracts/src/index.ts";
import { seedDemoPlans } from "../../apps/server/src/db/seed.ts";
import {
  authHeadersFor,
  contractRoutes,
  errorBodyOf,
  pathParamNamesOf,
  type ContractRoute,
  type Credentials,
  type RawAnswer,
  type RawRequest,
  send as sendTo,
} from "../../apps/server/test/support/contract-requests.ts";
import { malformedCasesOf, validBodies } from "../../apps/server/test/support/malformed-cases.ts";
// The server tests' support modules read `inject("adminDatabaseUrl")`, declared by their global setup: its
// declaration has to be part of this program for the type-check (nothing of it runs here).
import type {} from "../../apps/server/test/setup/global-database.ts";
import { reportLine } from "./support/histories.ts";
import { runBounded } from "./support/http.ts";
import { assertLogsClean, dumpApiLog } from "./support/scenario-logs.ts";
import { createPlan, signAgreement, signIn, startStack, type Customer, type Stack } from "./support/stack.ts";

// Light re-runs, against the API as a real process, of what apps/server/test covers in depth in-process
// (malformed-input.test.ts, access.test.ts): the same generated malformed requests on every mounted route, and the
// customer × route and admin-key matrices. What this adds: the process stays up, nothing is written, and the figures
// sit next to the other scenarios'.

let stack: Stack;
let credentials: Credentials;
let mounted: ContractRoute[];
beforeAll(async () => {
  stack = await startStack({ name: "boundaries" });
  // The malformed-request table aims some cases at the demo plans (a fault that only shows at the row).
  await seedDemoPlans(stack.db);
  const customer = await signIn(stack);
  credentials = { customerToken: customer.token, adminKey: stack.adminKey };
  const probes = await Promise.all(contractRoutes.map((route) => isMounted(route)));
  mounted = contractRoutes.filter((_, index) => probes[index]);
});
afterAll(async () => {
  await stack?.close();
});

const send = (request: RawRequest): Promise<RawAnswer> => sendTo(stack.api.url, request);

async function isMounted(route: ContractRoute): Promise<boolean> {
  if (route.bodyContentType === "application/x-www-form-urlencoded") return true;
  const target = buildPath(route.path, Object.fromEntries(pathParamNamesOf(route).map((name) => [name, randomUUID()])));
  const answer = await send({
    method: route.method,
    target,
    headers: {
      ...authHeadersFor(route, credentials),
      ...(route.method === "GET" ? {} : { "content-type": "application/json" }),
    },
    ...(route.method === "GET" ? {} : { body: "[]" }),
  });
  return !(answer.status === 404 && errorBodyOf(answer)?.error.message.startsWith("No route"));
}

/** Row counts of every table a request could write to. */
async function rowCounts() {
  const { db } = stack;
  const counts = await Promise.all([
    db.prisma.customer.count(),
    db.prisma.plan.count(),
    db.prisma.agreement.count(),
    db.prisma.agreementEvent.count(),
    db.prisma.notificationInbox.count(),
    db.prisma.charge.count(),
    db.prisma.chargeAttempt.count(),
    db.prisma.idempotencyKey.count(),
    db.prisma.webhookEndpoint.count(),
    db.prisma.webhookDelivery.count(),
    db.prisma.webhookDeliveryAttempt.count(),
  ]);
  return counts.join(",");
}

function requestFor(route: ContractRoute, headers: Record<string, string>, id: string): RawRequest {
  const params = Object.fromEntries(pathParamNamesOf(route).map((name) => [name, id]));
  const body = validBodies[route.operationId];
  return {
    method: route.method,
    target: buildPath(route.path, params),
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

describe("boundaries of the API process", () => {
  test("fuzz: generated malformed requests on every mounted route answer 4xx with the error body, never 5xx, write nothing, and the process stays up", async () => {
    onTestFailed(() => dumpApiLog(stack));
    const cases = mounted.flatMap((route) => malformedCasesOf(route, credentials).map((item) => ({ route, item })));
    const before = await rowCounts();
    const answers = await runBounded(cases, 6, ({ item }) => send(item.request));
    const after = await rowCounts();
    const problems = cases.flatMap(({ route, item }, index) => {
      const answer = answers[index] as RawAnswer;
      const label = `${item.operationId} [${item.label}]`;
      if (answer.status < 400 || answer.status >= 500)
        return [`${label}: ${answer.status} ${answer.text.slice(0, 160)}`];
      if (route.responseContentType === "text/plain") return answer.text === "fail" ? [] : [`${label}: ${answer.text}`];
      return errorBodyOf(answer) ? [] : [`${label}: no error body: ${answer.text.slice(0, 160)}`];
    });
    const serverErrors = answers.filter((answer) => answer.status >= 500).length;
    const routes = new Set(cases.map(({ item }) => item.operationId)).size;
    reportLine(
      "fuzz",
      { injected: cases.length, survived: cases.length - problems.length, lost: 0, double: 0 },
      `${cases.length} malformed requests (bodies, headers, query strings, path ids, form posts) over ${routes} ` +
        `routes of the API process; ${serverErrors} × 5xx; rows before/after ${before} / ${after}; ` +
        `process alive ${stack.api.alive()}`,
    );
    expect(problems).toEqual([]);
    expect(after).toBe(before);
    expect(stack.api.alive()).toBe(true);
    expect(routes).toBeGreaterThanOrEqual(10);
  });

  test("isolation: another customer gets the same 404 as a missing agreement on every customer route, admin routes answer 401 without the right key", async () => {
    onTestFailed(() => dumpApiLog(stack));
    const planId = await createPlan(stack, { name: "Weekly, boundaries", firstChargeDelayDays: 30 });
    const alice = await signAgreement(stack, { planId, report: true });
    const bob: Customer = await signIn(stack);
    const before = await stack.db.prisma.agreement.findUniqueOrThrow({
      where: { id: alice.agreementId },
      include: { events: true },
    });
    const customerRoutes = mounted.filter(
      (route) => route.security === "customer" && pathParamNamesOf(route).length > 0,
    );
    const bobHeaders = { authorization: `Bearer ${bob.token}` };
    const problems: string[] = [];
    let requests = 0;
    for (const route of customerRoutes) {
      const foreign = await send(requestFor(route, bobHeaders, alice.agreementId));
      const missing = await send(requestFor(route, bobHeaders, randomUUID()));
      requests += 2;
      const code = (answer: RawAnswer) => errorBodyOf(answer)?.error.code;
      if (foreign.status !== 404 || code(foreign) !== "NOT_FOUND")
        problems.push(`${route.operationId} on A's agreement: ${foreign.status} ${foreign.text.slice(0, 160)}`);
      if (foreign.status !== missing.status || code(foreign) !== code(missing))
        problems.push(`${route.operationId}: foreign ${foreign.status} vs missing ${missing.status}`);
    }
    const list = await bob.as("/api/v1/agreements");
    requests++;
    if (JSON.stringify(list.body).includes(alice.agreementId)) problems.push("B's list shows A's agreement");

    const adminRoutes = mounted.filter((route) => route.security === "admin");
    const wrongKeys: Array<Record<string, string>> = [
      {},
      { "x-admin-key": `${stack.adminKey}x` },
      { "x-admin-key": stack.adminKey.slice(0, -1) },
      { authorization: `Bearer ${stack.adminKey}` },
      { authorization: `Bearer ${alice.customer.token}` },
    ];
    for (const route of adminRoutes) {
      for (const headers of wrongKeys) {
        const answer = await send(requestFor(route, headers, alice.agreementId));
        requests++;
        if (answer.status !== 401 || errorBodyOf(answer)?.error.code !== "UNAUTHORIZED")
          problems.push(`${route.operationId} with ${JSON.stringify(Object.keys(headers))}: ${answer.status}`);
      }
    }
    const after = await stack.db.prisma.agreement.findUniqueOrThrow({
      where: { id: alice.agreementId },
      include: { events: true },
    });
    const changed = after.status !== before.status || after.events.length !== before.events.length;
    reportLine(
      "isolation",
      { injected: requests, survived: requests - problems.length, lost: 0, double: changed ? 1 : 0 },
      `${customerRoutes.length} customer routes × (A's agreement, a missing one) as customer B, B's list, ` +
        `${adminRoutes.length} admin routes × ${wrongKeys.length} wrong credentials; A's agreement unchanged: ${!changed}`,
    );
    expect(problems).toEqual([]);
    expect(changed).toBe(false);
    expect(customerRoutes.length).toBeGreaterThanOrEqual(3);
    expect(adminRoutes.length).toBeGreaterThanOrEqual(6);
  });

  test("the API's logs of this scenario hold no secret", () => {
    assertLogsClean(stack);
  });
});
