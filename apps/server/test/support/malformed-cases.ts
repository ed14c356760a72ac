import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { buildPath, type RouteDefinition } from "@paysign/contracts";
import fc from "fast-check";
import { z } from "zod";
import { monthlyPlanId, weeklyPlanId } from "./customer-client.ts";
import {
  authHeadersFor,
  declaredHeaderNames,
  pathParamNamesOf,
  type ContractRoute,
  type Credentials,
  type RawRequest,
} from "./contract-requests.ts";

/**
 * Where the server is expected to find the fault: a schema part (its `details` say so), the transport (JSON, encoding,
 * size), or the database (a value the schema lets through but no column can hold).
 */
type FaultLocation = "path" | "query" | "headers" | "body" | "transport" | "storage";

export type MalformedCase = {
  operationId: string;
  label: string;
  request: RawRequest;
  location: FaultLocation;
};

/**
 * A valid JSON body for every contract route that takes one. The table mutates these; a test checks they parse, so a
 * contract change that invalidates one fails loudly instead of silently testing nothing.
 */
export const validBodies: Record<string, unknown> = {
  createSession: { authCode: "auth-code-for-malformed-input-tests" },
  createAgreement: { planId: monthlyPlanId },
  reportSignResult: { resultStatus: "6001" },
  adminCreatePlan: {
    name: "Malformed input plan",
    productCode: "CYCLE_PAY_AUTH",
    signScene: "INDUSTRY|DIGITAL_MEDIA",
    periodType: "MONTH",
    period: 1,
    singleAmount: "19.90",
  },
  adminUpdatePlan: { active: true },
  adminDeferAgreement: { deductDate: "2030-01-15" },
  adminRunScheduler: { wait: false },
  adminRefundCharge: { amount: "1.00", reason: "malformed input refund" },
  adminRefundDuplicateTrade: { reason: "malformed input refund" },
  adminCreateWebhookEndpoint: {
    url: "https://merchant.example.com/paysign/webhooks",
    description: "malformed input endpoint",
    eventTypes: ["charge.succeeded"],
    enabled: true,
  },
  adminUpdateWebhookEndpoint: { description: "malformed input endpoint" },
  adminRotateWebhookEndpointSecret: { overlapHours: 24 },
  adminRetryWebhookDelivery: {},
};

/** Headers a route requires besides its credentials (the refund routes' Idempotency-Key), so faults elsewhere show. */
const validHeaders: Record<string, Record<string, string>> = {
  adminRefundCharge: { "idempotency-key": "malformed-input-refund" },
  adminRefundDuplicateTrade: { "idempotency-key": "malformed-input-refund" },
};

/** Resources that exist (seeded), for requests whose fault only shows once the value reaches the row. */
const existingIds: Record<string, Record<string, string>> = { adminUpdatePlan: { id: weeklyPlanId } };

/** Values of every JSON type, and strings that look close to valid ones; each is sent only where the contract refuses it. */
const wrongValues: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  "",
  " ",
  "x",
  "0.001",
  "-19.90",
  "2024-02-30",
  "INDUSTRY|",
  "9999",
  [],
  ["x"],
  {},
  { nested: { deeper: [1, 2, 3] } },
  "\u0000",
  "𝒳".repeat(300),
  "x".repeat(20_000),
];

const badIds = [
  "not-a-uuid",
  "1",
  "0",
  "00000000-0000-0000-0000-00000000000g",
  `${randomUUID()}0`,
  randomUUID().slice(1),
  randomUUID().replaceAll("-", ""),
  `{${randomUUID()}}`,
  " ",
  "\u0000",
  "' OR '1'='1",
  "测试",
  "x".repeat(2_000),
];

/** Path segments the router cannot decode (it must answer 400, not 500). */
const undecodableSegments = ["%E0%A4%A", "%", "%zz"];

const badLimits = ["0", "-1", "101", "1.5", "abc", "", "1e3", "NaN", "Infinity", "0x10"];

