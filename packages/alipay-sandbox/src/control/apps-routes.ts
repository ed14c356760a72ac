import express, { type Router } from "express";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { AppSettingsBody, type SandboxAppView } from "./control-api.ts";
import { ControlError, parseBody } from "./control-error.ts";

/** App settings that Alipay fixes per app: how it knows its users (docs/alipay-protocol.md §19.1). */
export function createAppsRoutes(deps: SandboxDeps): Router {
  const router = express.Router();
  router.post("/sandbox/apps/:appId", (request, response) => {
    const body = parseBody(AppSettingsBody, request.body);
    const entry = deps.config.apps.get(request.params.appId);
    if (!entry) throw new ControlError("NOT_FOUND", `no app ${request.params.appId} is registered in this sandbox`);
    entry.app.userIdType = body.userIdType;
    const view: SandboxAppView = { appId: entry.app.appId, name: entry.app.name ?? null, userIdType: body.userIdType };
    response.json(view);
  });
  return router;
}
