import { z } from "zod";

/**
 * Every outbound event type (issue #19), one per state change a merchant's systems react to. An agreement event is
 * named for the status it moved to; a charge or refund event for its final outcome; a reconciliation difference for
 * each difference a daily run finds.
 */
export const WEBHOOK_EVENT_TYPES = [
  "agreement.awaiting_effect",
  "agreement.activated",
  "agreement.paused",
  "agreement.resumed",
  "agreement.unsigned",
  "agreement.expired",
  "agreement.completed",
  "agreement.failed",
  "agreement.abandoned",
  "charge.succeeded",
  "charge.failed",
  "charge.past_due",
  "refund.succeeded",
  "refund.failed",
  "reconciliation.difference_found",
] as const;

/** What a 400 says of a type not in the list (an endpoint's eventTypes, the events API's type filter). */
export const WEBHOOK_EVENT_TYPE_MESSAGE = `use one of ${WEBHOOK_EVENT_TYPES.join(", ")}`;

export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES, { error: WEBHOOK_EVENT_TYPE_MESSAGE });
export type WebhookEventType = z.infer<typeof WebhookEventType>;