const badCursors = [
  "",
  "!!!",
  "x".repeat(600),
  Buffer.from("garbage").toString("base64url"),
  Buffer.from(`not-a-date|${randomUUID()}`).toString("base64url"),
  Buffer.from("2026-01-01T00:00:00.000Z|not-a-uuid").toString("base64url"),
  // Shaped like a cursor, yet not storable: an id of 36 dashes, instants PostgreSQL cannot represent.
  Buffer.from("2026-01-01T00:00:00.000Z|------------------------------------").toString("base64url"),
  Buffer.from(`-200000-01-01T00:00:00.000Z|${randomUUID()}`).toString("base64url"),
  Buffer.from(`-271821-04-20T00:00:00.000Z|${randomUUID()}`).toString("base64url"),
];

/**
 * Values a loose schema may let through that no column holds, each for the fields it targets: past int4 for integer
 * fields, a NUL byte for text fields, past DECIMAL(12,2) for yuan fields.
 */
const unstorableValues: Array<{ value: unknown; targets: (field: z.ZodType) => boolean }> = [
  { value: 2 ** 31, targets: (field) => accepts(field, 1) && !accepts(field, 1.5) },
  { value: Number.MAX_SAFE_INTEGER, targets: (field) => accepts(field, 1) && !accepts(field, 1.5) },
  { value: "a\u0000b", targets: (field) => accepts(field, "ab") },
  { value: "99999999999.99", targets: (field) => accepts(field, "19.90") && !accepts(field, "19.9") },
];

const SEED = 20_260_505;

function isObjectSchema(schema: z.ZodType | undefined): schema is z.ZodObject {
  return schema instanceof z.ZodObject;
}

function accepts(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success;
}

function rejects(schema: z.ZodType | undefined, value: unknown): boolean {
  return !!schema && !schema.safeParse(value).success;
}

function target(route: RouteDefinition, params: Record<string, string>, query = ""): string {
  const path = buildPath(route.path, params);
  return query === "" ? path : `${path}?${query}`;
}

function validParams(route: RouteDefinition): Record<string, string> {
  return Object.fromEntries(pathParamNamesOf(route).map((name) => [name, randomUUID()]));
}

/** Every malformed request of one route, derived from its contract. */
export function malformedCasesOf(route: ContractRoute, credentials: Credentials): MalformedCase[] {
  if (route.bodyContentType === "application/x-www-form-urlencoded") return formCases(route);
  const auth = { ...authHeadersFor(route, credentials), ...validHeaders[route.operationId] };
  const cases: MalformedCase[] = [];
  const add = (label: string, location: FaultLocation, request: Partial<RawRequest>) => {
    cases.push({
      operationId: route.operationId,
      label,
      location,
      request: { method: route.method, target: target(route, validParams(route)), headers: auth, ...request },
    });
  };
  const baseBody = validBodies[route.operationId];
  const jsonBody: Record<string, string> = route.body ? { "content-type": "application/json" } : {};
  const withBase = (partial: Partial<RawRequest>): Partial<RawRequest> =>
    route.body ? { headers: { ...auth, ...jsonBody }, body: JSON.stringify(baseBody), ...partial } : partial;

  for (const name of pathParamNamesOf(route)) {
    for (const id of badIds) {
      if (!rejects(route.params, { ...validParams(route), [name]: id })) continue;
      add(
        `:${name} = ${preview(id)}`,
        "path",
        withBase({ target: target(route, { ...validParams(route), [name]: id }) }),
      );
    }
    for (const segment of undecodableSegments) {
      const path = route.path.replace(`:${name}`, segment);
      add(`:${name} undecodable ${segment}`, "transport", withBase({ target: buildPath(path, validParams(route)) }));
    }
  }

  if (isObjectSchema(route.query)) cases.push(...queryCases(route, auth));

  for (const name of declaredHeaderNames(route)) {
    for (const value of ["", "k".repeat(300)]) {
      if (!rejects(route.headers, { ...auth, [name]: value })) continue;
      add(
        `header ${name} = ${preview(value)}`,
        "headers",
        withBase({ headers: { ...auth, ...jsonBody, [name]: value } }),
      );
    }
  }

  if (route.method !== "GET") cases.push(...transportCases(route, auth));
  if (route.body) cases.push(...bodyCases(route, auth, baseBody));
  return cases;
}

