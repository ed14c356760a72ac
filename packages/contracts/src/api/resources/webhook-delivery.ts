import { z } from "zod";
import { isoDateTimeSchema } from "../../wire-formats.ts";

export const WEBHOOK_DELIVERY_STATUSES = ["PENDING", "SUCCEEDED", "FAILED"] as const;
export const webhookDeliveryStatusSchema = z.enum(WEBHOOK_DELIVERY_STATUSES);

/**
 * One event for one webhook endpoint (issue #19). PENDING: sent once `nextAttemptAt` has come, while its endpoint is
 * enabled and every earlier event of the same agreement to that endpoint is final; SUCCEEDED: the receiver answered
 * 2xx; FAILED: no 2xx until 3 days after the first attempt (`nextAttemptAt` is null once final).
 */
export const webhookDeliverySchema = z
  .object({
    id: z.uuid(),
    endpointId: z.uuid(),
    eventId: z.uuid().meta({ description: "The event's id, sent as the webhook-id header on every attempt" }),
    agreementId: z.uuid().nullable(),
    sequence: z.number().int().nullable().meta({ description: "The event's place among its agreement's events" }),
    status: webhookDeliveryStatusSchema,
    attemptCount: z.number().int().min(0),
    nextAttemptAt: isoDateTimeSchema.nullable(),
    lastAttemptAt: isoDateTimeSchema.nullable(),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDeliveryDto = z.infer<typeof webhookDeliverySchema>;

/** One HTTP attempt: `statusCode` null when there was no answer (timeout, refused connection or address). */
export const webhookDeliveryAttemptSchema = z
  .object({
    id: z.uuid(),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int().min(0),
    responseBody: z.string().meta({ description: "The first 1 KB of the answer" }),
    error: z.string().nullable(),
    attemptedAt: isoDateTimeSchema,
  })
  .meta({ id: "WebhookDeliveryAttempt" });

export const webhookDeliveryDetailSchema = webhookDeliverySchema
  .extend({ attempts: z.array(webhookDeliveryAttemptSchema).meta({ description: "Oldest first" }) })
  .meta({ id: "WebhookDeliveryDetail" });
export type WebhookDeliveryDetail = z.infer<typeof webhookDeliveryDetailSchema>;
