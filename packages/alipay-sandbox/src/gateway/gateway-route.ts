import express, { type Request, type Response, type Router } from "express";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { getSubCodeInfo } from "@paysign/contracts/alipay";
import { GATEWAY_FAULT_MODES, TRADE_PAY_FAULT_MODES, type Fault } from "../faults/fault-store.ts";
import { checkCommonParams } from "./common-checks.ts";
import { encodeIn, toGatewayCharset } from "./gateway-charsets.ts";
import { KNOWN_METHODS, METHODS } from "./method-table.ts";
import type { MethodContext } from "./method-context.ts";
import { readGatewayParams } from "./read-params.ts";
import { businessFailed, serviceUnavailable, type GatewayBody } from "./results.ts";
import { buildSignedResponse } from "./signed-response.ts";

function systemErrorFor(method: string): GatewayBody {
  const subCode = method.startsWith("alipay.trade.") ? "ACQ.SYSTEM_ERROR" : "SYSTEM_ERROR";
  return businessFailed(subCode, "系统异常");
}

/**
 * A fault answers in place of the method. `applied` decides whether the method ran behind it; `timeout` never
 * answers: the socket is held, then destroyed after timeoutFaultMs (longer than an SDK timeout). `late-processing`
 * holds the socket the same way but runs the method only when the control API releases it (faults/late-requests.ts).
 */
function answerWithFault(
  deps: SandboxDeps,
  fault: Fault,
  context: { method: string; run: (at?: Date) => GatewayBody },
): GatewayBody | "hold" {
  const { run } = context;
  const runIfApplied = () => fault.applied && run();
  switch (fault.mode) {
    case "timeout":
      runIfApplied();
      return "hold";
    case "system-error":
      runIfApplied();
      return serviceUnavailable();
    case "acq-system-error":
      runIfApplied();
      return systemErrorFor(context.method);
    case "merchant-refusal": {
      // docs/alipay-protocol.md §16.1: refused before any money moves.
      runIfApplied();
      const subCode = fault.subCode ?? "ACQ.MERCHANT_STATUS_NOT_NORMAL";
      return businessFailed(subCode, getSubCodeInfo("alipay.trade.pay", subCode)?.message ?? "商户状态异常");
    }
    case "late-processing":
      if (fault.applied) deps.lateRequests.hold((at) => void run(at));
      return "hold";
    case "pay-in-process":
    case "drop-notify":
    case "duplicate-notify":
    case "reorder-notify":
    case "bad-sign-notify":
    case "lose-notify":
      return run();
    default: {
      const unreachable: never = fault.mode;
      return unreachable;
    }
  }
}

export function createGatewayRouter(deps: SandboxDeps, heldSockets: Set<Request["socket"]>): Router {
  const router = express.Router();
  router.use("/gateway.do", express.text({ type: () => true, limit: "1mb" }));
  const handle = (request: Request, response: Response) => {
    const params = readGatewayParams(request);
    const now = deps.clock.now();
    const checked = checkCommonParams(params, { config: deps.config, knownMethods: KNOWN_METHODS, now });
    // §18.1: the answer is written and signed in the request's charset (utf-8 when it names none or one refused).
    const charset = toGatewayCharset(params.charset ?? "") ?? "utf-8";
    const send = (body: GatewayBody, signType: "RSA" | "RSA2") => {
      const text = buildSignedResponse({
        method: params.method || null,
        body,
        key: deps.config.alipayPrivateKey,
        signType,
        alipayCertSn: deps.config.certificates?.alipayCertSn,
        charset,
      });
      response.status(200).type(`application/json; charset=${charset}`).send(encodeIn(text, charset));
    };
    if (!checked.ok) return send(checked.body, checked.signType);
    const { method, signType } = checked.request;
    const handler = METHODS.get(method);
    if (!handler) return send(serviceUnavailable(), signType);
    const modes =
      method === "alipay.trade.pay"
        ? GATEWAY_FAULT_MODES
        : GATEWAY_FAULT_MODES.filter((m) => !TRADE_PAY_FAULT_MODES.includes(m));
    const fault = deps.faults.take(method, modes);
    const context: MethodContext = {
      deps,
      request: checked.request,
      now,
      payInProcess: fault?.mode === "pay-in-process",
      baseUrl: `${request.protocol}://${request.get("host") ?? "127.0.0.1"}`,
    };
    const run = (at: Date = now) => handler({ ...context, now: at });
    if (!fault) return send(run(), signType);
    const answer = answerWithFault(deps, fault, { method, run });
    if (answer !== "hold") return send(answer, signType);
    const socket = request.socket;
    heldSockets.add(socket);
    const timer = setTimeout(() => socket.destroy(), deps.config.timeoutFaultMs);
    socket.once("close", () => {
      clearTimeout(timer);
      heldSockets.delete(socket);
    });
  };
  router.get("/gateway.do", handle);
  router.post("/gateway.do", handle);
  return router;
}
