import {
  createAgreement as createAgreementRoute,
  createSession as createSessionRoute,
  getAgreement,
  listAgreements,
  listPlans as listPlansRoute,
  reportSignResult as reportSignResultRoute,
  signOutcomeOf,
  unsignAgreement as unsignAgreementRoute,
  type LiveAgreementConflictDetails,
} from "@paysign/contracts";
import { Router } from "express";
import { AppError } from "../errors.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import { unsignAgreement } from "../services/agreement-actions.ts";
import { getOwnAgreement, listOwnAgreements } from "../services/agreement-reads.ts";
import { createAgreement } from "../services/agreements.ts";
import { reportSignResultWithLive } from "../services/confirmation.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { listPlans } from "../services/plans.ts";
import type { SessionTokens } from "../services/session-tokens.ts";
import { createSession } from "../services/sessions.ts";
import {
  presentAgreement,
  presentCharge,
  presentCustomer,
  presentCustomerRefund,
  presentEvent,
  presentPlan,
  presentTotals,
} from "./presenters.ts";

export function customerRoutes(deps: ServiceDeps & { sessions: SessionTokens }, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    createSessionRoute,
    options,
  )(async ({ body }) => {
    const session = await createSession(deps, body.authCode);
    return {
      status: 201,
      body: {
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
        customer: presentCustomer(session.customer),
      },
    };
  });

  bindRoute(
    router,
    listPlansRoute,
    options,
  )(async () => {
    const plans = await listPlans(deps, { activeOnly: true });
    return { status: 200, body: { items: plans.map(presentPlan) } };
  });

  bindRoute(
    router,
    createAgreementRoute,
    options,
  )(async ({ body, headers }, { customerId }) => {
    const created = await createAgreement(deps, {
      customerId,
      planId: body.planId,
      idempotencyKey: headers["idempotency-key"],
      body,
    });
    if ("live" in created) {
      const details: LiveAgreementConflictDetails = { liveAgreement: presentAgreement(created.live) };
      throw new AppError(
        "CONFLICT",
        "You already have this subscription; manage it instead of signing again (error.details.liveAgreement).",
        details,
      );
    }
    return { status: 201, body: { agreement: presentAgreement(created.agreement), signStr: created.signStr } };
  });

  bindRoute(
    router,
    listAgreements,
    options,
  )(async (_request, { customerId }) => {
    const agreements = await listOwnAgreements(deps, customerId);
    return { status: 200, body: { items: agreements.map(presentAgreement) } };
  });

  bindRoute(
    router,
    getAgreement,
    options,
  )(async ({ params }, { customerId }) => {
    const agreement = await getOwnAgreement(deps, customerId, params.id);
    return {
      status: 200,
      body: {
        ...presentAgreement(agreement),
        charges: agreement.charges.map(presentCharge),
        events: agreement.events.map(presentEvent),
        refunds: agreement.charges.flatMap((charge) => charge.refunds.map(presentCustomerRefund)),
        totals: presentTotals(agreement, agreement.charges),
      },
    };
  });

  bindRoute(
    router,
    reportSignResultRoute,
    options,
  )(async ({ params, body }, { customerId }) => {
    const { agreement, liveAgreementId } = await reportSignResultWithLive(deps, {
      customerId,
      agreementId: params.id,
      resultStatus: body.resultStatus,
      result: body.result,
    });
    return {
      status: 200,
      body: {
        agreement: presentAgreement(agreement),
        outcome: signOutcomeOf(agreement.status, body.resultStatus),
        ...(liveAgreementId ? { liveAgreementId } : {}),
      },
    };
  });

  bindRoute(
    router,
    unsignAgreementRoute,
    options,
  )(async ({ params }, { customerId }) => {
    const agreement = await unsignAgreement(deps, { agreementId: params.id, customerId, source: "CUSTOMER" });
    return { status: 200, body: { agreement: presentAgreement(agreement) } };
  });

  return router;
}
