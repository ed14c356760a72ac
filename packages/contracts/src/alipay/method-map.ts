import type { z } from "zod";
import type { AlipayMethod } from "./methods.ts";
import {
  billDownloadUrlQueryBizContentSchema,
  billDownloadUrlQueryResponseSchema,
} from "./methods/bill-downloadurl-query.ts";
import { agreementQueryBizContentSchema, agreementQueryResponseSchema } from "./methods/agreement-query.ts";
import { agreementUnsignBizContentSchema, agreementUnsignResponseSchema } from "./methods/agreement-unsign.ts";
import {
  executionPlanModifyBizContentSchema,
  executionPlanModifyResponseSchema,
} from "./methods/executionplan-modify.ts";
import { oauthTokenParamsSchema, oauthTokenResponseSchema } from "./methods/oauth-token.ts";
import { pageSignBizContentSchema, pageSignResponseSchema } from "./methods/page-sign.ts";
import { signEffectBizContentSchema, signEffectResponseSchema } from "./methods/sign-effect.ts";
import { tradePayBizContentSchema, tradePayResponseSchema } from "./methods/trade-pay.ts";
import { tradeQueryBizContentSchema, tradeQueryResponseSchema } from "./methods/trade-query.ts";
import {
  refundQueryBizContentSchema,
  refundQueryResponseSchema,
  tradeRefundBizContentSchema,
  tradeRefundResponseSchema,
} from "./methods/trade-refund.ts";

export type AlipayMethodSchemas = {
  /** What the caller supplies: the `biz_content` object, or for oauth.token its common-level parameters. */
  request: z.ZodType;
  /** Where the request fields travel: JSON in `biz_content`, or as common parameters next to `method`. */
  requestIn: "biz_content" | "common-params";
  /** The `<method>_response` object of a success answer (page.sign: the paySignCenter result, §3). */
  response: z.ZodType;
  /** Whether the method takes the common `notify_url` (docs/alipay-protocol.md §1.2: page.sign, unsign, trade.pay). */
  notifyUrl: boolean;
};

/** Every method this system calls, with its request and response shapes (docs/alipay-protocol.md §2–§9). */
export const ALIPAY_METHOD_MAP = {
  "alipay.system.oauth.token": {
    request: oauthTokenParamsSchema,
    requestIn: "common-params",
    response: oauthTokenResponseSchema,
    notifyUrl: false,
  },
  "alipay.user.agreement.page.sign": {
    request: pageSignBizContentSchema,
    requestIn: "biz_content",
    response: pageSignResponseSchema,
    notifyUrl: true,
  },
  "alipay.user.agreement.query": {
    request: agreementQueryBizContentSchema,
    requestIn: "biz_content",
    response: agreementQueryResponseSchema,
    notifyUrl: false,
  },
  "alipay.user.agreement.unsign": {
    request: agreementUnsignBizContentSchema,
    requestIn: "biz_content",
    response: agreementUnsignResponseSchema,
    notifyUrl: true,
  },
  "alipay.user.agreement.sign.effect": {
    request: signEffectBizContentSchema,
    requestIn: "biz_content",
    response: signEffectResponseSchema,
    notifyUrl: false,
  },
  "alipay.user.agreement.executionplan.modify": {
    request: executionPlanModifyBizContentSchema,
    requestIn: "biz_content",
    response: executionPlanModifyResponseSchema,
    notifyUrl: false,
  },
  "alipay.trade.pay": {
    request: tradePayBizContentSchema,
    requestIn: "biz_content",
    response: tradePayResponseSchema,
    notifyUrl: true,
  },
  "alipay.trade.query": {
    request: tradeQueryBizContentSchema,
    requestIn: "biz_content",
    response: tradeQueryResponseSchema,
    notifyUrl: false,
  },
  "alipay.data.dataservice.bill.downloadurl.query": {
    request: billDownloadUrlQueryBizContentSchema,
    requestIn: "biz_content",
    response: billDownloadUrlQueryResponseSchema,
    notifyUrl: false,
  },
  // A refund notifies the trade's own notify_url (docs/alipay-protocol.md §20.4): refund takes none.
  "alipay.trade.refund": {
    request: tradeRefundBizContentSchema,
    requestIn: "biz_content",
    response: tradeRefundResponseSchema,
    notifyUrl: false,
  },
  "alipay.trade.fastpay.refund.query": {
    request: refundQueryBizContentSchema,
    requestIn: "biz_content",
    response: refundQueryResponseSchema,
    notifyUrl: false,
  },
} as const satisfies Record<AlipayMethod, AlipayMethodSchemas>;

/** What a caller passes for method M: its `biz_content` (oauth.token: its common parameters). */
export type AlipayBizContent<M extends AlipayMethod> = z.input<(typeof ALIPAY_METHOD_MAP)[M]["request"]>;

/** The parsed `<method>_response` of a success answer to method M. */
export type AlipayResponse<M extends AlipayMethod> = z.output<(typeof ALIPAY_METHOD_MAP)[M]["response"]>;

/** Methods answered through the gateway (page.sign's answer comes back through paySignCenter instead, §3). */
export type AlipayGatewayMethod = Exclude<AlipayMethod, "alipay.user.agreement.page.sign">;
