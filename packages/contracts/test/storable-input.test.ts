import { describe, expect, test } from "vitest";
import { createPlanBodySchema, yuanSchema } from "../src/index.ts";

// Inputs the schemas pass must also fit the database: DECIMAL(12,2), 32-bit integers, text without NUL.
const plan = {
  name: "Monthly",
  productCode: "GENERAL_WITHHOLDING",
  signScene: "INDUSTRY|DIGITAL_MEDIA",
  periodType: "MONTH",
  period: 1,
  singleAmount: "19.90",
};

describe("inputs that fit what is stored", () => {
  test.each([
    ["9999999999.99", true],
    ["10000000000.00", false],
  ])("yuan %s accepted: %s", (value, accepted) => {
    expect(yuanSchema.safeParse(value).success).toBe(accepted);
  });

  test.each([
    [{ period: 99_999_999 }, true],
    [{ period: 100_000_000 }, false],
    [{ totalPayments: 99_999_999 }, true],
    [{ totalPayments: 2_147_483_648 }, false],
    [{ name: "a\u0000b" }, false],
    [{ description: "line\u0000" }, false],
    [{ description: "多行\n文本" }, true],
  ])("plan with %o accepted: %s", (change, accepted) => {
    expect(createPlanBodySchema.safeParse({ ...plan, ...change }).success).toBe(accepted);
  });
});
