import { healthz, readyz } from "@paysign/contracts";
import { Router } from "express";
import { pingDatabase, type Database } from "../db/prisma.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";

export function healthRoutes(db: Database, options: BindOptions): Router {
  const router = Router();
  bindRoute(router, healthz, options)(async () => ({ status: 200, body: { status: "ok" } }));
  bindRoute(
    router,
    readyz,
    options,
  )(async () => {
    const database = await pingDatabase(db);
    return database
      ? { status: 200, body: { status: "ok", checks: { database: "ok" } } }
      : { status: 503, body: { status: "unavailable", checks: { database: "fail" } } };
  });
  return router;
}
