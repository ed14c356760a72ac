import { isMerchantConfigurationFailure, type AlipayMethod } from "@paysign/contracts/alipay";
import type { AlipayCallResult } from "../alipay/alipay-client.ts";
import { AppError } from "../errors.ts";

/**
 * Alipay refused the merchant's configuration (the client has logged what to fix at error level): the customer can
 * do nothing about it, so they are told the merchant's side is unavailable for now — never to sign in again.
 */
export function refuseOnMerchantConfiguration<M extends AlipayMethod>(method: M, result: AlipayCallResult<M>): void {
  if (result.kind !== "business-failure") return;
  if (!isMerchantConfigurationFailure(method, { code: result.code, sub_code: result.subCode })) return;
  throw new AppError(
    "MERCHANT_UNAVAILABLE",
    "Payments are temporarily unavailable on the merchant's side; please try again later.",
  );
}
