import { defined } from "@paysign/test-kit";
import type { HttpBackend, HttpReply, RequestRecord } from "./mini-runtime.ts";
import { API, SANDBOX } from "./fixtures.ts";

export type Route = (request: RequestRecord) => HttpReply | Promise<HttpReply>;

/**
 * A scripted server for page tests: `routes["POST /api/v1/agreements"] = …`. Sessions and the sandbox's auth codes
 * answer by default; an unscripted route answers 599 so a test never passes on a request it did not expect.
 */
export function fakeApi(routes: Record<string, Route | HttpReply | HttpReply[]>): HttpBackend {
  const queues = new Map<string, HttpReply[]>();
  const defaults: Record<string, Route> = {
    "POST /api/v1/sessions": () => ({
      status: 201,
      body: { token: "token-1", expiresAt: "2026-01-06T00:00:00.000Z", customer: { id: "c1" } },
    }),
    "POST /sandbox/users": () => ({ status: 201, body: { userId: "2088000000000001", balance: "1000.00" } }),
    "POST /sandbox/auth-codes": () => ({ status: 201, body: { authCode: "sandbox-code-1" } }),
  };
  return async (request) => {
    const path = request.url.replace(API, "").replace(SANDBOX, "").split("?")[0];
    const key = `${request.method} ${path}`;
    const route = routes[key] ?? defaults[key];
    if (route === undefined)
      return { status: 599, body: { error: { code: "INTERNAL", message: `unscripted ${key}` } } };
    if (Array.isArray(route)) {
      // A list answers in turn, repeating its last answer.
      if (!queues.has(key)) queues.set(key, [...route]);
      const queue = defined(queues.get(key), `the answers to ${key}`);
      return defined(queue.length > 1 ? queue.shift() : queue[0], `an answer to ${key}`);
    }
    return typeof route === "function" ? route(request) : route;
  };
}
