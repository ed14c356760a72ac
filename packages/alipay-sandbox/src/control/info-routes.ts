import express, { type Router } from "express";
import { fenToYuan } from "@paysign/contracts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { AppGatewayBody, type SandboxAppGatewayView, type SandboxInfoView } from "./control-api.ts";
import { ControlError, parseBody } from "./control-error.ts";

/** What a developer needs to point a merchant at this sandbox: its Alipay public key, apps and rule settings. */
export function createInfoRoutes(deps: SandboxDeps): Router {
  const router = express.Router();
  // The root (the link `pnpm dev` prints) shows the same.
  router.get("/", (_request, response) => response.redirect(302, "/sandbox/info"));
  router.get("/sandbox/info", (_request, response) => {
    const { config } = deps;
    const info: SandboxInfoView = {
      alipayPublicKey: config.alipayKeys.publicKey,
      apps: [...config.apps.values()].map(({ app }) => ({
        appId: app.appId,
        name: app.name ?? null,
        userIdType: app.userIdType ?? "user_id",
        appGatewayUrl: app.appGatewayUrl ?? null,
      })),
      keyMode: config.certificates ? "cert" : "key",
      deductionWindowDays: config.deductionWindowDays,
      singleAmountCap: config.singleAmountCapFen === null ? null : fenToYuan(config.singleAmountCapFen),
      maxLiveAgreementsPerUser: config.maxLiveAgreementsPerUser,
      timeScale: config.timeScale,
      timestampToleranceMinutes: config.timestampToleranceMinutes,
    };
    response.json(info);
  });
  /** The app gateway (应用网关) of an app, as set in the Alipay console (§17.4); null removes it. */
  router.post("/sandbox/apps/:appId/app-gateway", (request, response) => {
    const entry = deps.config.apps.get(request.params.appId);
    if (!entry) throw new ControlError("NOT_FOUND", `no app ${request.params.appId}`);
    const { appGatewayUrl } = parseBody(AppGatewayBody, request.body);
    entry.app = { ...entry.app, appGatewayUrl };
    const answer: SandboxAppGatewayView = { appId: entry.app.appId, appGatewayUrl };
    response.json(answer);
  });
  return router;
}
