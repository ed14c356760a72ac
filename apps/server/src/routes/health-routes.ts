import { healthz, readyz } from "@paysign/contracts";
import { Router } from "express";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { isDatabaseReady } from "../services/health.ts";

export function healthRoutes(deps: Pick<ServiceDeps, "db">, options: BindOptions): Router {
  const router = Router();
  bindRoute(router, healthz, options)(() => Promise.resolve({ status: 200, body: { status: "ok" } }));
  bindRoute(
    router,
    readyz,
    options,
  )(async () => {
    const database = await isDatabaseReady(deps);
    return database
      ? { status: 200, body: { status: "ok", checks: { database: "ok" } } }
      : { status: 503, body: { status: "unavailable", checks: { database: "fail" } } };
  });
  return router;
}
