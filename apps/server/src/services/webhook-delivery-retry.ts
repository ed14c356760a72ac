import { AppError } from "../errors.ts";
import { findWebhookEndpointById } from "../repositories/webhook-endpoints.ts";
import { getWebhookDelivery, retryWebhookDelivery } from "../webhooks/deliveries.ts";
import type { WebhookDeliveryWithAttempts } from "../repositories/webhook-deliveries.ts";
import type { ServiceDeps } from "./deps.ts";

/**
 * An operator's re-send of one delivery (`POST /admin/v1/webhook-deliveries/:id/retry`): PENDING and due now, unless
 * its endpoint is disabled, where nothing would be sent until it is enabled again.
 * @returns the delivery with its attempts, as rescheduled.
 * @throws AppError NOT_FOUND; CONFLICT when the endpoint is disabled, with why and how to enable it.
 */
export async function retryWebhookDeliveryOfEnabledEndpoint(
  deps: ServiceDeps,
  id: string,
): Promise<WebhookDeliveryWithAttempts> {
  const delivery = await getWebhookDelivery(deps, id);
  const endpoint = await findWebhookEndpointById(deps.db.prisma, delivery.endpointId);
  // A delivery's endpoint is deleted with it (cascade): a missing one means both went meanwhile.
  if (!endpoint) throw new AppError("NOT_FOUND", "No webhook delivery with this id.");
  if (!endpoint.enabled) {
    throw new AppError(
      "CONFLICT",
      `the endpoint is disabled (${endpoint.disabledReason ?? "by an operator"}): ` +
        `enable it with PATCH /admin/v1/webhook-endpoints/${endpoint.id} {"enabled":true} first`,
    );
  }
  return await retryWebhookDelivery(deps, id);
}
