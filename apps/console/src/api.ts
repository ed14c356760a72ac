import type { RouteDefinition, RouteResponse } from "@paysign/contracts";
import { ADMIN_CSRF_HEADER, buildPath } from "@paysign/contracts/mini";

/** The body of a route's success answer, as its contract declares it. */
export type SuccessBody<R extends RouteDefinition> = Extract<RouteResponse<R>, { status: 200 | 201 }>["body"];

type QueryValue = string | number | undefined;

export type CallOptions = {
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Extra request headers (an Idempotency-Key). */
  headers?: Record<string, string>;
};

/** A refused call: the API's status, error code and message (shown to the operator as the API wrote it). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** A 400's issues: where (`body`, `query`…), the field path and the API's message. */
  readonly issues: Array<{ location?: string; path?: string; message?: string }>;
  constructor(status: number, body: { error?: { code?: string; message?: string; details?: unknown } }) {
    super(body.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body.error?.code ?? "INTERNAL";
    this.issues = Array.isArray(body.error?.details) ? (body.error.details as ApiError["issues"]) : [];
  }
}

let onUnauthorized: () => void = () => undefined;

/** What happens on any 401: the console goes back to its sign-in page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function urlOf(path: string, options: CallOptions): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return buildPath(path, options.params) + (text ? `?${text}` : "");
}

/**
 * Calls one admin route, typed by its contract: `call<typeof adminGetOverview>("GET", "/admin/v1/overview")`.
 * The session cookie travels by itself (same origin); state-changing calls add the CSRF header. Throws ApiError
 * with the API's message on any non-2xx answer; a 401 also sends the console to sign-in.
 */
export async function call<R extends RouteDefinition>(
  method: R["method"],
  path: R["path"],
  options: CallOptions = {},
): Promise<SuccessBody<R>> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (method !== "GET") headers[ADMIN_CSRF_HEADER] = "1";
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(urlOf(path, options), {
    method,
    headers,
    credentials: "same-origin",
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; details?: unknown };
  };
  if (response.ok) return body as SuccessBody<R>;
  if (response.status === 401) onUnauthorized();
  throw new ApiError(response.status, body);
}

/** Signs in with the admin key: the API answers with the httpOnly session cookie (the key is not kept). */
export async function signIn(adminKey: string): Promise<void> {
  const response = await fetch("/admin/v1/session", {
    method: "POST",
    headers: { "x-admin-key": adminKey, accept: "application/json" },
    credentials: "same-origin",
  });
  if (response.ok) return;
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  throw new ApiError(response.status, body);
}
