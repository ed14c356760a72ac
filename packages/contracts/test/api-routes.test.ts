import { z } from "zod";
import { describe, expect, test } from "vitest";
import {
  ERROR_CODES,
  ERROR_HTTP_STATUS,
  apiRoutes,
  createPlanBodySchema,
  errorBodySchema,
  pathParamNames,
  toOpenApiPaths,
  updatePlanBodySchema,
  type RouteDefinition,
} from "../src/index.ts";

const routes: RouteDefinition[] = Object.values(apiRoutes);
const uuid = "0b5c6f0e-8d53-4c1a-9a57-3f6f3c1e2d10";

describe("the route table (docs/product.md §7)", () => {
  test("declares exactly these routes", () => {
    const declared = routes.map((definition) => `${definition.method} ${definition.path}`).sort();
    expect(declared).toEqual(
      [
        "POST /api/v1/sessions",
        "GET /api/v1/plans",
        "POST /api/v1/agreements",
        "GET /api/v1/agreements",
        "GET /api/v1/agreements/:id",
        "POST /api/v1/agreements/:id/sign-result",
        "POST /api/v1/agreements/:id/unsign",
        "POST /alipay/notify",
        "POST /admin/v1/plans",
        "GET /admin/v1/plans",
        "PATCH /admin/v1/plans/:id",
        "GET /admin/v1/agreements",
        "GET /admin/v1/agreements/:id",
        "POST /admin/v1/agreements/:id/effect",
        "POST /admin/v1/agreements/:id/sync",
        "POST /admin/v1/agreements/:id/unsign",
        "POST /admin/v1/agreements/:id/defer",
        "POST /admin/v1/agreements/:id/charges",
        "POST /admin/v1/scheduler/run",
        "GET /admin/v1/charges",
        "POST /admin/v1/charges/:id/refunds",
        "POST /admin/v1/charges/:id/refund-duplicate",
        "GET /admin/v1/refunds",
        "POST /admin/v1/session",
        "GET /admin/v1/session",
        "DELETE /admin/v1/session",
        "GET /admin/v1/overview",
        "GET /admin/v1/notifications",
        "GET /admin/v1/reconciliations",
        "GET /admin/v1/reconciliations/:date",
        "POST /admin/v1/reconciliations/:date/run",
        "POST /admin/v1/webhook-endpoints",
        "GET /admin/v1/webhook-endpoints",
        "GET /admin/v1/webhook-endpoints/:id",
        "PATCH /admin/v1/webhook-endpoints/:id",
        "DELETE /admin/v1/webhook-endpoints/:id",
        "POST /admin/v1/webhook-endpoints/:id/rotate-secret",
        "GET /admin/v1/webhook-deliveries",
        "GET /admin/v1/webhook-deliveries/:id",
        "POST /admin/v1/webhook-deliveries/:id/retry",
        "GET /admin/v1/events",
        "GET /admin/v1/events/:id",
        "GET /healthz",
        "GET /readyz",
      ].sort(),
    );
  });

  test.each(routes.map((definition) => [`${definition.method} ${definition.path}`, definition] as const))(
    "%s: params match the path, auth matches the area, a 2xx is declared",
    (_name, definition) => {
      expect(Object.keys(definition.params?.shape ?? {})).toEqual(pathParamNames(definition.path));
      const headerNames = Object.keys(definition.headers?.shape ?? {});
      if (definition.path.startsWith("/admin/")) {
        expect(definition.security).toBe("admin");
        expect(headerNames).toContain("x-admin-key");
      }
      if (definition.security === "customer") expect(headerNames).toContain("authorization");
      if (definition.security === "none") expect(headerNames).toEqual([]);
      expect(Object.keys(definition.responses).some((status) => status.startsWith("2"))).toBe(true);
    },
  );

  test("only sign-in, the plan list, the notification and health checks are open", () => {
    const open = routes.filter((definition) => definition.security === "none").map((definition) => definition.path);
    expect(open.sort()).toEqual(["/alipay/notify", "/api/v1/plans", "/api/v1/sessions", "/healthz", "/readyz"].sort());
  });
});

