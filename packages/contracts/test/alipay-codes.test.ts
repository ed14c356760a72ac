import { describe, expect, test } from "vitest";
import {
  isMerchantSideRefusal,
  MERCHANT_SIDE_FAILURE_CODES,
  ALIPAY_METHODS,
  GATEWAY_CODES,
  SUB_CODES,
  classifyAlipayResult,
  classifyTransportFailure,
  getSubCodeInfo,
} from "../src/alipay/index.ts";

describe("gateway codes", () => {
  test.each([
    ["10000", "Success"],
    ["20000", "Service Currently Unavailable"],
    ["20001", "Insufficient Token Permissions"],
    ["40001", "Missing Required Arguments"],
    ["40002", "Invalid Arguments"],
    ["40004", "Business Failed"],
    ["40006", "Insufficient Permissions"],
  ] as const)("%s reads %s", (code, msg) => {
    expect(GATEWAY_CODES[code].msg).toBe(msg);
  });

  test("the table holds exactly the codes of §1.7", () => {
    expect(Object.keys(GATEWAY_CODES).sort()).toEqual(
      ["10000", "10003", "20000", "20001", "40001", "40002", "40003", "40004", "40005", "40006"].sort(),
    );
  });
});

describe("classifying a trade.pay answer", () => {
  const pay = "alipay.trade.pay" as const;
  test.each([
    [{ code: "10000" }, "success"],
    [{ code: "10003" }, "unknown-outcome"],
    [{ code: "20000", sub_code: "isp.unknow-error" }, "unknown-outcome"],
    [{ code: "40004", sub_code: "ACQ.SYSTEM_ERROR" }, "unknown-outcome"],
    [{ code: "40004", sub_code: "ACQ.TRADE_HAS_SUCCESS" }, "unknown-outcome"],
    [{ code: "40004", sub_code: "ACQ.SOMETHING_NEW" }, "unknown-outcome"],
    [{ code: "40004", sub_code: "ACQ.BUYER_BALANCE_NOT_ENOUGH" }, "retryable"],
    [{ code: "40004", sub_code: "ACQ.PAYMENT_REQUEST_HAS_RISK" }, "retryable"],
    [{ code: "40004", sub_code: "ACQ.CYCLE_PAY_DATE_NOT_MATCH" }, "retryable"],
    [{ code: "40004", sub_code: "ACQ.AGREEMENT_NOT_EXIST" }, "definitive"],
    [{ code: "40004", sub_code: "ACQ.AGREEMENT_INVALID" }, "definitive"],
    [{ code: "40004", sub_code: "ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED" }, "definitive"],
    [{ code: "40004", sub_code: "ACQ.CONTEXT_INCONSISTENT" }, "definitive"],
    [{ code: "40002", sub_code: "isv.invalid-signature" }, "definitive"],
    [{ code: "40005", sub_code: "isv.app-call-limited" }, "retryable"],
    [{ code: "99999" }, "unknown-outcome"],
  ])("%o → %s", (result, outcome) => {
    expect(classifyAlipayResult(pay, result)).toBe(outcome);
  });
});

describe("classifying other methods", () => {
  test("reads are retried after a system error; writes are reconciled", () => {
    expect(classifyAlipayResult("alipay.trade.query", { code: "20000" })).toBe("retryable");
    expect(classifyAlipayResult("alipay.user.agreement.query", { code: "40004", sub_code: "SYSTEM_ERROR" })).toBe(
      "retryable",
    );
    expect(classifyAlipayResult("alipay.user.agreement.unsign", { code: "20000" })).toBe("unknown-outcome");
    expect(classifyAlipayResult("alipay.user.agreement.unsign", { code: "40004", sub_code: "SYSTEM_ERROR" })).toBe(
      "unknown-outcome",
    );
    expect(classifyTransportFailure("alipay.trade.pay")).toBe("unknown-outcome");
    expect(classifyTransportFailure("alipay.user.agreement.query")).toBe("retryable");
  });

  test("'agreement does not exist' is a definitive answer to a query", () => {
    expect(
      classifyAlipayResult("alipay.user.agreement.query", { code: "40004", sub_code: "USER_AGREEMENT_NOT_EXIST" }),
    ).toBe("definitive");
    expect(classifyAlipayResult("alipay.trade.query", { code: "40004", sub_code: "ACQ.TRADE_NOT_EXIST" })).toBe(
      "definitive",
    );
  });

  test("oauth.token success may come without a code", () => {
    expect(classifyAlipayResult("alipay.system.oauth.token", {})).toBe("success");
    expect(classifyAlipayResult("alipay.system.oauth.token", { code: "40002", sub_code: "isv.code-invalid" })).toBe(
      "definitive",
    );
  });

  test("every method has a sub_code table and every entry is classified", () => {
    expect(Object.keys(SUB_CODES).sort()).toEqual([...ALIPAY_METHODS].sort());
    for (const method of ALIPAY_METHODS) {
      for (const subCode of Object.keys(SUB_CODES[method])) {
        expect(["retryable", "definitive", "unknown-outcome"]).toContain(getSubCodeInfo(method, subCode)?.class);
      }
    }
    expect(getSubCodeInfo("alipay.trade.pay", "toString")).toBeUndefined();
  });
});

describe("merchant-side refusals of trade.pay (§16)", () => {
  test.each([
    ["40004", "ACQ.BEYOND_PAY_RESTRICTION", true],
    ["40004", "ACQ.MERCHANT_STATUS_NOT_NORMAL", true],
    ["40004", "ACQ.MERCHANT_AGREEMENT_INVALID", true],
    ["40004", "ACQ.SELLER_BEEN_BLOCKED", true],
    ["40004", "ACQ.OVER_MERCHANT_DAILY_DEDUCT_AMOUNT", true],
    ["40006", "isv.insufficient-isv-permissions", true],
    ["40002", "isv.invalid-app-id", true],
    ["40004", "ACQ.BUYER_BALANCE_NOT_ENOUGH", false],
    ["40004", "ACQ.BUYER_ENABLE_STATUS_FORBID", false],
    ["40004", "ACQ.AGREEMENT_NOT_EXIST", false],
    ["40004", "ACQ.SYSTEM_ERROR", false],
  ])("%s %s is merchant-side: %s", (code, subCode, expected) => {
    expect(isMerchantSideRefusal("alipay.trade.pay", { code, sub_code: subCode })).toBe(expected);
  });

  test("a charge's recorded code for each of them is listable as merchant-side", () => {
    expect(MERCHANT_SIDE_FAILURE_CODES).toEqual(
      expect.arrayContaining(["ACQ.BEYOND_PAY_RESTRICTION", "isv.insufficient-isv-permissions"]),
    );
    expect(MERCHANT_SIDE_FAILURE_CODES).not.toContain("ACQ.BUYER_BALANCE_NOT_ENOUGH");
  });
});
