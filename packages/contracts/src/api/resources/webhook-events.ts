import { z } from "zod";
import type { AgreementStatus } from "../../domain/agreement-status.ts";
import type { ChargeStatus } from "../../domain/charge-status.ts";
import { isoDateTimeSchema } from "../../wire-formats.ts";
import { adminAgreementSchema } from "./agreement.ts";
import { chargeSchema } from "./charge.ts";
import { reconciliationDifferenceSchema } from "./reconciliation.ts";
import { refundSchema, type RefundStatus } from "./refund.ts";
import type { WebhookEventType } from "./webhook-event-types.ts";

/** `agreement.activated` → `AgreementActivatedEvent`: the OpenAPI component name of an event type. */
function componentIdOf(type: WebhookEventType): string {
  const words = type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${words.join("")}Event`;
}

/**
 * One outbound event (issue #19): the envelope every type shares and its `data`, the resource as the admin API shows
 * it at the time of the event. `sequence` is 1, 2, 3… per agreement in the order its events were written; an event of
 * no agreement has `agreementId` and `sequence` null. Never holds keys, sign strings or tokens.
 */
function eventOf<T extends WebhookEventType, D extends z.ZodType>(type: T, data: D) {
  return z
    .object({
      id: z.uuid(),
      type: z.literal(type),
      createdAt: isoDateTimeSchema,
      agreementId: z.uuid().nullable(),
      sequence: z.number().int().positive().nullable(),
      data,
    })
    .meta({ id: componentIdOf(type) });
}

export const webhookEventSchema = z
  .discriminatedUnion("type", [
    eventOf("agreement.awaiting_effect", adminAgreementSchema),
    eventOf("agreement.activated", adminAgreementSchema),
    eventOf("agreement.paused", adminAgreementSchema),
    eventOf("agreement.resumed", adminAgreementSchema),
    eventOf("agreement.unsigned", adminAgreementSchema),
    eventOf("agreement.expired", adminAgreementSchema),
    eventOf("agreement.completed", adminAgreementSchema),
    eventOf("agreement.failed", adminAgreementSchema),
    eventOf("agreement.abandoned", adminAgreementSchema),
    eventOf("charge.succeeded", chargeSchema),
    eventOf("charge.failed", chargeSchema),
    eventOf("charge.past_due", chargeSchema),
    eventOf("refund.succeeded", refundSchema),
    eventOf("refund.failed", refundSchema),
    eventOf("reconciliation.difference_found", reconciliationDifferenceSchema),
  ])
  .meta({ id: "WebhookEvent" });
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** The `data` of an event of type `T`. */
export type WebhookEventData<T extends WebhookEventType> = Extract<WebhookEvent, { type: T }>["data"];

/**
 * The event of an agreement's transition, named for the status it moved to: TEMP awaits the merchant's effect, ACTIVE
 * is `resumed` from PAUSED and `activated` otherwise. Null when the status stays (a transition that only learns
 * Alipay's facts, such as an ABANDONED agreement signed late): no event. Throws for PENDING, which no transition
 * reaches (a created agreement writes no event).
 */
export function agreementEventTypeOf(from: AgreementStatus, to: AgreementStatus): WebhookEventType | null {
  if (from === to) return null;
  switch (to) {
    case "TEMP":
      return "agreement.awaiting_effect";
    case "ACTIVE":
      return from === "PAUSED" ? "agreement.resumed" : "agreement.activated";
    case "PAUSED":
      return "agreement.paused";
    case "UNSIGNED":
      return "agreement.unsigned";
    case "EXPIRED":
      return "agreement.expired";
    case "COMPLETED":
      return "agreement.completed";
    case "FAILED":
      return "agreement.failed";
    case "ABANDONED":
      return "agreement.abandoned";
    case "PENDING":
      throw new Error(`no agreement event for a transition ${from} → PENDING`);
    default: {
      const unknown: never = to;
      throw new Error(`unknown agreement status ${String(unknown)}`);
    }
  }
}

/** The event of a charge's final status (SUCCEEDED, FAILED, PAST_DUE); null for a status that is not final. */
export function chargeEventTypeOf(status: ChargeStatus): WebhookEventType | null {
  switch (status) {
    case "SUCCEEDED":
      return "charge.succeeded";
    case "FAILED":
      return "charge.failed";
    case "PAST_DUE":
      return "charge.past_due";
    case "PENDING":
    case "PROCESSING":
    case "UNKNOWN":
      return null;
    default: {
      const unknown: never = status;
      throw new Error(`unknown charge status ${String(unknown)}`);
    }
  }
}

/** The event of a refund's final status (SUCCEEDED, FAILED); null while it is PENDING. */
export function refundEventTypeOf(status: RefundStatus): WebhookEventType | null {
  switch (status) {
    case "SUCCEEDED":
      return "refund.succeeded";
    case "FAILED":
      return "refund.failed";
    case "PENDING":
      return null;
    default: {
      const unknown: never = status;
      throw new Error(`unknown refund status ${String(unknown)}`);
    }
  }
}
