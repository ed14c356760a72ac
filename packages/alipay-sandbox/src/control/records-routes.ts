import express, { type Router } from "express";
import { unsignAgreement } from "../agreements/agreement-actions.ts";
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
   * The user stops the agreement in the Alipay app. Alipay reports that to the app gateway [UNCERTAIN, §10.1];
   * the sandbox has none, so dut_user_unsign goes to the agreement's sign notify_url.
   */
  router.post("/sandbox/agreements/:agreementNo/unsign", (request, response) => {
    const agreement = state.agreements[request.params.agreementNo];
    if (!agreement) throw new ControlError("NOT_FOUND", `no agreement ${request.params.agreementNo}`);
    if (!isLive(agreement, deps.clock.now()))
      throw new ControlError("CONFLICT", "the agreement is already unsigned or expired");
    unsignAgreement(deps, agreement, null);
    response.json(viewAgreement(agreement, deps.clock.now()));
  });

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
