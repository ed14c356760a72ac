import {
  adminGetWebhookDelivery,
  adminListWebhookDeliveries,
  adminRetryWebhookDelivery,
  type WebhookDeliveryDetail,
  type WebhookDeliveryDto,
} from "@paysign/contracts";
import { Router } from "express";
import type { WebhookDeliveryRow, WebhookDeliveryWithAttempts } from "../repositories/webhook-deliveries.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { retryWebhookDeliveryOfEnabledEndpoint } from "../services/webhook-delivery-retry.ts";
import { findWebhookDeliveries, getWebhookDelivery } from "../webhooks/deliveries.ts";

const iso = (value: Date) => value.toISOString();
const isoOrNull = (value: Date | null) => (value ? value.toISOString() : null);

function presentDelivery(delivery: WebhookDeliveryRow): WebhookDeliveryDto {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    agreementId: delivery.agreementId,
    sequence: delivery.sequence,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: isoOrNull(delivery.nextAttemptAt),
    lastAttemptAt: isoOrNull(delivery.lastAttemptAt),
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
  };
}

function presentDetail(delivery: WebhookDeliveryWithAttempts): WebhookDeliveryDetail {
  return {
    ...presentDelivery(delivery),
    attempts: delivery.attempts.map((attempt) => ({
      id: attempt.id,
      statusCode: attempt.statusCode,
      latencyMs: attempt.latencyMs,
      responseBody: attempt.responseBody,
      error: attempt.error,
      attemptedAt: iso(attempt.attemptedAt),
    })),
  };
}

/** Webhook deliveries for operators (ARCHITECTURE.md "A webhook delivery"). */
export function adminWebhookDeliveryRoutes(deps: ServiceDeps, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    adminListWebhookDeliveries,
    options,
  )(async ({ query }) => {
    const page = await findWebhookDeliveries(deps, query);
    return { status: 200, body: { items: page.rows.map(presentDelivery), nextCursor: page.nextCursor } };
  });

  bindRoute(
    router,
    adminGetWebhookDelivery,
    options,
  )(async ({ params }) => ({ status: 200, body: presentDetail(await getWebhookDelivery(deps, params.id)) }));

  bindRoute(
    router,
    adminRetryWebhookDelivery,
    options,
  )(async ({ params }) => ({
    status: 202,
    body: presentDetail(await retryWebhookDeliveryOfEnabledEndpoint(deps, params.id)),
  }));

  return router;
}
