import { z } from "zod";
import { calendarDateSchema } from "../../wire-formats.ts";
import { adminAuthHeadersSchema, pageOf, pageQueryShape } from "../common.ts";
import { errorResponses } from "../errors.ts";
import { route } from "../route.ts";
import {
  adminNotificationSchema,
  adminOverviewSchema,
  adminSessionSchema,
  notificationOutcomeSchema,
  overviewQuerySchema,
} from "../resources/console.ts";

// What the merchant console needs beyond the operators' API: its session cookie, the overview and the inbox.

const adminReadErrors = errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL", "SERVICE_UNAVAILABLE");
const admin = { tags: ["admin"], security: "admin", headers: adminAuthHeadersSchema } as const;

export const adminCreateSession = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/session",
  operationId: "adminCreateSession",
  summary: "Sign the console in: the admin key (x-admin-key) for an httpOnly, SameSite=Strict session cookie",
  description:
    "The cookie then authenticates admin routes as the key does; state-changing requests made with it must also " +
    "send x-paysign-console: 1.",
  responses: { 200: adminSessionSchema, ...adminReadErrors },
});

export const adminGetSession = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/session",
  operationId: "adminGetSession",
  summary: "How this request is authenticated (401 when it is not)",
  responses: { 200: adminSessionSchema, ...adminReadErrors },
});

export const adminDeleteSession = route({
  ...admin,
  method: "DELETE",
  path: "/admin/v1/session",
  operationId: "adminDeleteSession",
  summary: "Sign the console out: the session cookie is cleared",
  responses: { 200: z.object({ signedOut: z.literal(true) }), ...adminReadErrors },
});

export const adminGetOverview = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/overview",
  operationId: "adminGetOverview",
  summary: "The console's overview: active agreements, MRR, money in a range, success rate, daily counts, problems",
  query: overviewQuerySchema,
  responses: { 200: adminOverviewSchema, ...adminReadErrors },
});

export const adminListNotifications = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/notifications",
  operationId: "adminListNotifications",
  summary: "Alipay's notifications as recorded, newest first, with their outcomes",
  query: z.object({
    outcome: notificationOutcomeSchema.optional(),
    notifyType: z.string().min(1).max(64).optional(),
    agreementNo: z.string().min(1).max(64).optional(),
    ...pageQueryShape,
  }),
  responses: { 200: pageOf(adminNotificationSchema), ...adminReadErrors },
});

/** The agreement list's console filters (GET /admin/v1/agreements). */
export const agreementSearchQueryShape = {
  q: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .meta({ description: "An exact agreement no., external agreement no. or Alipay user id" }),
  createdFrom: calendarDateSchema.optional().meta({ description: "Created on or after (Asia/Shanghai day)" }),
  createdTo: calendarDateSchema.optional().meta({ description: "Created on or before (Asia/Shanghai day)" }),
};

export const adminConsoleRoutes = {
  adminCreateSession,
  adminGetSession,
  adminDeleteSession,
  adminGetOverview,
  adminListNotifications,
} as const;
