import type { z } from "zod";
import { PATH_PARAM_PATTERN } from "./paths.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Who may call: a customer session (`Authorization: Bearer <token>`), the admin key (`x-admin-key`), or anyone. */
export type RouteSecurity = "customer" | "admin" | "none";

export type ContentType = "application/json" | "application/x-www-form-urlencoded" | "text/plain";

/** A route of the HTTP API, ts-rest style: request schemas and responses keyed by status code. */
export type RouteDefinition = {
  method: HttpMethod;
  /** Express-style path: `/api/v1/agreements/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  security: RouteSecurity;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Lower-case header names, as Node reports them. */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** Defaults to application/json. */
  bodyContentType?: ContentType;
  responses: Readonly<Record<number, z.ZodType>>;
  /** Defaults to application/json. */
  responseContentType?: ContentType;
};

/** Declares a route and keeps every literal (method, path, status codes) in its type. */
export function route<const R extends RouteDefinition>(definition: R): R {
  return definition;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteStatus<R extends RouteDefinition> = keyof R["responses"] & number;

/** What a handler returns: one of the declared statuses with the body its schema takes, nothing else. */
export type RouteHandlerResult<R extends RouteDefinition> = {
  [S in RouteStatus<R>]: { status: S; body: z.input<R["responses"][S]> };
}[RouteStatus<R>];

/** What a client receives: the same union, bodies as parsed. */
export type RouteResponse<R extends RouteDefinition> = {
  [S in RouteStatus<R>]: { status: S; body: z.output<R["responses"][S]> };
}[RouteStatus<R>];

/** The parsed request a handler works with. */
export type RouteRequest<R extends RouteDefinition> = {
  params: Parsed<R["params"]>;
  query: Parsed<R["query"]>;
  headers: Parsed<R["headers"]>;
  body: Parsed<R["body"]>;
};

export type RouteHandler<R extends RouteDefinition> = (
  request: RouteRequest<R>,
) => RouteHandlerResult<R> | Promise<RouteHandlerResult<R>>;

/** Names of the `:params` in a path: `/a/:id/b/:no` → "id" | "no". */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** `/api/v1/agreements/:id` → `/api/v1/agreements/{id}` (OpenAPI). */
export function toOpenApiPath(path: string): string {
  return path.replace(PATH_PARAM_PATTERN, "{$1}");
}

/** The names of a path's `:params`, in order. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(PATH_PARAM_PATTERN)].map((match) => match[1] ?? "");
}
