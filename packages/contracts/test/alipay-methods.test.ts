import { describe, expect, test } from "vitest";
import {
  ALIPAY_METHODS,
  ALIPAY_METHOD_MAP,
  agreementQueryBizContentSchema,
  agreementQueryResponseSchema,
  agreementUnsignBizContentSchema,
  agreementUnsignResponseSchema,
  alipayResponseKey,
  executionPlanModifyBizContentSchema,
  executionPlanModifyResponseSchema,
  oauthTokenParamsSchema,
  oauthTokenResponseSchema,
  pageSignBizContentSchema,
  pageSignResponseSchema,
  readSignedResponse,
  signEffectBizContentSchema,
  signEffectResponseSchema,
  tradePayBizContentSchema,
  tradePayResponseSchema,
  tradeQueryBizContentSchema,
  tradeQueryResponseSchema,
  type AlipayMethod,
} from "../src/alipay/index.ts";
import { SANDBOX_ANSWERS } from "./fixtures/sandbox-answers.ts";

/** docs/alipay-protocol.md §8 example. */
const tradePayExample = {
  out_trade_no: "REN202402010001",
  total_amount: "19.90",
  subject: "会员连续包月",
  product_code: "CYCLE_PAY_AUTH",
  agreement_params: { agreement_no: "20215607750930630440" },
};

/** §8, real success sample (SW/gopay tests). */
const tradePaySuccessBody =
  '{"alipay_trade_pay_response":{"code":"10000","msg":"Success","buyer_logon_id":"854***@qq.com","buyer_pay_amount":"0.01","buyer_user_id":"2088102363632794","fund_bill_list":[{"amount":"0.01","fund_channel":"PCREDIT"}],"gmt_payment":"2019-08-29 20:22:02","invoice_amount":"0.01","out_trade_no":"GZ201901301040361013","point_amount":"0.00","receipt_amount":"0.01","total_amount":"0.01","trade_no":"2019082922001432790585666965"},"sign":"c2lnbg=="}';

/** §1.5, a business failure. */
const tradePayFailureBody =
  '{"alipay_trade_pay_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.CYCLE_PAY_DATE_NOT_MATCH","sub_msg":"扣款日期不在签约时的允许范围之内"},"sign":"c2lnbg=="}';

describe("method names and answer keys", () => {
  test.each([
    ["alipay.trade.pay", "alipay_trade_pay_response"],
    ["alipay.user.agreement.page.sign", "alipay_user_agreement_page_sign_response"],
    ["alipay.user.agreement.executionplan.modify", "alipay_user_agreement_executionplan_modify_response"],
    ["alipay.system.oauth.token", "alipay_system_oauth_token_response"],
  ] as const)("%s answers under %s", (method, key) => {
    expect(alipayResponseKey(method)).toBe(key);
  });
});

describe("alipay.trade.pay", () => {
  test("accepts the deduction example of §8", () => {
    expect(tradePayBizContentSchema.safeParse(tradePayExample).success).toBe(true);
  });

  test.each([
    ["a zero amount", { total_amount: "0.00" }],
    ["an amount above 100,000,000", { total_amount: "100000000.01" }],
    ["three decimals", { total_amount: "19.901" }],
    ["a subject with a slash", { subject: "a/b" }],
    ["an out_trade_no with a dash", { out_trade_no: "REN-1" }],
    ["no agreement number", { agreement_params: {} }],
    ["no product code", { product_code: undefined }],
  ])("rejects %s", (_name, change) => {
    expect(tradePayBizContentSchema.safeParse({ ...tradePayExample, ...change }).success).toBe(false);
  });

  test("the largest amount is accepted", () => {
    expect(tradePayBizContentSchema.safeParse({ ...tradePayExample, total_amount: "100000000.00" }).success).toBe(true);
  });

  test("reads the real success sample and signs over its exact inner text", () => {
    const read = readSignedResponse(tradePaySuccessBody, alipayResponseKey("alipay.trade.pay"));
    if (!read.ok) throw new Error(read.reason);
    const start = tradePaySuccessBody.indexOf("{", 1);
    const end = tradePaySuccessBody.lastIndexOf(',"sign"');
    expect(read.value.signSource).toBe(tradePaySuccessBody.slice(start, end));
    expect(read.value.sign).toBe("c2lnbg==");
    const response = tradePayResponseSchema.parse(read.value.response);
    expect(response.trade_no).toBe("2019082922001432790585666965");
    expect(response.fund_bill_list?.[0]?.fund_channel).toBe("PCREDIT");
  });

  test("reads a business failure with its sub_code", () => {
    const read = readSignedResponse(tradePayFailureBody, "alipay_trade_pay_response");
    if (!read.ok) throw new Error(read.reason);
    expect(tradePayResponseSchema.parse(read.value.response).sub_code).toBe("ACQ.CYCLE_PAY_DATE_NOT_MATCH");
  });
});

