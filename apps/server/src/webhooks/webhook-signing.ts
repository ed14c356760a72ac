import { Webhook } from "standardwebhooks";
import { presentWebhookEvent } from "../presenters/resources.ts";
import type { WebhookEventRow } from "../repositories/webhook-deliveries.ts";

/**
 * The body of a delivery: contracts' event envelope as JSON, exactly what `GET /admin/v1/events/:id` answers; `data`
 * is the resource as the admin API shows it, never keys or sign strings.
 */
export function webhookBodyOf(event: WebhookEventRow): string {
  return JSON.stringify(presentWebhookEvent(event));
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` is the event id (the same on every attempt and retry,
 * what a consumer de-duplicates on), `webhook-timestamp` is `sentAt` in Unix seconds, `webhook-signature` holds
 * `v1,<base64>` made with each secret given (the current one, then during a rotation's overlap the previous one),
 * space-separated. Secrets are `whsec_<base64>`; the library throws on one it cannot read.
 */
export function signWebhook(input: {
  eventId: string;
  body: string;
  sentAt: Date;
  secrets: string[];
}): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.eventId, input.sentAt, input.body));
  return {
    "webhook-id": input.eventId,
    "webhook-timestamp": String(Math.floor(input.sentAt.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
