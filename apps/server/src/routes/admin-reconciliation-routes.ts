import { adminGetReconciliation, adminListReconciliations, adminRunReconciliation } from "@paysign/contracts";
import { Router } from "express";
import { getReconciliation, listReconciliations, runReconciliation } from "../deductions/reconciliation.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { presentReconciliationDetail, presentReconciliationRun } from "./presenters.ts";

/** The daily reconciliation with Alipay's bill (docs/alipay-protocol.md §21). */
export function adminReconciliationRoutes(deps: ServiceDeps, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    adminListReconciliations,
    options,
  )(async () => {
    const runs = await listReconciliations(deps);
    return { status: 200, body: { items: runs.map(presentReconciliationRun), nextCursor: null } };
  });

  bindRoute(
    router,
    adminGetReconciliation,
    options,
  )(async ({ params }) => {
    const run = await getReconciliation(deps, params.date);
    return { status: 200, body: presentReconciliationDetail(run) };
  });

  bindRoute(
    router,
    adminRunReconciliation,
    options,
  )(async ({ params }) => {
    const run = await runReconciliation(deps, params.date);
    return { status: 200, body: presentReconciliationDetail(run) };
  });

  return router;
}