describe("alipay.trade.query", () => {
  test("needs out_trade_no or trade_no", () => {
    expect(tradeQueryBizContentSchema.safeParse({ out_trade_no: "REN202402010001" }).success).toBe(true);
    expect(tradeQueryBizContentSchema.safeParse({ trade_no: "2019082922001432790585666965" }).success).toBe(true);
    expect(tradeQueryBizContentSchema.safeParse({}).success).toBe(false);
  });

  test("knows the four trade statuses only", () => {
    const base = { code: "10000", msg: "Success", out_trade_no: "X1" };
    expect(tradeQueryResponseSchema.safeParse({ ...base, trade_status: "TRADE_SUCCESS" }).success).toBe(true);
    expect(tradeQueryResponseSchema.safeParse({ ...base, trade_status: "PAID" }).success).toBe(false);
  });
});

describe("agreement query, unsign and sign.effect", () => {
  const byExternal = {
    personal_product_code: "CYCLE_PAY_AUTH_P",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    external_agreement_no: "SUB20240101A0001",
  };

  test.each([
    ["agreement.query", agreementQueryBizContentSchema],
    ["agreement.unsign", agreementUnsignBizContentSchema],
    ["sign.effect", signEffectBizContentSchema],
  ])("%s takes agreement_no, or external_agreement_no with its sign scene", (_name, schema) => {
    expect(schema.safeParse({ agreement_no: "20215607750930630440" }).success).toBe(true);
    expect(schema.safeParse(byExternal).success).toBe(true);
    expect(schema.safeParse({ ...byExternal, sign_scene: undefined }).success).toBe(false);
    expect(schema.safeParse({ ...byExternal, sign_scene: "DEFAULT|DEFAULT" }).success).toBe(false);
    expect(schema.safeParse({ personal_product_code: "CYCLE_PAY_AUTH_P" }).success).toBe(false);
    expect(schema.safeParse({ ...byExternal, external_agreement_no: "A".repeat(33) }).success).toBe(false);
  });

  test("a query answer carries Alipay's statuses and deduct times", () => {
    const answer = {
      code: "10000",
      msg: "Success",
      agreement_no: "20215607750930630440",
      status: "NORMAL",
      sign_time: "2021-08-07 15:08:11",
      next_deduct_time: "2021-09-07",
      invalid_time: "2115-02-01 00:00:00",
    };
    expect(agreementQueryResponseSchema.safeParse(answer).success).toBe(true);
    expect(agreementQueryResponseSchema.safeParse({ ...answer, status: "UNSIGN" }).success).toBe(false);
    expect(agreementQueryResponseSchema.safeParse({ ...answer, next_deduct_time: "2021-09-31" }).success).toBe(false);
  });
});

describe("executionplan.modify", () => {
  test("deduct_time is a date only", () => {
    const modify = { agreement_no: "20215607750930630440", deduct_time: "2019-07-06" };
    expect(executionPlanModifyBizContentSchema.safeParse(modify).success).toBe(true);
    const withTime = { ...modify, deduct_time: "2019-07-06 00:00:00" };
    expect(executionPlanModifyBizContentSchema.safeParse(withTime).success).toBe(false);
  });
});

