import {
  adminCreatePlan,
  adminEffectAgreement,
  adminGetAgreement,
  adminListAgreements,
  adminListPlans,
  adminSyncAgreement,
  adminUnsignAgreement,
  adminUpdatePlan,
} from "@paysign/contracts";
import { Router } from "express";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import { effectAgreement, syncAgreementNow, unsignAgreement } from "../services/agreement-actions.ts";
import { findAgreements, getAgreementWithHistory } from "../services/agreement-reads.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { createPlan, listPlans, updatePlan } from "../services/plans.ts";
import {
  presentAdminAgreement,
  presentAdminEvent,
  presentAttempt,
  presentCharge,
  presentPlan,
  presentRefund,
  presentTotals,
} from "./presenters.ts";

export function adminRoutes(deps: ServiceDeps, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    adminCreatePlan,
    options,
  )(async ({ body }) => {
    const plan = await createPlan(deps, body);
    return { status: 201, body: presentPlan(plan) };
  });

  bindRoute(
    router,
    adminListPlans,
    options,
  )(async () => {
    const plans = await listPlans(deps, { activeOnly: false });
    return { status: 200, body: { items: plans.map(presentPlan) } };
  });

  bindRoute(
    router,
    adminUpdatePlan,
    options,
  )(async ({ params, body }) => {
    const plan = await updatePlan(deps, params.id, body);
    return { status: 200, body: presentPlan(plan) };
  });

  bindRoute(
    router,
    adminListAgreements,
    options,
  )(async ({ query }) => {
    const page = await findAgreements(deps, query);
    return { status: 200, body: { items: page.rows.map(presentAdminAgreement), nextCursor: page.nextCursor } };
  });

  bindRoute(
    router,
    adminGetAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await getAgreementWithHistory(deps, params.id);
    return {
      status: 200,
      body: {
        ...presentAdminAgreement(agreement),
        charges: agreement.charges.map((charge) => ({
          ...presentCharge(charge),
          attempts: charge.attempts.map(presentAttempt),
          refunds: charge.refunds.map((refund) => presentRefund({ ...refund, charge: { agreementId: agreement.id } })),
        })),
        events: agreement.events.map(presentAdminEvent),
        totals: presentTotals(agreement, agreement.charges),
      },
    };
  });

  bindRoute(
    router,
    adminEffectAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await effectAgreement(deps, params.id);
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  bindRoute(
    router,
    adminSyncAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await syncAgreementNow(deps, params.id);
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  bindRoute(
    router,
    adminUnsignAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await unsignAgreement(deps, { agreementId: params.id, source: "ADMIN" });
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  return router;
}
