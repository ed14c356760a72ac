import { z } from "zod";
import { calendarDateSchema } from "../../wire-formats.ts";
import { adminAuthHeadersSchema, pageOf } from "../common.ts";
import { errorResponses } from "../errors.ts";
import { reconciliationDetailSchema, reconciliationRunSchema } from "../resources/reconciliation.ts";
import { route } from "../route.ts";

const admin = { tags: ["admin"], security: "admin", headers: adminAuthHeadersSchema } as const;
const dateParams = z.object({ date: calendarDateSchema });

export const adminListReconciliations = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/reconciliations",
  operationId: "adminListReconciliations",
  summary: "The daily reconciliations with Alipay's bill, newest day first (the last 90 days; nextCursor is null)",
  responses: {
    200: pageOf(reconciliationRunSchema),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const adminGetReconciliation = route({
  ...admin,
  method: "GET",
  path: "/admin/v1/reconciliations/:date",
  operationId: "adminGetReconciliation",
  summary: "One day's reconciliation with every difference and its suggested action",
  params: dateParams,
  responses: {
    200: reconciliationDetailSchema,
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const adminRunReconciliation = route({
  ...admin,
  method: "POST",
  path: "/admin/v1/reconciliations/:date/run",
  operationId: "adminRunReconciliation",
  summary: "Download the day's bill from Alipay and reconcile it now (replaces that day's earlier run)",
  params: dateParams,
  responses: {
    200: reconciliationDetailSchema,
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "FORBIDDEN",
      "CONFLICT",
      "INTERNAL",
      "ALIPAY_UNAVAILABLE",
      "SERVICE_UNAVAILABLE",
    ),
  },
});

export const reconciliationRoutes = {
  adminListReconciliations,
  adminGetReconciliation,
  adminRunReconciliation,
} as const;
