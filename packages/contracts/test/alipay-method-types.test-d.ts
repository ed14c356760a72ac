import { describe, expectTypeOf, test } from "vitest";
import type { AlipayBizContent, AlipayResponse, TradePayResponse } from "../src/alipay/index.ts";

// Checked by `tsc` (pnpm typecheck runs over test/), not at run time.

describe("types derived from the method map", () => {
  test("a response type is the method's parsed answer", () => {
    expectTypeOf<AlipayResponse<"alipay.trade.pay">>().toEqualTypeOf<TradePayResponse>();
    expectTypeOf<AlipayResponse<"alipay.trade.pay">["trade_no"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AlipayResponse<"alipay.trade.query">["trade_status"]>().toEqualTypeOf<
      "WAIT_BUYER_PAY" | "TRADE_CLOSED" | "TRADE_SUCCESS" | "TRADE_FINISHED" | undefined
    >();
  });

  test("a biz_content type requires the method's fields", () => {
    expectTypeOf({ agreement_no: "2021", deduct_time: "2027-01-05" }).toExtend<
      AlipayBizContent<"alipay.user.agreement.executionplan.modify">
    >();
    expectTypeOf({ deduct_time: "2027-01-05" }).not.toExtend<
      AlipayBizContent<"alipay.user.agreement.executionplan.modify">
    >();
  });

  test("oauth.token takes its grant as common parameters", () => {
    expectTypeOf({ grant_type: "authorization_code" as const, code: "c" }).toExtend<
      AlipayBizContent<"alipay.system.oauth.token">
    >();
    expectTypeOf({ grant_type: "authorization_code" as const }).not.toExtend<
      AlipayBizContent<"alipay.system.oauth.token">
    >();
  });
});
