import express, { type Router } from "express";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { formatAlipayDateTime } from "@paysign/contracts";
import { ClockBody, type SandboxClockView } from "./control-api.ts";
import { parseBody } from "./control-error.ts";

export function createClockRoutes(deps: SandboxDeps): Router {
  const router = express.Router();
  const view = (): SandboxClockView => {
    const now = deps.clock.now();
    return { now: now.toISOString(), alipayTime: formatAlipayDateTime(now) };
  };
  router.get("/sandbox/clock", (_request, response) => {
    response.json(view());
  });
  /** Sets the simulated time (forward or back); due notification retries go out at once. */
  router.post("/sandbox/clock", (request, response) => {
    const { now } = parseBody(ClockBody, request.body);
    deps.clock.set(new Date(now));
    response.json(view());
  });
  return router;
}
