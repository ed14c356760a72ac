import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  authHeadersFor,
  contractRoutes,
  errorBodyOf,
  isMounted,
  send,
  type ContractRoute,
  type Credentials,
  type RawAnswer,
} from "./support/contract-requests.ts";
import { signIn } from "./support/customer-client.ts";
import { malformedCasesOf, validBodies, type MalformedCase } from "./support/malformed-cases.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
let credentials: Credentials;
let mounted: ContractRoute[];
let notMounted: ContractRoute[];

beforeAll(async () => {
  // The table sends hundreds of requests to /api/v1 within a minute: lift the rate limit for this file.
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
  const customer = await signIn(stack);
  credentials = { customerToken: customer.token, adminKey: stack.config.adminApiKey };
  const probes = await Promise.all(contractRoutes.map((route) => isMounted(stack, route, credentials)));
  mounted = contractRoutes.filter((_, index) => probes[index]);
  // Routes of the contracts another issue mounts (charges, defer, scheduler) answer `No route` until it lands; the
  // table picks them up by itself once they are mounted.
  notMounted = contractRoutes.filter((_, index) => !probes[index]);
  if (notMounted.length > 0) {
    console.log(
      `malformed-input: not mounted yet, skipped: ${notMounted.map((route) => route.operationId).join(", ")}`,
    );
  }
});
afterAll(async () => {
  await stack?.close();
});

async function runBounded<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** What is wrong with an answer to a malformed request; undefined when it is the declared 400. */
function problemWith(route: ContractRoute, malformed: MalformedCase, answer: RawAnswer): string | undefined {
  if (answer.status !== 400) return `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
  if (route.responseContentType === "text/plain") {
    const declared = route.responses[400];
    return declared?.safeParse(answer.text).success ? undefined : `answered 400 with ${JSON.stringify(answer.text)}`;
  }
  const error = errorBodyOf(answer);
  if (!error) return `answered 400 without the error body: ${answer.text.slice(0, 200)}`;
  if (error.error.code !== "BAD_REQUEST") return `answered 400 with code ${error.error.code}`;
  if (error.error.requestId !== answer.requestId) return "the error body's requestId is not the x-request-id header";
  if (!route.responses[400]?.safeParse(error).success) return "the 400 body does not match the route's declared 400";
  if (malformed.location === "transport" || malformed.location === "storage") return undefined;
  const details = error.error.details;
  if (!Array.isArray(details) || details.length === 0) return "no details for a schema violation";
  const locations = new Set(details.map((detail: { location?: unknown }) => detail.location));
  return locations.has(malformed.location) ? undefined : `details point at ${[...locations].join(", ")}`;
}

describe("malformed input on every route of the contracts", () => {
  test("every valid example body the table mutates is accepted by its contract", () => {
    for (const route of contractRoutes) {
      if (!route.body || route.bodyContentType === "application/x-www-form-urlencoded") continue;
      expect(validBodies, `a valid body for ${route.operationId}`).toHaveProperty(route.operationId);
      expect(route.body.safeParse(validBodies[route.operationId]).success, route.operationId).toBe(true);
    }
  });

  test("each malformed request is answered 400 with the error body, never 5xx", { timeout: 120_000 }, async () => {
    const cases = mounted.flatMap((route) => malformedCasesOf(route, credentials).map((c) => ({ route, c })));
    const answers = await runBounded(cases, 6, ({ c }) => send(stack.api, c.request));
    const failures = cases.flatMap(({ route, c }, index) => {
      const problem = problemWith(route, c, answers[index] as RawAnswer);
      return problem
        ? [`${c.operationId} ${c.request.method} ${c.request.target.slice(0, 80)} [${c.label}]: ${problem}`]
        : [];
    });
    const serverErrors = answers.filter((answer) => answer.status >= 500).length;
    const routesCovered = new Set(cases.map(({ c }) => c.operationId)).size;
    console.log(
      `malformed-input: ${cases.length} requests over ${routesCovered} routes, ${serverErrors} × 5xx, ` +
        `${failures.length} not the declared 400`,
    );
    expect(failures).toEqual([]);
    expect(routesCovered).toBeGreaterThanOrEqual(10);
  });

  test("routes without request schemas ignore a garbage query and never answer 5xx", async () => {
    const bare = mounted.filter((route) => !route.params && !route.query && !route.body);
    const statuses = await Promise.all(
      bare.map(async (route) => {
        const headers = authHeadersFor(route, credentials);
        const answer = await send(stack.api, {
          method: route.method,
          target: `${route.path}?limit=abc&cursor=%zz&x[]=1&&=&${"q".repeat(2_000)}=1`,
          headers,
        });
        return { route, answer };
      }),
    );
    for (const { route, answer } of statuses) {
      expect(answer.status, `${route.operationId}: ${answer.text.slice(0, 200)}`).toBe(200);
    }
    console.log(`malformed-input: ${bare.length} routes without request schemas answered 200 to a garbage query`);
  });
});