function queryCases(route: ContractRoute, auth: Record<string, string>): MalformedCase[] {
  const shape = (route.query as z.ZodObject).shape;
  const cases: MalformedCase[] = [];
  const add = (label: string, query: string) =>
    cases.push({
      operationId: route.operationId,
      label: `?${label}`,
      location: "query",
      request: { method: route.method, target: target(route, validParams(route), query), headers: auth },
    });
  for (const key of Object.keys(shape)) {
    const candidates =
      key === "limit"
        ? badLimits
        : key === "cursor"
          ? []
          : ["BOGUS", "not-a-uuid", "2024-13-01", "", "x".repeat(600), randomUUID().toUpperCase().slice(2)];
    for (const value of candidates) {
      if (!rejects(route.query, { [key]: value })) continue;
      add(`${key}=${preview(value)}`, `${key}=${encodeURIComponent(value)}`);
    }
    // A repeated key arrives as an array.
    add(`${key} twice`, `${key}=1&${key}=2`);
  }
  if ("cursor" in shape) {
    for (const cursor of badCursors) {
      // Cursors that pass the schema are refused by the cursor decoder: still a 400, without schema details.
      const location = rejects(route.query, { cursor }) ? "query" : "transport";
      cases.push({
        operationId: route.operationId,
        label: `?cursor=${preview(cursor)}`,
        location,
        request: {
          method: route.method,
          target: target(route, validParams(route), `cursor=${encodeURIComponent(cursor)}`),
          headers: auth,
        },
      });
    }
  }
  return cases;
}

/** Bodies that never reach the schema: not JSON, unsupported encodings or charsets, too large. */
function transportCases(route: ContractRoute, auth: Record<string, string>): MalformedCase[] {
  const json = { ...auth, "content-type": "application/json" };
  const raw: Array<[string, Record<string, string>, string | Uint8Array]> = [
    ["body `{`", json, "{"],
    ["body `not json`", json, "not json"],
    ['body `{"a":`', json, '{"a":'],
    ["body `null` (not an object)", json, "null"],
    ['body `"x"` (a string)', json, '"x"'],
    ["body `42`", json, "42"],
    ["body with a trailing comma", json, '{"a":1,}'],
    ["body of 100 kB", json, JSON.stringify({ padding: "x".repeat(100_000) })],
    ["body with an unsupported charset", { ...auth, "content-type": "application/json; charset=latin-9" }, "{}"],
    ["body gzip-declared but not gzip", { ...json, "content-encoding": "gzip" }, "{}"],
    ["body with an unsupported encoding", { ...json, "content-encoding": "compress" }, "{}"],
    ["body gzip of `{`", { ...json, "content-encoding": "gzip" }, gzipSync("{")],
  ];
  return raw.map(([label, headers, body]) => ({
    operationId: route.operationId,
    label,
    location: "transport",
    request: { method: route.method, target: target(route, validParams(route)), headers, body },
  }));
}

