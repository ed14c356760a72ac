import { z } from "zod";
import { adminAuthHeadersSchema, idParamsSchema } from "../common.ts";
import { errorResponses } from "../errors.ts";
import { WEBHOOK_EVENT_TYPE_MESSAGE, WebhookEventType } from "../resources/webhook-event-types.ts";
import { webhookEventSchema } from "../resources/webhook-events.ts";
import { route } from "../route.ts";

const admin = { tags: ["admin"], security: "admin", headers: adminAuthHeadersSchema } as const;

export const eventsPageSchema = z
  .object({
    items: z.array(webhookEventSchema),
    nextCursor: z.string().meta({
      description:
        "Pass as after to read on. Never null: at the end of the stream it is where to resume, and an empty page " +
        "comes back until newer events are final",
    }),
    hasMore: z.boolean().meta({ description: "Whether more final events follow this page now" }),
  })
  .meta({ id: "EventsPage" });
export type EventsPage = z.infer<typeof eventsPageSchema>;

export const adminListEvents = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/events",
  operationId: "adminListEvents",
  summary: "Outbound events in the order they were written, after a cursor (catch up without webhooks)",
  description:
    "Only final events are listed: an event whose transaction may still be followed by an earlier-committing one " +
    "waits, so a cursor never skips an event that commits late. Without after, from the first event.",
  query: z.object({
    after: z.string().min(1).max(512).optional().meta({ description: "The nextCursor of an earlier page" }),
    type: z
      .union([WebhookEventType, z.array(WebhookEventType).max(WebhookEventType.options.length)], {
        error: WEBHOOK_EVENT_TYPE_MESSAGE,
      })
      .optional()
      .meta({ description: "Only events of these types (repeat the parameter for several)" }),
    limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: "1–100, default 20" }),
  }),
  responses: {
    200: eventsPageSchema,
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const adminGetEvent = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/events/:id",
  operationId: "adminGetEvent",
  summary: "One outbound event",
  params: idParamsSchema,
  responses: {
    200: webhookEventSchema,
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const eventRoutes = { adminListEvents, adminGetEvent } as const;
