import { describe, expect, test } from "vitest";
import {
  fromPeriodRuleParams,
  pageSignBizContentSchema,
  periodRuleParamsSchema,
  toPeriodRuleParams,
} from "../src/alipay/index.ts";

/** docs/alipay-protocol.md §2.4, periodic monthly example. */
const monthlyExample = {
  product_code: "CYCLE_PAY_AUTH",
  personal_product_code: "CYCLE_PAY_AUTH_P",
  sign_scene: "INDUSTRY|DIGITAL_MEDIA",
  external_agreement_no: "SUB20240101A0001",
  access_params: { channel: "ALIPAYAPP" },
  period_rule_params: {
    period_type: "MONTH",
    period: 1,
    execute_time: "2024-02-01",
    single_amount: "19.90",
    total_amount: "238.80",
    total_payments: 12,
  },
};

/** §2.4, the official minimal example (SUPPORT-2020): period and amount as strings, one decimal. */
const officialMinimal = JSON.parse(
  '{"product_code":"CYCLE_PAY_AUTH","personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|CARRENTAL","external_agreement_no":"20200226QY0001","access_params":{"channel":"ALIPAYAPP"},"period_rule_params":{"period_type":"DAY","period":"7","execute_time":"2020-02-26","single_amount":"0.1"}}',
) as unknown;

function withRule(rule: Record<string, unknown>): unknown {
  return { ...monthlyExample, period_rule_params: { ...monthlyExample.period_rule_params, ...rule } };
}

function issuePaths(value: unknown): string[] {
  const result = pageSignBizContentSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

describe("page.sign biz_content", () => {
  test.each([
    ["the monthly example of §2.4", monthlyExample],
    ["the official minimal example (strings, one decimal)", officialMinimal],
    ["a DAY period of exactly 7", withRule({ period_type: "DAY", period: 7 })],
    ["a MONTH start on the 28th", withRule({ execute_time: "2024-02-28" })],
    ["a DAY start on the 31st", withRule({ period_type: "DAY", period: 7, execute_time: "2024-01-31" })],
    ["a leap day for DAY periods", withRule({ period_type: "DAY", period: 30, execute_time: "2024-02-29" })],
    ["an amount sent as a JSON number", withRule({ single_amount: 10.99, total_amount: undefined })],
    ["a 32-character external agreement number", { ...monthlyExample, external_agreement_no: "A".repeat(32) }],
    [
      "plain withholding without a period rule",
      {
        personal_product_code: "GENERAL_WITHHOLDING_P",
        product_code: "GENERAL_WITHHOLDING",
        access_params: { channel: "ALIPAYAPP" },
      },
    ],
  ])("accepts %s", (_name, value) => {
    expect(issuePaths(value)).toEqual([]);
  });

  test.each([
    ["a DAY period of 6", withRule({ period_type: "DAY", period: 6 }), "period_rule_params.period"],
    ['a DAY period of "6"', withRule({ period_type: "DAY", period: "6" }), "period_rule_params.period"],
    ["a MONTH start on the 29th", withRule({ execute_time: "2024-01-29" }), "period_rule_params.execute_time"],
    ["a day that does not exist", withRule({ execute_time: "2023-02-29" }), "period_rule_params.execute_time"],
    ["a date with a time", withRule({ execute_time: "2024-02-01 00:00" }), "period_rule_params.execute_time"],
    ["three decimals", withRule({ single_amount: "19.999" }), "period_rule_params.single_amount"],
    ["a zero amount", withRule({ single_amount: "0.00", total_amount: undefined }), "period_rule_params.single_amount"],
    ["a total below the single amount", withRule({ total_amount: "19.89" }), "period_rule_params.total_amount"],
    ["zero payments", withRule({ total_payments: 0 }), "period_rule_params.total_payments"],
    ["a WEEK period type", withRule({ period_type: "WEEK" }), "period_rule_params.period_type"],
    [
      "a 33-character external number",
      { ...monthlyExample, external_agreement_no: "A".repeat(33) },
      "external_agreement_no",
    ],
    ["an external number with a dash", { ...monthlyExample, external_agreement_no: "SUB-1" }, "external_agreement_no"],
    ["an external number without a sign scene", { ...monthlyExample, sign_scene: undefined }, "sign_scene"],
    ["an external number with DEFAULT|DEFAULT", { ...monthlyExample, sign_scene: "DEFAULT|DEFAULT" }, "sign_scene"],
    ["a malformed sign scene", { ...monthlyExample, sign_scene: "DIGITAL_MEDIA" }, "sign_scene"],
    [
      "CYCLE_PAY_AUTH_P without a period rule",
      { ...monthlyExample, period_rule_params: undefined },
      "period_rule_params",
    ],
    [
      "a period rule for plain withholding",
      { ...monthlyExample, personal_product_code: "GENERAL_WITHHOLDING_P" },
      "period_rule_params",
    ],
    ["no access_params", { ...monthlyExample, access_params: undefined }, "access_params"],
    ["an unknown channel", { ...monthlyExample, access_params: { channel: "PC" } }, "access_params.channel"],
  ])("rejects %s", (_name, value, path) => {
    expect(issuePaths(value)).toContain(path);
  });

  test("toPeriodRuleParams writes the canonical wire form and reads back", () => {
    const rule = {
      periodType: "MONTH" as const,
      period: 1,
      executeTime: "2024-02-01",
      singleAmount: "19.90",
      totalAmount: "238.80",
      totalPayments: 12,
    };
    const params = toPeriodRuleParams(rule);
    expect(params).toEqual(monthlyExample.period_rule_params);
    expect(periodRuleParamsSchema.safeParse(params).success).toBe(true);
    expect(fromPeriodRuleParams(params)).toEqual(rule);
  });

  test("fromPeriodRuleParams normalises Alipay's loose forms to two decimals", () => {
    const minimal = pageSignBizContentSchema.parse(officialMinimal);
    expect(minimal.period_rule_params && fromPeriodRuleParams(minimal.period_rule_params)).toEqual({
      periodType: "DAY",
      period: 7,
      executeTime: "2020-02-26",
      singleAmount: "0.10",
    });
  });
});
