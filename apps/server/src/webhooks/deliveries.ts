import { DEFAULT_PAGE_LIMIT } from "@paysign/contracts";
import type { Config } from "../env.ts";
import { AppError } from "../errors.ts";
import type { Page } from "../repositories/cursor.ts";
import { performance } from "node:perf_hooks";
import {
  claimDueWebhookDelivery,
  dispatchWebhookEventBatch,
  findWebhookDeliveriesPage,
  findWebhookDeliveryById,
  recordWebhookAttempt,
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
import { isDatabaseUnavailable } from "../http/database-errors.ts";

const dispatchBatchSize = 500;
const defaultLanes = 4;
/** A round stops claiming after this long (a lane ends its attempt in flight), so the job's next round fans out. */
const defaultRoundMs = 30_000;
/** A lease outlives the send's worst case (WEBHOOK_TIMEOUT_MS) by this much: signing, the result's write, a slow loop. */
const leaseMarginMs = 10_000;

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

type Outcome = "succeeded" | "retrying" | "failed" | "dropped";
/** `dropped`: sent, but the result was not written (the endpoint was deleted meanwhile, or the lease was lost). */
type SendTotals = { attempts: number } & Record<Outcome, number>;

/**
 * One send round: `lanes` (4) at a time, each lane fans the outbox out again (dispatchWebhookEvents, shared by the
 * lanes), claims one due delivery (the injected Clock's now) with a lease of WEBHOOK_TIMEOUT_MS + 10 s
 * (claimDueWebhookDelivery: per-agreement order, fairness between endpoints), sends it outside any transaction and
 * writes the result in a short one (recordWebhookAttempt). A lane stops when nothing is claimable or `roundMs`
 * (30 s, real time) has passed since the round began, so a round ends even while deliveries keep falling due. A 2xx
 * is SUCCEEDED; anything else is tried again on the back-off (nextWebhookAttemptAt) until 3 days after the first
 * attempt, then FAILED. An endpoint whose attempts all failed for 24 hours is disabled (logged at error level,
 * counted). Every lane is awaited; a lane that failed is logged at error level with its error, and the first such
 * error is thrown once all have ended. Returns what was attempted and how it ended.
 */
export async function sendDueWebhookDeliveries(
  deps: ServiceDeps,
  options: { lanes?: number; roundMs?: number } = {},
): Promise<SendTotals> {
  const totals: SendTotals = { attempts: 0, succeeded: 0, retrying: 0, failed: 0, dropped: 0 };
  const deadline = performance.now() + (options.roundMs ?? defaultRoundMs);
  const leaseMs = deps.config.webhookTimeoutMs + leaseMarginMs;
  let fanningOut: Promise<unknown> | null = null;
  const fanOut = () =>
    (fanningOut ??= dispatchWebhookEvents(deps).finally(() => {
      fanningOut = null;
    }));
  const lane = async () => {
    for (;;) {
      await fanOut();
      const claim = await claimDueWebhookDelivery(deps.db, { now: await deps.clock.now(), leaseMs });
      if (!claim) return;
      const outcome = await attemptClaimed(deps, claim);
      totals.attempts++;
      totals[outcome]++;
      if (performance.now() >= deadline) return;
    }
  };
  const lanes = options.lanes ?? defaultLanes;
  const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
  const errors = settled.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
  for (const error of errors) {
    const context = { err: error, lanes, failedLanes: errors.length, totals };
    // A database going away (a restart, a shutdown under the job) is an outage, not a fault: readiness reports it.
    if (isDatabaseUnavailable(error)) {
      deps.logger.warn(context, "webhook delivery lane stopped: the database is unavailable; the next round goes on");
    } else {
      deps.logger.error(context, "webhook delivery lane failed");
    }
  }
  if (errors.length > 0) throw errors[0];
  return totals;
}

/** The job's round (queue `webhook-deliveries`): fan out what is new and send what is due, for at most ~30 s. */
export async function runWebhookDeliveries(deps: ServiceDeps): Promise<SendTotals> {
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

async function attemptClaimed(deps: ServiceDeps, claim: DeliveryClaim): Promise<Outcome> {
  const { delivery } = claim;
  const attemptedAt = await deps.clock.now();
  const result = await post(deps, delivery, attemptedAt);
  const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const nextAttemptAt = succeeded
    ? null
    : nextWebhookAttemptAt({
        now: attemptedAt,
        firstAttemptAt: delivery.firstAttemptAt ?? attemptedAt,
        failedAttempts: delivery.attemptCount + 1,
      });
  const status = succeeded ? "SUCCEEDED" : nextAttemptAt === null ? "FAILED" : "PENDING";
  const written = await recordWebhookAttempt(deps.db, {
    claim,
    attempt: { attemptedAt, ...result },
    status,
    nextAttemptAt,
    // A success in flight beside this attempt began at most one timeout before it.
    successesSince: new Date(attemptedAt.getTime() - deps.config.webhookTimeoutMs),
    disableFor: (failingSince) =>
      failingSince && attemptedAt.getTime() - failingSince.getTime() >= endpointFailureLimitMs
        ? {
            reason: "Every delivery attempt failed for 24 hours; enable it again once the receiver answers 2xx",
            at: attemptedAt,
          }
        : null,
  });
  const ids = { deliveryId: delivery.id, eventId: delivery.event.id, endpointId: delivery.endpointId };
  if (!written.written) {
    if (written.why === "endpoint-gone") {
      deps.logger.debug(ids, "webhook attempt not recorded: the endpoint was deleted meanwhile");
    } else {
      deps.logger.warn(ids, "webhook attempt not recorded: its lease ran out and another worker claimed the delivery");
    }
    return "dropped";
  }
  if (written.disabled) {
    deps.logger.error(
      { endpointId: delivery.endpointId, failingSince: written.failingSince },
      "webhook endpoint disabled: every delivery attempt failed for 24 hours",
    );
    deps.metrics?.webhookEndpointsDisabled.inc();
  }
  const outcome = succeeded ? "succeeded" : status === "FAILED" ? "failed" : "retrying";
  deps.metrics?.webhookAttempts.inc({ outcome: outcome === "retrying" ? "retry" : outcome });
  deps.logger.debug({ ...ids, statusCode: result.statusCode, latencyMs: result.latencyMs }, "webhook attempt");
  return outcome;
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
