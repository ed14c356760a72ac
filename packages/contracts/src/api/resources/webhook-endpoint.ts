import { z } from "zod";
import { isoDateTimeSchema, plainTextSchema } from "../../wire-formats.ts";
import { WebhookEventType } from "./webhook-event-types.ts";

/** Hours the previous secret stays valid after a rotation: 0 (at once) to 168 (a week), 24 by default. */
export const WEBHOOK_SECRET_OVERLAP_HOURS = { default: 24, max: 168 } as const;

/** The longest webhook URL, as sent and once normalised (non-ASCII characters percent-encoded): what is stored. */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * Where events are sent: an absolute http(s) URL without credentials. The server checks the rest (no #fragment, the
 * length once normalised, https only and no loopback, link-local or private target in production) and answers 400
 * with what to change.
 */
export const webhookEndpointUrlSchema = z
  .url({ protocol: /^https?$/, error: "an absolute http:// or https:// URL" })
  .max(WEBHOOK_URL_MAX_LENGTH, `at most ${WEBHOOK_URL_MAX_LENGTH} characters`)
  .meta({ example: "https://merchant.example.com/paysign/webhooks" });

/** Event types an endpoint receives; empty (or left out): every type. */
export const webhookEventTypesSchema = z
  .array(WebhookEventType)
  .max(100)
  .refine((types) => new Set(types).size === types.length, "list each event type once")
  .meta({ description: "Event types sent to this endpoint; empty: every type" });

/**
 * A Standard Webhooks secret, `whsec_` and the base64 of the signing key: pass it whole to the `standardwebhooks`
 * library (`new Webhook(secret)`). Shown only when created and when rotated.
 */
export const webhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
  .meta({ description: "whsec_<base64 key>, for new Webhook(secret) of the standardwebhooks library" });

export const webhookEndpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(WebhookEventType).meta({ description: "Empty: every event type" }),
    enabled: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .meta({ description: "Why paysign disabled it (e.g. failing for a whole day); null otherwise" }),
    disabledAt: isoDateTimeSchema.nullable(),
    failingSince: isoDateTimeSchema
      .nullable()
      .meta({ description: "The first failed attempt since its last success; null while it succeeds" }),
    previousSecretValidUntil: isoDateTimeSchema.nullable().meta({
      description: "After a rotation, until when deliveries are also signed with the previous secret; null when not",
    }),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema,
  })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

/** The creation and rotation answers: the endpoint and its (new) secret, shown this once. */
export const webhookEndpointWithSecretSchema = z
  .object({ endpoint: webhookEndpointSchema, secret: webhookSecretSchema })
  .meta({ id: "WebhookEndpointWithSecret" });
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecretSchema>;

const descriptionSchema = plainTextSchema.trim().max(500);

/** `POST /admin/v1/webhook-endpoints`. */
export const createWebhookEndpointBodySchema = z
  .strictObject({
    url: webhookEndpointUrlSchema,
    description: descriptionSchema.optional(),
    eventTypes: webhookEventTypesSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: "CreateWebhookEndpointBody" });
export type CreateWebhookEndpointBody = z.infer<typeof createWebhookEndpointBodySchema>;

/** `PATCH /admin/v1/webhook-endpoints/:id`: any subset; `enabled: true` also clears why paysign had disabled it. */
export const updateWebhookEndpointBodySchema = z
  .strictObject({
    url: webhookEndpointUrlSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    eventTypes: webhookEventTypesSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "send at least one field to change")
  .meta({ id: "UpdateWebhookEndpointBody" });
export type UpdateWebhookEndpointBody = z.infer<typeof updateWebhookEndpointBodySchema>;

/** `POST /admin/v1/webhook-endpoints/:id/rotate-secret`. */
export const rotateWebhookSecretBodySchema = z
  .strictObject({
    overlapHours: z
      .number()
      .int()
      .min(0)
      .max(WEBHOOK_SECRET_OVERLAP_HOURS.max)
      .optional()
      .meta({ description: "How long the previous secret stays valid: 0–168 hours, default 24" }),
  })
  .meta({ id: "RotateWebhookSecretBody" });
export type RotateWebhookSecretBody = z.infer<typeof rotateWebhookSecretBodySchema>;
