import { Router } from "express";
import { adminKeyMatcher } from "../http/auth.ts";
import { sendError } from "../http/error-handler.ts";
import type { Metrics } from "../metrics/metrics.ts";

/**
 * GET /metrics in Prometheus' text format, for the admin key only: sent as `Authorization: Bearer <ADMIN_API_KEY>`
 * (Prometheus' `authorization` / `bearer_token_file`) or as `x-admin-key`, like the admin API.
 */
export function metricsRoute(deps: { metrics: Metrics; adminApiKey: string }): Router {
  const router = Router();
  const isAdminKey = adminKeyMatcher(deps.adminApiKey);
  router.get("/metrics", async (req, res) => {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    const header = req.headers["x-admin-key"];
    const key = bearer ?? (typeof header === "string" ? header : undefined);
    if (!key) {
      sendError(req, res, {
        code: "UNAUTHORIZED",
        message: "Send the admin key: Authorization: Bearer <key>, or x-admin-key.",
      });
      return;
    }
    if (!isAdminKey(key)) {
      sendError(req, res, { code: "UNAUTHORIZED", message: "The admin key is wrong." });
      return;
    }
    const text = await deps.metrics.registry.metrics();
    res.status(200).type(deps.metrics.registry.contentType).send(text);
  });
  return router;
}
