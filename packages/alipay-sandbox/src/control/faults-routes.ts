import express, { type Router } from "express";
import { MERCHANT_SIDE_PAY_SUB_CODES, NOTIFY_TYPES } from "@paysign/contracts/alipay";
import { defaultApplied, NOTIFY_FAULT_MODES, TRADE_PAY_FAULT_MODES, type Fault } from "../faults/fault-store.ts";
import { KNOWN_METHODS } from "../gateway/method-table.ts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { FaultBody, type SandboxFaultView } from "./control-api.ts";
import { ControlError, parseBody } from "./control-error.ts";

const NOTIFY_TYPE_SET: ReadonlySet<string> = new Set(NOTIFY_TYPES);

function view(fault: Fault): SandboxFaultView {
  return {
    method: fault.method,
    mode: fault.mode,
    count: fault.remaining,
    applied: fault.applied,
    ...(fault.subCode ? { subCode: fault.subCode } : {}),
  };
}

export function createFaultsRoutes(deps: SandboxDeps): Router {
  const router = express.Router();
  router.get("/sandbox/faults", (_request, response) => {
    response.json(deps.faults.list().map(view));
  });
  /** `method` is a gateway method (gateway modes) or a notify_type (notify modes), or `*`; count defaults to 1. */
  router.post("/sandbox/faults", (request, response) => {
    const body = parseBody(FaultBody, request.body);
    const notifyMode = (NOTIFY_FAULT_MODES as readonly string[]).includes(body.mode);
    const known = notifyMode ? NOTIFY_TYPE_SET : KNOWN_METHODS;
    if (body.method !== "*" && !known.has(body.method)) {
      throw new ControlError(
        "VALIDATION_FAILED",
        `method must be * or one of ${[...known].join(", ")} for ${body.mode}`,
      );
    }
    if (TRADE_PAY_FAULT_MODES.includes(body.mode) && !["*", "alipay.trade.pay"].includes(body.method)) {
      throw new ControlError("VALIDATION_FAILED", `${body.mode} applies to alipay.trade.pay only`);
    }
    if (body.subCode !== undefined && body.mode !== "merchant-refusal") {
      throw new ControlError("VALIDATION_FAILED", "subCode applies to merchant-refusal only");
    }
    if (body.subCode !== undefined && !MERCHANT_SIDE_PAY_SUB_CODES.includes(body.subCode)) {
      throw new ControlError("VALIDATION_FAILED", `subCode must be one of ${MERCHANT_SIDE_PAY_SUB_CODES.join(", ")}`);
    }
    if (body.mode === "late-processing" && body.method !== "alipay.trade.pay") {
      throw new ControlError("VALIDATION_FAILED", "late-processing applies to alipay.trade.pay only");
    }
    const fault: Fault = {
      method: body.method,
      mode: body.mode,
      remaining: body.count ?? 1,
      applied: body.applied ?? defaultApplied(body.mode),
      ...(body.mode === "merchant-refusal" ? { subCode: body.subCode ?? "ACQ.MERCHANT_STATUS_NOT_NORMAL" } : {}),
    };
    deps.faults.add(fault);
    response.json(view(fault));
  });
  /** Processes the trade.pay requests a `late-processing` fault holds, now, oldest first. */
  router.post("/sandbox/faults/late-requests/release", (_request, response) => {
    response.json({ released: deps.lateRequests.release(deps.clock.now()) });
  });
  router.get("/sandbox/faults/late-requests", (_request, response) => {
    response.json({ held: deps.lateRequests.count() });
  });
  router.delete("/sandbox/faults", (_request, response) => {
    deps.faults.clear();
    response.json([]);
  });
  return router;
}
