import { adminAuthHeadersSchema, idParamsSchema, listOf, noContentSchema } from "../common.ts";
import { errorResponses } from "../errors.ts";
import {
  createWebhookEndpointBodySchema,
  rotateWebhookSecretBodySchema,
  updateWebhookEndpointBodySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
} from "../resources/webhook-endpoint.ts";
import { route } from "../route.ts";

const admin = { tags: ["admin"], security: "admin", headers: adminAuthHeadersSchema } as const;
const readErrors = errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL", "SERVICE_UNAVAILABLE");
const resourceErrors = errorResponses(
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INTERNAL",
  "SERVICE_UNAVAILABLE",
);
const urlRules =
  "The URL is absolute http(s) without credentials; in production it must be https and must not resolve to a " +
  "loopback, link-local, private or otherwise reserved address (400 otherwise).";

export const adminCreateWebhookEndpoint = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/webhook-endpoints",
  operationId: "adminCreateWebhookEndpoint",
  summary: "Register a webhook endpoint; the answer holds its signing secret, shown this once",
  description: `${urlRules} eventTypes empty or left out: every event type.`,
  body: createWebhookEndpointBodySchema,
  responses: { 201: webhookEndpointWithSecretSchema, ...readErrors },
});

export const adminListWebhookEndpoints = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/webhook-endpoints",
  operationId: "adminListWebhookEndpoints",
  summary: "Every webhook endpoint, oldest first, with whether it is enabled and why paysign disabled it (no secrets)",
  responses: { 200: listOf(webhookEndpointSchema), ...readErrors },
});

export const adminGetWebhookEndpoint = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/webhook-endpoints/:id",
  operationId: "adminGetWebhookEndpoint",
  summary: "One webhook endpoint (never its secret)",
  params: idParamsSchema,
  responses: { 200: webhookEndpointSchema, ...resourceErrors },
});

export const adminUpdateWebhookEndpoint = route({
  ...admin,
  method: "PATCH",
  path: "/admin/v1/webhook-endpoints/:id",
  operationId: "adminUpdateWebhookEndpoint",
  summary: "Change an endpoint's URL, description, event types or enabled; re-enabling clears why it was disabled",
  description: urlRules,
  params: idParamsSchema,
  body: updateWebhookEndpointBodySchema,
  responses: { 200: webhookEndpointSchema, ...resourceErrors },
});

export const adminDeleteWebhookEndpoint = route({
  ...admin,
  method: "DELETE",
  path: "/admin/v1/webhook-endpoints/:id",
  operationId: "adminDeleteWebhookEndpoint",
  summary: "Remove an endpoint and its deliveries",
  params: idParamsSchema,
  responses: { 204: noContentSchema, ...resourceErrors },
});

export const adminRotateWebhookEndpointSecret = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/webhook-endpoints/:id/rotate-secret",
  operationId: "adminRotateWebhookEndpointSecret",
  summary: "Issue a new signing secret, shown this once; the previous one stays valid for overlapHours (default 24)",
  description:
    "While both are valid every delivery carries two signatures in webhook-signature (space-separated), so a " +
    "receiver verifying with either secret accepts it. While an earlier rotation's previous secret is still valid " +
    "a rotation answers 409 (it would drop a secret receivers may hold): wait until previousSecretValidUntil, or " +
    "rotate with overlapHours 0 to replace the secrets at once.",
  params: idParamsSchema,
  body: rotateWebhookSecretBodySchema,
  responses: {
    200: webhookEndpointWithSecretSchema,
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "FORBIDDEN",
      "NOT_FOUND",
      "CONFLICT",
      "INTERNAL",
      "SERVICE_UNAVAILABLE",
    ),
  },
});

export const webhookEndpointRoutes = {
  adminCreateWebhookEndpoint,
  adminListWebhookEndpoints,
  adminGetWebhookEndpoint,
  adminUpdateWebhookEndpoint,
  adminDeleteWebhookEndpoint,
  adminRotateWebhookEndpointSecret,
} as const;
