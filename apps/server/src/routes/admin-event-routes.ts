import { adminGetEvent, adminListEvents } from "@paysign/contracts";
import { Router } from "express";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { getEvent, listEvents } from "../services/events.ts";
import { presentWebhookEvent } from "./presenters.ts";

/** The events API (ARCHITECTURE.md "An outbound event"). */
export function adminEventRoutes(deps: ServiceDeps, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    adminListEvents,
    options,
  )(async ({ query }) => {
    const page = await listEvents(deps, query);
    return {
      status: 200,
      body: { items: page.rows.map(presentWebhookEvent), nextCursor: page.nextCursor, hasMore: page.hasMore },
    };
  });

  bindRoute(
    router,
    adminGetEvent,
    options,
  )(async ({ params }) => ({ status: 200, body: presentWebhookEvent(await getEvent(deps, params.id)) }));

  return router;
}
