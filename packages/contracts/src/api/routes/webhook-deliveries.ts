import { z } from "zod";
import { adminAuthHeadersSchema, idParamsSchema, pageOf, pageQueryShape } from "../common.ts";
import { errorResponses } from "../errors.ts";
import {
  webhookDeliveryDetailSchema,
  webhookDeliverySchema,
  webhookDeliveryStatusSchema,
} from "../resources/webhook-delivery.ts";
import { route } from "../route.ts";

const admin = { tags: ["admin"], security: "admin", headers: adminAuthHeadersSchema } as const;

export const adminListWebhookDeliveries = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/webhook-deliveries",
  operationId: "adminListWebhookDeliveries",
  summary: "Webhook deliveries, newest first, filtered and paginated by cursor",
  query: z.object({
    endpointId: z.uuid().optional(),
    status: webhookDeliveryStatusSchema.optional(),
    eventId: z.uuid().optional(),
    ...pageQueryShape,
  }),
  responses: {
    200: pageOf(webhookDeliverySchema),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const adminGetWebhookDelivery = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/webhook-deliveries/:id",
  operationId: "adminGetWebhookDelivery",
  summary: "One webhook delivery with every attempt (status code, latency, the first 1 KB of the answer, error)",
  params: idParamsSchema,
  responses: {
    200: webhookDeliveryDetailSchema,
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const adminRetryWebhookDelivery = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/webhook-deliveries/:id/retry",
  operationId: "adminRetryWebhookDelivery",
  summary:
    "Send a delivery again now, with the same webhook-id (a SUCCEEDED or FAILED one again; a PENDING one sooner)",
  description:
    "The delivery becomes PENDING and due now; a worker sends it within a polling interval, after any earlier " +
    "event of the same agreement to the same endpoint is final. The body is empty or {}. 409 while its endpoint " +
    "is disabled (nothing would be sent): enable the endpoint first.",
  params: idParamsSchema,
  body: z.strictObject({}).meta({ id: "RetryWebhookDeliveryBody" }),
  responses: {
    202: webhookDeliveryDetailSchema,
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

export const webhookDeliveryRoutes = {
  adminListWebhookDeliveries,
  adminGetWebhookDelivery,
  adminRetryWebhookDelivery,
} as const;
