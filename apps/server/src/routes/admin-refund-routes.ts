import { adminListRefunds, adminRefundCharge, adminRefundDuplicateTrade } from "@paysign/contracts";
import { Router } from "express";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import { createRefund } from "../refunds/refund-engine.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { findRefunds } from "../services/refunds.ts";
import { presentRefund } from "./presenters.ts";

/** Refunds for operators (ARCHITECTURE.md "A refund"). */
export function adminRefundRoutes(deps: ServiceDeps, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    adminRefundCharge,
    options,
  )(async ({ params, body, headers }) => {
    const refund = await createRefund(deps, {
      chargeId: params.id,
      amount: body.amount,
      reason: body.reason,
      idempotencyKey: headers["idempotency-key"],
    });
    return { status: 201, body: { refund: presentRefund(refund) } };
  });

  bindRoute(
    router,
    adminRefundDuplicateTrade,
    options,
  )(async ({ params, body, headers }) => {
    const refund = await createRefund(deps, {
      chargeId: params.id,
      reason: body.reason,
      idempotencyKey: headers["idempotency-key"],
      duplicate: true,
    });
    return { status: 201, body: { refund: presentRefund(refund) } };
  });

  bindRoute(
    router,
    adminListRefunds,
    options,
  )(async ({ query }) => {
    const page = await findRefunds(deps, query);
    return { status: 200, body: { items: page.rows.map(presentRefund), nextCursor: page.nextCursor } };
  });

  return router;
}
