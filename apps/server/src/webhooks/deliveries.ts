import { DEFAULT_PAGE_LIMIT } from "@paysign/contracts";
import type { Config } from "../env.ts";
import { AppError } from "../errors.ts";
import type { Page } from "../repositories/cursor.ts";
import {
  claimDueWebhookDelivery,
  dispatchWebhookEventBatch,
  findWebhookDeliveriesPage,
  findWebhookDeliveryById,
  rescheduleWebhookDelivery,
  type DeliveryClaim,
  type DueDelivery,
  type WebhookDeliveryFilter,
  type WebhookDeliveryWithAttempts,
} from "../repositories/webhook-deliveries.ts";
import type { WebhookDelivery } from "../generated/prisma/client.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { createWebhookSender, type WebhookHttpResult, type WebhookSender } from "./http-sender.ts";
import { endpointFailureLimitMs, nextWebhookAttemptAt } from "./retry-schedule.ts";
import { signWebhook, webhookBodyOf } from "./webhook-signing.ts";

const dispatchBatchSize = 500;
const defaultLanes = 4;

/**
 * Fans the outbox out into deliveries until the dispatch cursor reaches the oldest running transaction (see
 * dispatchWebhookEventBatch). Returns the events read and deliveries made.
 */
export async function dispatchWebhookEvents(deps: ServiceDeps): Promise<{ events: number; deliveries: number }> {
  const total = { events: 0, deliveries: 0 };
  for (;;) {
    const batch = await dispatchWebhookEventBatch(deps.db, { now: await deps.clock.now(), limit: dispatchBatchSize });
    total.events += batch.events;
    total.deliveries += batch.deliveries;
    if (batch.events < dispatchBatchSize) return total;
  }
}

// One keep-alive sender per configuration (the process has one; a test may build a production one beside it).
const senders = new WeakMap<Config, WebhookSender>();

function senderFor(config: Config): WebhookSender {
  let sender = senders.get(config);
  if (!sender) {
    sender = createWebhookSender({ production: config.webhookPublicTargetsOnly, timeoutMs: config.webhookTimeoutMs });
    senders.set(config, sender);
  }
  return sender;
}

type SendTotals = { attempts: number; succeeded: number; retrying: number; failed: number };

/**
 * Sends every delivery due now (the injected Clock's now), `lanes` at a time, each in its own transaction holding
 * the delivery's row lock across the HTTP call, so no two workers send one delivery at once; a delivery of an
 * agreement waits for every earlier one of that agreement to the same endpoint to be final (see
 * claimDueWebhookDelivery). A 2xx is SUCCEEDED; anything else is tried again on the back-off
 * (nextWebhookAttemptAt) until 3 days after the first attempt, then FAILED. An endpoint whose attempts all failed
 * for 24 hours is disabled (logged at error level, counted). Returns what was attempted and how it ended.
 */
export async function sendDueWebhookDeliveries(
  deps: ServiceDeps,
  options: { lanes?: number } = {},
): Promise<SendTotals> {
  const totals: SendTotals = { attempts: 0, succeeded: 0, retrying: 0, failed: 0 };
  const lane = async () => {
    for (;;) {
      const claim = await claimDueWebhookDelivery(deps.db, await deps.clock.now());
      if (!claim) return;
      const outcome = await attemptClaimed(deps, claim);
      totals.attempts++;
      totals[outcome]++;
    }
  };
  await Promise.all(Array.from({ length: options.lanes ?? defaultLanes }, lane));
  return totals;
}

/** The job's round: fan out what is new, then send what is due. */
export async function runWebhookDeliveries(deps: ServiceDeps): Promise<SendTotals> {
  await dispatchWebhookEvents(deps);
  return await sendDueWebhookDeliveries(deps);
}

function secretsOf(delivery: DueDelivery, now: Date): string[] {
  const { previousSecret, previousSecretExpiresAt } = delivery;
  const overlap = previousSecret !== null && previousSecretExpiresAt !== null && previousSecretExpiresAt > now;
  return overlap ? [delivery.secret, previousSecret] : [delivery.secret];
}