describe("errors", () => {
  test("one code → status table", () => {
    expect(ERROR_HTTP_STATUS).toEqual({
      BAD_REQUEST: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      IDEMPOTENCY_MISMATCH: 409,
      RATE_LIMITED: 429,
      INTERNAL: 500,
      ALIPAY_UNAVAILABLE: 502,
      SERVICE_UNAVAILABLE: 503,
      MERCHANT_UNAVAILABLE: 503,
    });
  });

  test("the error body: code from the closed set, message, optional details, requestId", () => {
    const body = { error: { code: "NOT_FOUND", message: "no such agreement", requestId: "req-1" } };
    expect(errorBodySchema.parse(body)).toEqual(body);
    expect(errorBodySchema.safeParse({ error: { ...body.error, code: "TEAPOT" } }).success).toBe(false);
    expect(errorBodySchema.safeParse({ error: { code: "NOT_FOUND", message: "x" } }).success).toBe(false);
    expect(errorBodySchema.safeParse({ ...body, error: { ...body.error, details: { field: "planId" } } }).success).toBe(
      true,
    );
  });

  const jsonErrorResponses = routes
    .filter((definition) => definition.responseContentType === undefined)
    .flatMap((definition) =>
      Object.entries(definition.responses)
        .filter(([status]) => Number(status) >= 400 && definition.path !== "/readyz")
        .map(([status, schema]) => [`${definition.operationId} ${status}`, Number(status), schema] as const),
    );

  test.each(jsonErrorResponses)("%s accepts only codes of its status, and at least one", (_name, status, schema) => {
    const accepted = ERROR_CODES.filter(
      (code) => schema.safeParse({ error: { code, message: "m", requestId: "r" } }).success,
    );
    expect(accepted.length).toBeGreaterThan(0);
    for (const code of accepted) expect(ERROR_HTTP_STATUS[code], code).toBe(status);
  });
});

describe("request schemas", () => {
  const { createAgreement, reportSignResult, adminListAgreements, adminListCharges, adminRunScheduler } = apiRoutes;

  test("createAgreement takes a plan id and an optional Idempotency-Key", () => {
    expect(createAgreement.body.safeParse({ planId: uuid }).success).toBe(true);
    expect(createAgreement.body.safeParse({ planId: "plan-1" }).success).toBe(false);
    expect(createAgreement.body.safeParse({ planId: uuid, amount: "0.01" }).success).toBe(false);
    const headers = { authorization: "Bearer t0k", "idempotency-key": "k1" };
    expect(createAgreement.headers.parse(headers)).toEqual(headers);
    expect(createAgreement.headers.safeParse({ authorization: "Basic abc" }).success).toBe(false);
  });

  test("sign-result takes paySignCenter's string codes only", () => {
    expect(reportSignResult.body.safeParse({ resultStatus: "7000", result: "{}" }).success).toBe(true);
    expect(reportSignResult.body.safeParse({ resultStatus: "6001" }).success).toBe(true);
    expect(reportSignResult.body.safeParse({ resultStatus: 7000 }).success).toBe(false);
    expect(reportSignResult.body.safeParse({ resultStatus: "9000" }).success).toBe(false);
    expect(reportSignResult.params.safeParse({ id: "1" }).success).toBe(false);
  });

  test("list queries: filters, cursor, limit 1–100", () => {
    expect(adminListAgreements.query.parse({ status: "ACTIVE", limit: "20", cursor: "abc" })).toEqual({
      status: "ACTIVE",
      limit: 20,
      cursor: "abc",
    });
    expect(adminListAgreements.query.safeParse({ limit: "101" }).success).toBe(false);
    expect(adminListAgreements.query.safeParse({ limit: "0" }).success).toBe(false);
    expect(adminListAgreements.query.safeParse({ status: "NORMAL" }).success).toBe(false);
    expect(adminListCharges.query.safeParse({ dueFrom: "2024-02-01", dueTo: "2024-02-29" }).success).toBe(true);
    expect(adminListCharges.query.safeParse({ dueTo: "2023-02-29" }).success).toBe(false);
  });

  test("scheduler run: wait is a real boolean, never coerced from a string", () => {
    expect(adminRunScheduler.body.safeParse({}).success).toBe(true);
    expect(adminRunScheduler.body.safeParse({ wait: true }).success).toBe(true);
    expect(adminRunScheduler.body.safeParse({ wait: "false" }).success).toBe(false);
  });

  test("defer takes a real date", () => {
    expect(apiRoutes.adminDeferAgreement.body.safeParse({ deductDate: "2024-03-28" }).success).toBe(true);
    expect(apiRoutes.adminDeferAgreement.body.safeParse({ deductDate: "2024-02-30" }).success).toBe(false);
  });
});

