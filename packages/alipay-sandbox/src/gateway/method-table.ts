import { tradePay } from "./methods/trade-pay.ts";
import { tradeQuery } from "./methods/trade-query.ts";
import { tradeRefund, tradeRefundQuery } from "./methods/trade-refund.ts";
import { agreementQuery } from "./methods/agreement-query.ts";
import { agreementSignEffect } from "./methods/agreement-sign-effect.ts";
import { agreementUnsign } from "./methods/agreement-unsign.ts";
import { executionplanModify } from "./methods/executionplan-modify.ts";
import { oauthToken } from "./methods/oauth-token.ts";
import { billDownloadUrlQuery } from "./methods/bill-downloadurl-query.ts";
import type { MethodHandler } from "./method-context.ts";
import type { AlipayMethod } from "@paysign/contracts/alipay";

/** Every gateway method of ALIPAY_METHODS; page.sign is a page API served by the signing center instead. */
export const METHODS: ReadonlyMap<string, MethodHandler> = new Map<AlipayMethod, MethodHandler>([
  ["alipay.system.oauth.token", oauthToken],
  ["alipay.user.agreement.query", agreementQuery],
  ["alipay.user.agreement.unsign", agreementUnsign],
  ["alipay.user.agreement.sign.effect", agreementSignEffect],
  ["alipay.user.agreement.executionplan.modify", executionplanModify],
  ["alipay.trade.pay", tradePay],
  ["alipay.trade.query", tradeQuery],
  ["alipay.data.dataservice.bill.downloadurl.query", billDownloadUrlQuery],
  ["alipay.trade.refund", tradeRefund],
  ["alipay.trade.fastpay.refund.query", tradeRefundQuery],
]);

export const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS.keys());
