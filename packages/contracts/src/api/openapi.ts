import { z } from "zod";
import { AUTH_HEADER_NAMES, ADMIN_KEY_HEADER } from "./common.ts";
import { ADMIN_SESSION_COOKIE } from "./paths.ts";
import { toOpenApiPath, type RouteDefinition, type RouteSecurity } from "./route.ts";

/**
 * OpenAPI 3.1 pieces for zod-openapi's `createDocument({ openapi: "3.1.0", info, paths, components })`: the
 * operations use its `requestParams` / `content.schema` shape with the zod schemas themselves. No dependency on
 * zod-openapi here; schemas carry `.meta({ id })` so they become components.
 */
export const OPENAPI_SECURITY_SCHEMES = {
  customerSession: { type: "http", scheme: "bearer", description: "The token from POST /api/v1/sessions" },
  adminKey: { type: "apiKey", in: "header", name: ADMIN_KEY_HEADER },
  adminSession: {
    type: "apiKey",
    in: "cookie",
    name: ADMIN_SESSION_COOKIE,
    description:
      "The console's session from POST /admin/v1/session; state-changing requests also send x-paysign-console: 1",
  },
} as const;

const SECURITY_REQUIREMENTS: Record<RouteSecurity, Array<Record<string, string[]>>> = {
  customer: [{ customerSession: [] }],
  admin: [{ adminKey: [] }, { adminSession: [] }],
  none: [],
};

const STATUS_DESCRIPTIONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No content",
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict with the resource's state, or an Idempotency-Key reused with another request",
  429: "Too many requests",
  500: "Internal error",
  502: "Alipay did not answer",
  503: "Service unavailable",
};

type Content = Record<string, { schema: z.ZodType }>;

export type OpenApiOperation = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  requestParams?: { path?: z.ZodObject; query?: z.ZodObject; header?: z.ZodObject };
  requestBody?: { required: true; content: Content };
  /** A 204 has no content. */
  responses: Record<string, { description: string; content?: Content }>;
};

export type OpenApiMethod = "get" | "post" | "put" | "patch" | "delete";
export type OpenApiPaths = Record<string, Partial<Record<OpenApiMethod, OpenApiOperation>>>;

function withoutAuthHeaders(headers: z.ZodObject): z.ZodObject | undefined {
  const shape = Object.fromEntries(
    Object.entries(headers.shape).filter(([name]) => !(AUTH_HEADER_NAMES as readonly string[]).includes(name)),
  );
  return Object.keys(shape).length > 0 ? z.object(shape) : undefined;
}

function toOperation(definition: RouteDefinition): OpenApiOperation {
  const header = definition.headers && withoutAuthHeaders(definition.headers);
  const requestParams = {
    ...(definition.params && { path: definition.params }),
    ...(definition.query && { query: definition.query }),
    ...(header && { header }),
  };
  const responseType = definition.responseContentType ?? "application/json";
  const responses = Object.fromEntries(
    Object.entries(definition.responses).map(([status, schema]) => [
      status,
      {
        description: STATUS_DESCRIPTIONS[Number(status)] ?? status,
        ...(status === "204" ? {} : { content: { [responseType]: { schema } } }),
      },
    ]),
  );
  return {
    operationId: definition.operationId,
    summary: definition.summary,
    ...(definition.description !== undefined && { description: definition.description }),
    tags: [...definition.tags],
    security: SECURITY_REQUIREMENTS[definition.security],
    ...(Object.keys(requestParams).length > 0 && { requestParams }),
    ...(definition.body && {
      requestBody: {
        required: true as const,
        content: { [definition.bodyContentType ?? "application/json"]: { schema: definition.body } },
      },
    }),
    responses,
  };
}

/** The `paths` object of an OpenAPI 3.1 document, for zod-openapi's createDocument. */
export function toOpenApiPaths(routes: Readonly<Record<string, RouteDefinition>>): OpenApiPaths {
  const paths: OpenApiPaths = {};
  for (const definition of Object.values(routes)) {
    const path = toOpenApiPath(definition.path);
    const method = definition.method.toLowerCase() as OpenApiMethod;
    const operations = (paths[path] ??= {});
    if (operations[method]) throw new Error(`two routes declare ${definition.method} ${definition.path}`);
    operations[method] = toOperation(definition);
  }
  return paths;
}
