import { adminChargeAgreement, adminDeferAgreement, adminListCharges, adminRunScheduler } from "@paysign/contracts";
import { Router } from "express";
import { chargeNow } from "../deductions/charge-now.ts";
import { deferAgreement } from "../deductions/defer.ts";
import { runSchedulerTick, type DeductionQueue } from "../deductions/scheduler.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import { findCharges } from "../services/charges.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { presentAdminAgreement, presentCharge } from "./presenters.ts";

export type ChargeRouteDeps = ServiceDeps & { queue?: DeductionQueue | undefined };

/** Charges, defer and the scheduler for operators (docs/product.md §7, §8). */
export function adminChargeRoutes(deps: ChargeRouteDeps, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    adminChargeAgreement,
    options,
  )(async ({ params }) => {
    const charge = await chargeNow(deps, params.id);
    return { status: 200, body: { charge: presentCharge(charge) } };
  });

  bindRoute(
    router,
    adminDeferAgreement,
    options,
  )(async ({ params, body }) => {
    const agreement = await deferAgreement(deps, {
      agreementId: params.id,
      deductDate: body.deductDate,
      memo: body.memo,
    });
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  bindRoute(
    router,
    adminRunScheduler,
    options,
  )(async ({ body }) => {
    const result = await runSchedulerTick(deps, { queue: deps.queue, wait: body.wait ?? false });
    return { status: 200, body: result };
  });

  bindRoute(
    router,
    adminListCharges,
    options,
  )(async ({ query }) => {
    const page = await findCharges(deps, query);
    return { status: 200, body: { items: page.rows.map(presentCharge), nextCursor: page.nextCursor } };
  });

  return router;
}