describe("alipay.system.oauth.token", () => {
  test("takes an auth code or a refresh token as common parameters", () => {
    expect(oauthTokenParamsSchema.safeParse({ grant_type: "authorization_code", code: "4b20" }).success).toBe(true);
    expect(oauthTokenParamsSchema.safeParse({ grant_type: "refresh_token", refresh_token: "r1" }).success).toBe(true);
    expect(oauthTokenParamsSchema.safeParse({ grant_type: "authorization_code" }).success).toBe(false);
    expect(oauthTokenParamsSchema.safeParse({ grant_type: "password", code: "x" }).success).toBe(false);
  });

  test("reads a token answer with or without code, expires_in as number or string", () => {
    const body =
      '{"alipay_system_oauth_token_response":{"access_token":"authusrB","alipay_user_id":"20880","expires_in":1296000,"re_expires_in":"2592000","refresh_token":"authusrR","user_id":"2088102150477652"},"sign":"c2ln"}';
    const read = readSignedResponse(body, alipayResponseKey("alipay.system.oauth.token"));
    if (!read.ok) throw new Error(read.reason);
    const answer = oauthTokenResponseSchema.parse(read.value.response);
    expect(answer.user_id).toBe("2088102150477652");
    expect(answer.expires_in).toBe(1296000);
  });

  test("reads a failure under error_response", () => {
    const body =
      '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"},"sign":"c2ln"}';
    const read = readSignedResponse(body, "alipay_system_oauth_token_response");
    if (!read.ok) throw new Error(read.reason);
    expect(read.value.responseKey).toBe("error_response");
    expect(oauthTokenResponseSchema.parse(read.value.response).sub_code).toBe("isv.code-invalid");
  });
});

describe("the method map", () => {
  test("has exactly one entry per method of ALIPAY_METHODS", () => {
    expect(Object.keys(ALIPAY_METHOD_MAP).sort()).toEqual([...ALIPAY_METHODS].sort());
  });

  test.each([
    ["alipay.system.oauth.token", oauthTokenParamsSchema, oauthTokenResponseSchema],
    ["alipay.user.agreement.page.sign", pageSignBizContentSchema, pageSignResponseSchema],
    ["alipay.user.agreement.query", agreementQueryBizContentSchema, agreementQueryResponseSchema],
    ["alipay.user.agreement.unsign", agreementUnsignBizContentSchema, agreementUnsignResponseSchema],
    ["alipay.user.agreement.sign.effect", signEffectBizContentSchema, signEffectResponseSchema],
    [
      "alipay.user.agreement.executionplan.modify",
      executionPlanModifyBizContentSchema,
      executionPlanModifyResponseSchema,
    ],
    ["alipay.trade.pay", tradePayBizContentSchema, tradePayResponseSchema],
    ["alipay.trade.query", tradeQueryBizContentSchema, tradeQueryResponseSchema],
  ] as const)("%s uses the method's own request and response schemas", (method, request, response) => {
    expect(ALIPAY_METHOD_MAP[method].request).toBe(request);
    expect(ALIPAY_METHOD_MAP[method].response).toBe(response);
  });

  test("oauth.token alone sends its request as common parameters", () => {
    const commonParams = ALIPAY_METHODS.filter((method) => ALIPAY_METHOD_MAP[method].requestIn === "common-params");
    expect(commonParams).toEqual(["alipay.system.oauth.token"]);
  });

  test("notify_url goes with page.sign, unsign and trade.pay only (§1.2)", () => {
    const withNotifyUrl = ALIPAY_METHODS.filter((method) => ALIPAY_METHOD_MAP[method].notifyUrl);
    expect(withNotifyUrl).toEqual([
      "alipay.user.agreement.page.sign",
      "alipay.user.agreement.unsign",
      "alipay.trade.pay",
    ]);
  });

  test("a recorded sandbox answer exists for every method", () => {
    expect(Object.keys(SANDBOX_ANSWERS).sort()).toEqual([...ALIPAY_METHODS].sort());
  });

  test.each(ALIPAY_METHODS)("%s: the sandbox's success answer parses with the map's response schema", (method) => {
    const body = SANDBOX_ANSWERS[method];
    const read = readSignedResponse(body, alipayResponseKey(method));
    if (!read.ok) throw new Error(read.reason);
    expect(read.value.responseKey).toBe(alipayResponseKey(method));
    const parsed = ALIPAY_METHOD_MAP[method].response.safeParse(read.value.response);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toEqual(read.value.response);
  });

  test.each<[AlipayMethod, Record<string, unknown>]>([
    ["alipay.trade.pay", { gmt_payment: "2026-11-30" }],
    ["alipay.trade.query", { trade_status: "PAID" }],
    ["alipay.user.agreement.query", { status: "UNSIGN" }],
    ["alipay.system.oauth.token", { expires_in: "soon" }],
  ])("%s: a success answer with a field out of shape is refused", (method, change) => {
    const read = readSignedResponse(SANDBOX_ANSWERS[method], alipayResponseKey(method));
    if (!read.ok) throw new Error(read.reason);
    expect(ALIPAY_METHOD_MAP[method].response.safeParse({ ...read.value.response, ...change }).success).toBe(false);
  });
});
