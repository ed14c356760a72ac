import express, { type Router } from "express";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { prepareSigning } from "../sign-center/prepare-signing.ts";
import { signAtCenter } from "../sign-center/sign-center-service.ts";
import { renderSignPage } from "../sign-center/sign-page.ts";
import { SignCenterBody } from "./control-api.ts";
import { parseBody } from "./control-error.ts";

export function createSignRoutes(deps: SandboxDeps): Router {
  const router = express.Router();
  router.post("/sandbox/sign-center", (request, response) => {
    response.json(signAtCenter(deps, parseBody(SignCenterBody, request.body)));
  });
  /** `signStr` travels URL-encoded in this page's query: `?signStr=${encodeURIComponent(signStr)}`. */
  router.get("/sandbox/sign", (request, response) => {
    const signStr = typeof request.query.signStr === "string" ? request.query.signStr : "";
    const userId = typeof request.query.userId === "string" ? request.query.userId : "";
    const preparation = signStr ? prepareSigning(deps, signStr) : { ok: false as const, reason: "缺少 signStr 参数" };
    response.type("html").send(renderSignPage({ preparation, signStr, userId }));
  });
  return router;
}
