import type { SandboxDeps } from "../sandbox-deps.ts";
import type { CheckedRequest } from "./common-checks.ts";
import type { GatewayBody } from "./results.ts";

export type MethodContext = {
  deps: SandboxDeps;
  request: CheckedRequest;
  now: Date;
  /** A `pay-in-process` fault is armed for this request (trade.pay only). */
  payInProcess: boolean;
  /** This sandbox's base URL as the caller reached it (bill download addresses point at it). */
  baseUrl: string;
};

export type MethodHandler = (context: MethodContext) => GatewayBody;
