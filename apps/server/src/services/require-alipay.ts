import type { AlipayClient } from "../alipay/alipay-client.ts";
import { AppError } from "../errors.ts";
import type { ServiceDeps } from "./deps.ts";

export function requireAlipay(deps: ServiceDeps): AlipayClient {
  if (!deps.alipay) {
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "Alipay is not configured on this server: set ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY " +
        "(or run `pnpm dev`, which points the server at the local sandbox).",
    );
  }
  return deps.alipay;
}
