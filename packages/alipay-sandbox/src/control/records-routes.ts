import express, { type Router } from "express";
import { appGatewayOf, setAgreementPaused, unsignAgreement } from "../agreements/agreement-actions.ts";
import { isLive } from "../agreements/agreement-lookup.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import type { SandboxResetView } from "./control-api.ts";
import { ControlError } from "./control-error.ts";
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
