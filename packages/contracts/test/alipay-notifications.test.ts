import { describe, expect, test } from "vitest";
import { alipayNotificationSchema } from "../src/alipay/index.ts";

function form(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(query));
}

/** docs/alipay-protocol.md §10.2, the official FAQ example, as posted. */
const officialSign = form(
  "notify_time=2019-11-26 10:11:42&agreement_no=20195926584211349886&status=NORMAL&sign_type=RSA2&auth_app_id=2019000000000001&charset=utf-8&notify_type=dut_user_sign&alipay_user_id=2088****64&login_token=967009593f3ad62c2907106d64c3fc2b_86&invalid_time=2115-02-01 00:00:00&personal_product_code=CYCLE_PAY_AUTH_P&version=1.0&sign=**&sign_scene=INDUSTRY|CARRENTAL&valid_time=2019-11-26 10:11:42&external_agreement_no=13852852878487&alipay_logon_id=159&app_id=2019000000000001&notify_id=2019112600222101142000830515041653&sign_time=2019-11-26 10:11:42",
);

/** §10.3, the real dut_user_unsign field set. */
const realUnsign: Record<string, string> = {
  charset: "UTF-8",
  notify_time: "2021-04-25 13:21:38",
  unsign_time: "2021-04-25 13:21:38",
  alipay_user_id: "2088112811111403",
  sign: "c2ln",
  external_agreement_no: "SN202108071507493132734376823351",
  version: "1.0",
  notify_id: "2021042500222132138011111111111111",
  notify_type: "dut_user_unsign",
  agreement_no: "20215607750930630440",
  auth_app_id: "2021001186651417",
  personal_product_code: "CYCLE_PAY_AUTH_P",
  app_id: "2021001186651417",
  sign_type: "RSA2",
  alipay_logon_id: "156******06",
  status: "UNSIGN",
  sign_scene: "INDUSTRY|GAME_CHARGE",
};

/** §10.4 fields with the §8 success sample's values. */
const tradeSync: Record<string, string> = {
  notify_time: "2019-08-29 20:22:03",
  notify_type: "trade_status_sync",
  notify_id: "2019082900222202203032791000000000",
  app_id: "2021001186651417",
  charset: "utf-8",
  version: "1.0",
  sign_type: "RSA2",
  sign: "c2ln",
  trade_no: "2019082922001432790585666965",
  out_trade_no: "GZ201901301040361013",
  buyer_id: "2088102363632794",
  trade_status: "TRADE_SUCCESS",
  total_amount: "0.01",
  receipt_amount: "0.01",
  gmt_create: "2019-08-29 20:22:01",
  gmt_payment: "2019-08-29 20:22:02",
  fund_bill_list: '[{"amount":"0.01","fundChannel":"PCREDIT"}]',
};

describe("notifications", () => {
  test.each([
    ["the official dut_user_sign example", officialSign, "dut_user_sign"],
    ["a real dut_user_unsign", realUnsign, "dut_user_unsign"],
    ["a trade_status_sync", tradeSync, "trade_status_sync"],
  ])("accepts %s", (_name, params, notifyType) => {
    const parsed = alipayNotificationSchema.parse(params);
    expect(parsed.notify_type).toBe(notifyType);
  });

  test("keeps fields it does not know, because the signature covers them", () => {
    const parsed = alipayNotificationSchema.parse({ ...officialSign, new_field: "x" });
    expect(parsed).toMatchObject({ new_field: "x", login_token: "967009593f3ad62c2907106d64c3fc2b_86" });
  });

  test("narrows on notify_type", () => {
    const parsed = alipayNotificationSchema.parse(tradeSync);
    if (parsed.notify_type !== "trade_status_sync") throw new Error("wrong branch");
    expect(parsed.trade_status).toBe("TRADE_SUCCESS");
  });

  test.each([
    ["an unknown notify_type", { ...officialSign, notify_type: "dut_user_pay" }],
    ["a sign notification saying UNSIGN", { ...officialSign, status: "UNSIGN" }],
    ["an unsign notification saying NORMAL", { ...realUnsign, status: "NORMAL" }],
    ["no notify_id", { ...officialSign, notify_id: undefined }],
    ["no agreement_no", { ...realUnsign, agreement_no: undefined }],
    ["an ISO notify_time", { ...officialSign, notify_time: "2019-11-26T10:11:42+08:00" }],
    ["a numeric amount form", { ...tradeSync, total_amount: "0.001" }],
    ["an unknown trade status", { ...tradeSync, trade_status: "SUCCESS" }],
  ])("rejects %s", (_name, params) => {
    expect(alipayNotificationSchema.safeParse(params).success).toBe(false);
  });
});
