import express, { type Router } from "express";
import { fenToYuan } from "@paysign/contracts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import type { SandboxInfoView } from "./control-api.ts";

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
  return router;
}