describe("plans", () => {
  const plan = {
    name: "会员连续包月",
    productCode: "GENERAL_WITHHOLDING",
    signScene: "INDUSTRY|DIGITAL_MEDIA",
    periodType: "MONTH",
    period: 1,
    singleAmount: "19.90",
  };

  test.each([
    ["a monthly plan", plan],
    ["a weekly plan with caps", { ...plan, periodType: "DAY", period: 7, totalAmount: "199.00", totalPayments: 10 }],
    [
      "a NOTICE plan with a delay",
      { ...plan, effectType: "NOTICE", firstChargeDelayDays: 7, signValidityPeriod: "12m" },
    ],
  ])("accepts %s", (_name, body) => {
    expect(createPlanBodySchema.safeParse(body).success).toBe(true);
  });

  test.each([
    ["a DAY period of 6", { ...plan, periodType: "DAY", period: 6 }],
    ["19.9", { ...plan, singleAmount: "19.9" }],
    ["a total below the single amount", { ...plan, totalAmount: "10.00" }],
    ["DEFAULT|DEFAULT", { ...plan, signScene: "DEFAULT|DEFAULT" }],
    ["plain withholding", { ...plan, personalProductCode: "GENERAL_WITHHOLDING_P" }],
    ["an unknown product", { ...plan, productCode: "FACE_TO_FACE_PAYMENT" }],
    ["an unknown field", { ...plan, discount: "1.00" }],
    ["an empty name", { ...plan, name: "  " }],
  ])("rejects %s", (_name, body) => {
    expect(createPlanBodySchema.safeParse(body).success).toBe(false);
  });

  test("a plan update needs at least one field; deactivating is one", () => {
    expect(updatePlanBodySchema.safeParse({ active: false }).success).toBe(true);
    expect(updatePlanBodySchema.safeParse({}).success).toBe(false);
    expect(updatePlanBodySchema.safeParse({ singleAmount: "9.9" }).success).toBe(false);
  });
});

describe("OpenAPI", () => {
  const paths = toOpenApiPaths(apiRoutes);

  test("paths use {param} and carry summary, tags and security", () => {
    const operation = paths["/api/v1/agreements/{id}/sign-result"]?.post;
    expect(operation?.operationId).toBe("reportSignResult");
    expect(operation?.security).toEqual([{ customerSession: [] }]);
    expect(operation?.requestParams?.path).toBe(apiRoutes.reportSignResult.params);
    expect(Object.keys(operation?.responses ?? {})).toEqual(["200", "400", "401", "404", "429", "500", "503"]);
    expect(paths["/admin/v1/plans/{id}"]?.patch?.security).toEqual([{ adminKey: [] }, { adminSession: [] }]);
    expect(paths["/alipay/notify"]?.post?.requestBody?.content).toHaveProperty("application/x-www-form-urlencoded");
    expect(paths["/alipay/notify"]?.post?.responses["200"]?.content).toHaveProperty("text/plain");
  });

  test("auth headers are left to the security schemes; other headers stay", () => {
    const header = paths["/api/v1/agreements"]?.post?.requestParams?.header;
    expect(Object.keys(header?.shape ?? {})).toEqual(["idempotency-key"]);
    expect(paths["/admin/v1/plans"]?.get?.requestParams).toBeUndefined();
  });

  test("every schema converts to JSON Schema, for input and output", () => {
    for (const definition of routes) {
      const schemas = [definition.params, definition.query, definition.headers, definition.body];
      for (const schema of [...schemas, ...Object.values(definition.responses)]) {
        if (!schema) continue;
        expect(() => z.toJSONSchema(schema, { io: "input" })).not.toThrow();
        expect(() => z.toJSONSchema(schema, { io: "output" })).not.toThrow();
      }
    }
  });

  test("operation ids are unique", () => {
    const ids = routes.map((definition) => definition.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
