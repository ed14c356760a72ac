import express, { type Router } from "express";
import { appGatewayOf, setAgreementPaused, unsignAgreement } from "../agreements/agreement-actions.ts";
import { isLive } from "../agreements/agreement-lookup.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { alipayAmountToFen } from "@paysign/contracts";
import { applyRefund } from "../deduction/refunds.ts";
import { PortalRefundBody, type SandboxResetView } from "./control-api.ts";
import { ControlError, parseBody } from "./control-error.ts";
import { viewAgreement, viewNotification, viewTrade } from "./record-views.ts";

export function createRecordsRoutes(deps: SandboxDeps, resetAll: () => void): Router {
  const router = express.Router();
  const { state } = deps.store;

  router.get("/sandbox/agreements", (_request, response) => {
    const now = deps.clock.now();
    response.json(Object.values(state.agreements).map((agreement) => viewAgreement(agreement, now)));
  });

  /**
   * The user stops the agreement in the Alipay app. Alipay reports that to the app gateway (§17.4), never to the
   * sign notify_url; without an app gateway nothing is sent.
   */
  router.post("/sandbox/agreements/:agreementNo/unsign", (request, response) => {
    const agreement = state.agreements[request.params.agreementNo];
    if (!agreement) throw new ControlError("NOT_FOUND", `no agreement ${request.params.agreementNo}`);
    if (!isLive(agreement, deps.clock.now()))
      throw new ControlError("CONFLICT", "the agreement is already unsigned or expired");
    unsignAgreement(deps, agreement, appGatewayOf(deps, agreement));
    response.json(viewAgreement(agreement, deps.clock.now()));
  });

  /** The user pauses (NORMAL → STOP) or resumes (STOP → NORMAL) the agreement in the Alipay app (§17.3). */
  for (const [action, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    router.post(`/sandbox/agreements/:agreementNo/${action}`, (request, response) => {
      const agreement = state.agreements[request.params.agreementNo];
      if (!agreement) throw new ControlError("NOT_FOUND", `no agreement ${request.params.agreementNo}`);
      if (!isLive(agreement, deps.clock.now()) || !setAgreementPaused(deps, agreement, paused))
        throw new ControlError("CONFLICT", `the agreement is ${agreement.status}: it cannot be ${action}d`);
      response.json(viewAgreement(agreement, deps.clock.now()));
    });
  }

  router.get("/sandbox/trades", (_request, response) => {
    response.json(Object.values(state.trades).map(viewTrade));
  });

  /**
   * A refund made in Alipay's merchant portal (docs/alipay-protocol.md §20.5): Alipay's rules, the trade's
   * notification, but no gateway call from the merchant.
   */
  router.post("/sandbox/trades/:tradeNo/refunds", (request, response) => {
    const trade = state.trades[request.params.tradeNo];
    if (!trade) throw new ControlError("NOT_FOUND", `no trade ${request.params.tradeNo}`);
    const body = parseBody(PortalRefundBody, request.body);
    const outcome = applyRefund(deps, trade, {
      outRequestNo: body.outRequestNo ?? `PORTAL${deps.clock.now().getTime()}`,
      amountFen: alipayAmountToFen(body.amount) ?? 0,
      reason: body.reason,
    });
    if (!outcome.ok) throw new ControlError("CONFLICT", `${outcome.subCode}: ${outcome.subMsg}`);
    response.json(viewTrade(trade));
  });

  router.get("/sandbox/notifications", (_request, response) => {
    response.json(state.notifications.map(viewNotification));
  });

  router.post("/sandbox/notifications/:notifyId/redeliver", async (request, response) => {
    const target = await deps.notifier.redeliver(request.params.notifyId);
    if (!target) throw new ControlError("NOT_FOUND", `no notification ${request.params.notifyId}`);
    response.json(viewNotification(target));
  });

  router.post("/sandbox/reset", (_request, response) => {
    resetAll();
    const answer: SandboxResetView = { reset: true };
    response.json(answer);
  });
  return router;
}