async function post(deps: ServiceDeps, delivery: DueDelivery, now: Date): Promise<WebhookHttpResult> {
  const body = webhookBodyOf(delivery.event);
  let headers: Record<string, string>;
  try {
    // The receiver checks webhook-timestamp against its own wall clock: the real time, whatever Clock says.
    headers = signWebhook({ eventId: delivery.event.id, body, sentAt: new Date(), secrets: secretsOf(delivery, now) });
  } catch {
    return { statusCode: null, responseBody: "", error: "the endpoint's secret cannot be read", latencyMs: 0 };
  }
  return await senderFor(deps.config).post({ url: delivery.url, headers, body });
}

async function attemptClaimed(deps: ServiceDeps, claim: DeliveryClaim): Promise<"succeeded" | "retrying" | "failed"> {
  const { delivery } = claim;
  try {
    const attemptedAt = await deps.clock.now();
    const result = await post(deps, delivery, attemptedAt);
    const attempt = { attemptedAt, ...result };
    const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const nextAttemptAt = succeeded
      ? null
      : nextWebhookAttemptAt({
          now: attemptedAt,
          firstAttemptAt: delivery.firstAttemptAt ?? attemptedAt,
          failedAttempts: delivery.attemptCount + 1,
        });
    const status = succeeded ? "SUCCEEDED" : nextAttemptAt === null ? "FAILED" : "PENDING";
    const { failingSince } = await claim.finish({ attempt, status, nextAttemptAt });
    if (failingSince && attemptedAt.getTime() - failingSince.getTime() >= endpointFailureLimitMs) {
      const disabled = await claim.disableEndpoint({
        reason: "Every delivery attempt failed for 24 hours; enable it again once the receiver answers 2xx",
        at: attemptedAt,
      });
      if (disabled) {
        deps.logger.error(
          { endpointId: delivery.endpointId, failingSince },
          "webhook endpoint disabled: every delivery attempt failed for 24 hours",
        );
        deps.metrics?.webhookEndpointsDisabled.inc();
      }
    }
    await claim.commit();
    const outcome = succeeded ? "succeeded" : status === "FAILED" ? "failed" : "retrying";
    deps.metrics?.webhookAttempts.inc({ outcome: outcome === "retrying" ? "retry" : outcome });
    deps.logger.debug(
      {
        deliveryId: delivery.id,
        eventId: delivery.event.id,
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
      },
      "webhook attempt",
    );
    return outcome;
  } catch (error) {
    await claim.abandon().catch(() => undefined);
    throw error;
  }
}

/** Operators: deliveries, newest first, filtered, one page after the cursor. */
export async function findWebhookDeliveries(
  deps: ServiceDeps,
  query: WebhookDeliveryFilter & { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<WebhookDelivery>> {
  const { cursor, limit, ...filter } = query;
  return await findWebhookDeliveriesPage(deps.db.prisma, { filter, cursor, limit: limit ?? DEFAULT_PAGE_LIMIT });
}

/** One delivery with its attempts. Throws NOT_FOUND. */
export async function getWebhookDelivery(deps: ServiceDeps, id: string): Promise<WebhookDeliveryWithAttempts> {
  const delivery = await findWebhookDeliveryById(deps.db.prisma, id);
  if (!delivery) throw new AppError("NOT_FOUND", "No webhook delivery with this id.");
  return delivery;
}

/**
 * Sends a delivery again as soon as a worker runs (same event, same webhook-id): a SUCCEEDED or FAILED one becomes
 * PENDING and due now (a failure then follows the back-off within 3 days of its first attempt, else it is FAILED
 * again after this one attempt); a PENDING one is moved to now. Throws NOT_FOUND.
 */
export async function retryWebhookDelivery(deps: ServiceDeps, id: string): Promise<WebhookDeliveryWithAttempts> {
  const found = await rescheduleWebhookDelivery(deps.db.prisma, { id, now: await deps.clock.now() });
  if (!found) throw new AppError("NOT_FOUND", "No webhook delivery with this id.");
  return await getWebhookDelivery(deps, id);
}
