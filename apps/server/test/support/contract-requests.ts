import { randomUUID } from "node:crypto";
import {
  ADMIN_KEY_HEADER,
  AUTH_HEADER_NAMES,
  apiRoutes,
  buildPath,
  errorBodySchema,
  type RouteDefinition,
} from "@paysign/contracts";
import type { Stack } from "./stack.ts";

/** A route of the contracts with its operation id. */
export type ContractRoute = RouteDefinition & { operationId: string };

export const contractRoutes: ContractRoute[] = Object.values(apiRoutes);

/** Credentials a test holds: a customer session token and the admin key. */
export type Credentials = { customerToken: string; adminKey: string };

/** The headers that get a request past a route's authentication. */
export function authHeadersFor(route: RouteDefinition, credentials: Credentials): Record<string, string> {
  switch (route.security) {
    case "customer":
      return { authorization: `Bearer ${credentials.customerToken}` };
    case "admin":
      return { [ADMIN_KEY_HEADER]: credentials.adminKey };
    case "none":
      return {};
    default: {
      const never: never = route.security;
      throw new Error(`unknown security ${String(never)}`);
    }
  }
}

/** Extra (non-auth) headers a route declares, e.g. Idempotency-Key. */
export function declaredHeaderNames(route: RouteDefinition): string[] {
  if (!route.headers) return [];
  return Object.keys(route.headers.shape).filter((name) => !(AUTH_HEADER_NAMES as readonly string[]).includes(name));
}

export type RawRequest = {
  method: string;
  /** Path and query, already encoded. */
  target: string;
  headers: Record<string, string>;
  /** The exact bytes sent; none for no body. */
  body?: string | Uint8Array;
};

export type RawAnswer = { status: number; contentType: string; text: string; requestId: string | null };

/** Sends a request exactly as built (raw body, raw headers) to the API at `baseUrl`. */
export async function send(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const response = await fetch(`${baseUrl}${request.target}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text: await response.text(),
    requestId: response.headers.get("x-request-id"),
  };
}

/** The error body of an answer, or undefined when the answer is not one. */
export function errorBodyOf(answer: RawAnswer) {
  if (!answer.contentType.startsWith("application/json")) return undefined;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(answer.text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the server mounts the route: a request that gets past authentication with a body no schema accepts (`[]`)
 * is answered by the route itself (400, 404 for a missing resource…), or by the catch-all `No route …` 404.
 */
export async function isMounted(stack: Stack, route: RouteDefinition, credentials: Credentials): Promise<boolean> {
  if (route.bodyContentType === "application/x-www-form-urlencoded") return true;
  const target = buildPath(route.path, Object.fromEntries(pathParamNamesOf(route).map((name) => [name, randomUUID()])));
  const answer = await send(stack.api, {
    method: route.method,
    target,
    headers: {
      ...authHeadersFor(route, credentials),
      ...(route.method === "GET" ? {} : { "content-type": "application/json" }),
    },
    ...(route.method === "GET" ? {} : { body: "[]" }),
  });
  const error = errorBodyOf(answer);
  return !(answer.status === 404 && error?.error.message.startsWith("No route"));
}

export function pathParamNamesOf(route: RouteDefinition): string[] {
  return route.params ? Object.keys(route.params.shape) : [];
}
