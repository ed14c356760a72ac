import { z } from "zod";
import { NOTIFY_ACK, NOTIFY_RETRY } from "../../alipay/constants.ts";
import { route } from "../route.ts";

/**
 * Every Alipay notification (docs/alipay-protocol.md §10). The body is the raw form: the server verifies the signature
 * over these exact fields before reading them with `alipayNotificationSchema`. It answers the text `success` only
 * once the effect is durable (a duplicate too); anything else makes Alipay deliver again.
 */
export const receiveAlipayNotification = route({
  method: "POST",
  path: "/alipay/notify",
  operationId: "receiveAlipayNotification",
  summary: "Alipay asynchronous notifications (form-encoded); answers success or fail as plain text",
  tags: ["alipay"],
  security: "none",
  bodyContentType: "application/x-www-form-urlencoded",
  body: z.record(z.string(), z.string()),
  responseContentType: "text/plain",
  responses: {
    200: z.literal(NOTIFY_ACK).meta({ description: "Recorded (or already recorded): Alipay stops retrying" }),
    400: z.literal(NOTIFY_RETRY).meta({ description: "Unverifiable or malformed: nothing changed" }),
    500: z.literal(NOTIFY_RETRY),
    503: z.literal(NOTIFY_RETRY).meta({ description: "Database unavailable: Alipay will retry" }),
  },
});

const checkStateSchema = z.enum(["ok", "fail"]);

export const healthz = route({
  method: "GET",
  path: "/healthz",
  operationId: "healthz",
  summary: "Liveness: the process is up",
  tags: ["health"],
  security: "none",
  responses: { 200: z.object({ status: z.literal("ok") }) },
});

export const readyz = route({
  method: "GET",
  path: "/readyz",
  operationId: "readyz",
  summary: "Readiness: the database answers and configuration is loaded",
  tags: ["health"],
  security: "none",
  responses: {
    200: z.object({ status: z.literal("ok"), checks: z.record(z.string(), checkStateSchema) }),
    503: z.object({ status: z.literal("unavailable"), checks: z.record(z.string(), checkStateSchema) }),
  },
});

export const systemRoutes = { receiveAlipayNotification, healthz, readyz } as const;
