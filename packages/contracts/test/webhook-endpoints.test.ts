import { describe, expect, test } from "vitest";
import {
  WEBHOOK_EVENT_TYPES,
  createWebhookEndpointBodySchema,
  rotateWebhookSecretBodySchema,
  toOpenApiPaths,
  updateWebhookEndpointBodySchema,
  webhookEndpointRoutes,
  webhookEndpointSchema,
} from "../src/index.ts";

describe("webhook endpoint bodies", () => {
  test("creation takes a URL alone, or with a description, a subset of the event types and enabled", () => {
    expect(createWebhookEndpointBodySchema.safeParse({ url: "https://a.example.com/hooks" }).success).toBe(true);
    const full = {
      url: "http://127.0.0.1:4000/hooks",
      description: "CRM",
      eventTypes: [...WEBHOOK_EVENT_TYPES],
      enabled: false,
    };
    expect(createWebhookEndpointBodySchema.safeParse(full).success).toBe(true);
  });

  test.each([
    ["no URL", {}],
    ["a relative URL", { url: "/hooks" }],
    ["a javascript: URL", { url: "javascript:alert(1)" }],
    ["a URL past 2048 characters", { url: `https://a.example.com/${"x".repeat(2048)}` }],
    ["an unknown event type", { url: "https://a.example.com/", eventTypes: ["charge.created"] }],
    ["an event type twice", { url: "https://a.example.com/", eventTypes: ["charge.failed", "charge.failed"] }],
    ["a NUL in the description", { url: "https://a.example.com/", description: "a\u0000b" }],
    ["a secret chosen by the caller", { url: "https://a.example.com/", secret: "whsec_AAAA" }],
  ])("creation refuses %s", (_name, body) => {
    expect(createWebhookEndpointBodySchema.safeParse(body).success).toBe(false);
  });

  test("an update needs a field; rotation's overlap is 0 to 168 whole hours", () => {
    expect(updateWebhookEndpointBodySchema.safeParse({}).success).toBe(false);
    expect(updateWebhookEndpointBodySchema.safeParse({ description: null }).success).toBe(true);
    expect(rotateWebhookSecretBodySchema.safeParse({}).success).toBe(true);
    for (const overlapHours of [0, 24, 168]) {
      expect(rotateWebhookSecretBodySchema.safeParse({ overlapHours }).success).toBe(true);
    }
    for (const overlapHours of [-1, 169, 1.5, "24"]) {
      expect(rotateWebhookSecretBodySchema.safeParse({ overlapHours }).success).toBe(false);
    }
  });

  test("the endpoint as shown has no secret field, and DELETE is documented as a 204 without content", () => {
    expect(Object.keys(webhookEndpointSchema.shape)).not.toContain("secret");
    expect(Object.keys(webhookEndpointSchema.shape)).not.toContain("previousSecret");
    const paths = toOpenApiPaths(webhookEndpointRoutes);
    expect(paths["/admin/v1/webhook-endpoints/{id}"]?.delete?.responses["204"]).toEqual({ description: "No content" });
  });
});
