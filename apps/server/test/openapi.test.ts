import { toOpenApiPath, WEBHOOK_EVENT_TYPES } from "@paysign/contracts";
import { defined } from "@paysign/test-kit";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { contractRoutes } from "./support/contract-requests.ts";
import { http, type Json } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
let document: Json;
beforeAll(async () => {
  stack = await startStack();
  const answer = await http(`${stack.api}/openapi.json`);
  expect(answer.status).toBe(200);
  document = answer.body;
});
afterAll(async () => {
  await stack?.close();
});

type Operation = {
  operationId: string;
  security: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, unknown> }>;
  requestBody?: { content: Record<string, unknown> };
};
const methods = ["get", "post", "put", "patch", "delete"] as const;

function operationsOf(doc: Json): Array<{ path: string; method: string; operation: Operation }> {
  const paths = doc.paths as Record<string, Partial<Record<string, Operation>>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    methods.flatMap((method) => (item[method] ? [{ path, method, operation: item[method] }] : [])),
  );
}

/** Every `$ref` string in the document. */
function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
    key === "$ref" && typeof inner === "string" ? [inner] : refsOf(inner),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe("/openapi.json", () => {
  test("validates as OpenAPI 3.1 and every $ref resolves", async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(validator.version).toBe("3.1");
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    const refs = refsOf(document);
    const dangling = refs.filter((ref) => !ref.startsWith("#/") || resolvePointer(document, ref) === undefined);
    expect(dangling).toEqual([]);
    console.log(`openapi: valid OpenAPI ${validator.version} (${refs.length} $refs, all resolved)`);
  });

  test("the validator refuses a broken document, so the check above can fail", async () => {
    const broken = structuredClone(document);
    delete (broken.info as Json).version;
    (broken.paths as Json)["/broken"] = { get: { responses: "none" } };
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  test("lists every route of the contracts, and nothing else, with its security and responses", () => {
    const operations = operationsOf(document);
    const byId = new Map(operations.map((entry) => [entry.operation.operationId, entry]));
    for (const route of contractRoutes) {
      const entry = byId.get(route.operationId);
      expect(entry, `${route.operationId} is in the document`).toBeDefined();
      expect(entry?.path).toBe(toOpenApiPath(route.path));
      expect(entry?.method).toBe(route.method.toLowerCase());
      expect(Object.keys(entry?.operation.responses ?? {}).sort()).toEqual(
        Object.keys(route.responses).map(String).sort(),
      );
      // Admin routes take the key or the console's session cookie, either one.
      const schemes = { customer: ["customerSession"], admin: ["adminKey", "adminSession"], none: [] }[route.security];
      expect(entry?.operation.security).toEqual(schemes.map((scheme) => ({ [scheme]: [] })));
      if (route.body) {
        expect(Object.keys(entry?.operation.requestBody?.content ?? {})).toEqual([
          route.bodyContentType ?? "application/json",
        ]);
      }
    }
    expect(operations).toHaveLength(contractRoutes.length);
    const schemes = (document.components as { securitySchemes: Json }).securitySchemes;
    expect(Object.keys(schemes).sort()).toEqual(["adminKey", "adminSession", "customerSession"]);
    console.log(
      `openapi: ${operations.length} operations over ${Object.keys(document.paths as Json).length} paths, ` +
        `one for each of the ${contractRoutes.length} contract routes`,
    );
  });

  test("documents the webhook deliveries routes: the list, one delivery with its attempts, and the 202 of a retry", () => {
    const paths = document.paths as Record<string, Partial<Record<string, Operation>>>;
    const list = paths["/admin/v1/webhook-deliveries"]?.get;
    const detail = paths["/admin/v1/webhook-deliveries/{id}"]?.get;
    const retry = paths["/admin/v1/webhook-deliveries/{id}/retry"]?.post;
    expect([list?.operationId, detail?.operationId, retry?.operationId]).toEqual([
      "adminListWebhookDeliveries",
      "adminGetWebhookDelivery",
      "adminRetryWebhookDelivery",
    ]);
    expect(Object.keys(retry?.responses ?? {})).toContain("202");
    expect(JSON.stringify(retry?.responses["202"])).toContain("Accepted");
    const schemas = (document.components as { schemas: Json }).schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(["WebhookDelivery", "WebhookDeliveryAttempt", "WebhookDeliveryDetail"]),
    );
  });
});

describe("/openapi.json: webhook endpoints", () => {
  test("documents every webhook endpoint route; the secret is in the creation and rotation answers only; DELETE is a 204 without content", () => {
    const paths = document.paths as Record<string, Partial<Record<string, Operation>>>;
    const collection = defined(paths["/admin/v1/webhook-endpoints"], "the collection path");
    const one = defined(paths["/admin/v1/webhook-endpoints/{id}"], "the endpoint path");
    const rotate = defined(paths["/admin/v1/webhook-endpoints/{id}/rotate-secret"], "the rotation path");
    expect(Object.keys(collection).sort()).toEqual(["get", "post"]);
    expect(Object.keys(one).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(rotate)).toEqual(["post"]);

    const refsOf201 = JSON.stringify(collection.post?.responses["201"]);
    expect(refsOf201).toContain("#/components/schemas/WebhookEndpointWithSecret");
    expect(JSON.stringify(rotate.post?.responses["200"])).toContain("WebhookEndpointWithSecret");
    const schemas = (document.components as { schemas: Record<string, { properties?: Json }> }).schemas;
    expect(Object.keys(defined(schemas.WebhookEndpointWithSecret, "WithSecret").properties ?? {})).toContain("secret");
    expect(Object.keys(defined(schemas.WebhookEndpoint, "WebhookEndpoint").properties ?? {})).not.toContain("secret");
    expect(JSON.stringify(one.get?.responses["200"])).not.toContain("WithSecret");
    expect(JSON.stringify(collection.get?.responses["200"])).not.toContain("WithSecret");

    expect(one.delete?.responses["204"]).toEqual({ description: "No content" });
    expect(one.patch?.requestBody?.content).toHaveProperty("application/json");
  });
});

describe("/openapi.json: outbound events", () => {
  test("documents every outbound event's payload: the envelope with its type and the resource as data", () => {
    const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
    const union = schemas.WebhookEvent as { oneOf?: Array<{ $ref: string }> };
    const variants = (union.oneOf ?? []).map((variant) => resolvePointer(document, variant.$ref) as Json);
    const types = variants.map((variant) => (variant.properties as { type: Json }).type.const);
    expect(types.sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    const dataOf = (type: string) =>
      (variants.find((variant) => (variant.properties as { type: Json }).type.const === type)?.properties as Json).data;
    expect(dataOf("agreement.activated")).toEqual({ $ref: "#/components/schemas/AdminAgreement" });
    expect(dataOf("charge.past_due")).toEqual({ $ref: "#/components/schemas/Charge" });
    expect(dataOf("refund.failed")).toEqual({ $ref: "#/components/schemas/Refund" });
    expect(dataOf("reconciliation.difference_found")).toEqual({
      $ref: "#/components/schemas/ReconciliationDifference",
    });
    for (const variant of variants)
      expect(Object.keys(variant.properties as Json).sort()).toEqual(
        ["agreementId", "createdAt", "data", "id", "sequence", "type"].sort(),
      );
    const events = operationsOf(document).find((entry) => entry.operation.operationId === "adminListEvents");
    expect(events?.path).toBe("/admin/v1/events");
  });
});