function bodyCases(route: ContractRoute, auth: Record<string, string>, baseBody: unknown): MalformedCase[] {
  const schema = route.body as z.ZodType;
  const headers = { ...auth, "content-type": "application/json" };
  const cases: MalformedCase[] = [];
  const add = (label: string, body: unknown, extraHeaders: Record<string, string> = headers) => {
    if (!rejects(schema, body)) return;
    cases.push({
      operationId: route.operationId,
      label,
      // The JSON parser takes objects and arrays only (strict): other top-level values never reach the schema.
      location: typeof body === "object" && body !== null ? "body" : "transport",
      request: {
        method: route.method,
        target: target(route, validParams(route)),
        headers: extraHeaders,
        body: JSON.stringify(body),
      },
    });
  };

  add("body `[]`", []);
  add("body `[valid body]`", [baseBody]);
  add("body `{}`", {});
  add("valid body as text/plain", baseBody, { ...auth, "content-type": "text/plain" });
  add("valid body without a content type", baseBody, auth);
  if (isObjectSchema(schema)) {
    const base = baseBody as Record<string, unknown>;
    add("an unknown field", { ...base, unknownField: 1 });
    const baseFields = JSON.stringify(base).slice(1, -1);
    add("a __proto__ field", JSON.parse(`{"__proto__":{"admin":true}${baseFields ? `,${baseFields}` : ""}}`));
    for (const [key, field] of Object.entries(schema.shape)) {
      if (!(field as z.ZodType).safeParse(undefined).success) {
        const { [key]: _dropped, ...rest } = base;
        add(`missing ${key}`, rest);
      }
      for (const value of wrongValues) add(`${key} = ${preview(value)}`, { ...base, [key]: value });
    }
    const keys = Object.keys(schema.shape);
    const fieldsArbitrary = fc.record(Object.fromEntries(keys.map((key) => [key, fc.jsonValue({ maxDepth: 2 })])), {
      requiredKeys: [],
    });
    if (route.security === "admin") cases.push(...unstorableCases(route, headers, base));
    fc.sample(fieldsArbitrary, { seed: SEED, numRuns: 25 }).forEach((body, index) =>
      add(`generated fields #${index}: ${preview(body)}`, body),
    );
  }
  fc.sample(fc.jsonValue({ maxDepth: 3 }), { seed: SEED, numRuns: 15 }).forEach((body, index) =>
    add(`generated body #${index}: ${preview(body)}`, body),
  );
  return cases;
}

/**
 * Admin bodies are stored as sent: a value the schema accepts but its column cannot hold must still be a 400 (the
 * value stands where the field accepts that JSON type; those the schema refuses are already in the table).
 */
function unstorableCases(route: ContractRoute, headers: Record<string, string>, base: Record<string, unknown>) {
  const schema = route.body as z.ZodObject;
  const cases: MalformedCase[] = [];
  const params = route.params ? existingIds[route.operationId] : {};
  // A route with a path id but no known resource would answer 404 before storing anything.
  if (!params) return cases;
  for (const [key, field] of Object.entries(schema.shape)) {
    for (const { value, targets } of unstorableValues) {
      const body = { ...base, [key]: value };
      if (!targets(field as z.ZodType) || !schema.safeParse(body).success) continue;
      cases.push({
        operationId: route.operationId,
        label: `${key} = ${preview(value)} (unstorable)`,
        location: "storage",
        request: {
          method: route.method,
          target: target(route, params),
          headers,
          body: JSON.stringify(body),
        },
      });
    }
  }
  return cases;
}

/**
 * The notify route reads any body as a form and answers Alipay's plain `fail` to anything it cannot verify: no form,
 * repeated keys, no or a forged signature.
 */
function formCases(route: ContractRoute): MalformedCase[] {
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const raw: Array<[string, Record<string, string>, string | undefined, FaultLocation]> = [
    ["no body", {}, undefined, "body"],
    ["empty form", form, "", "body"],
    ["a JSON body", { "content-type": "application/json" }, '{"notify_id":"1","sign":"x"}', "body"],
    ["a repeated key", form, "notify_id=1&notify_id=2&sign=x", "body"],
    ["a forged signature", form, "notify_id=1&notify_type=dut_user_sign&app_id=1&sign=Zm9yZ2Vk", "body"],
    ["undecodable percent-encoding", form, "notify_id=%E0%A4%A&sign=%zz", "body"],
    ["bracketed keys", form, "a[b]=1&a[c]=2&sign=x", "body"],
    ["binary garbage", { "content-type": "application/octet-stream" }, "\u0000\u0001\u00ff\u00fe", "body"],
    // Rejected by the body parser before the route: answered with the error body (see the test's note).
    ["a form of 100 kB", form, `notify_id=1&padding=${"x".repeat(100_000)}`, "transport"],
    ["a form of 201 fields", form, Array.from({ length: 201 }, (_, i) => `k${i}=v`).join("&"), "transport"],
  ];
  return raw.map(([label, headers, body, location]) => ({
    operationId: route.operationId,
    label,
    location,
    request: { method: route.method, target: route.path, headers, ...(body === undefined ? {} : { body }) },
  }));
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}…(${text.length})` : text;
}
