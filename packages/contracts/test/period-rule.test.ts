import { describe, expect, test } from "vitest";
import {
  deductWindowPosition,
  firstDeductDate,
  nextDeductDate,
  periodRuleSchema,
  CHARGE_STATUSES,
} from "../src/index.ts";

const monthly = {
  periodType: "MONTH",
  period: 1,
  executeTime: "2024-02-01",
  singleAmount: "19.90",
  totalAmount: "238.80",
  totalPayments: 12,
};

function paths(value: unknown): string[] {
  const result = periodRuleSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

describe("PeriodRule (API form)", () => {
  test.each([
    ["a monthly rule", monthly],
    ["a DAY period of 7", { ...monthly, periodType: "DAY", period: 7 }],
    ["a MONTH start on the 28th", { ...monthly, executeTime: "2024-02-28" }],
    ["a DAY start on the 31st", { ...monthly, periodType: "DAY", period: 7, executeTime: "2024-01-31" }],
    ["no caps", { ...monthly, totalAmount: undefined, totalPayments: undefined }],
    ["null caps", { ...monthly, totalAmount: null, totalPayments: null }],
    ["a total equal to the single amount", { ...monthly, totalAmount: "19.90" }],
    ["a leap day for DAY", { ...monthly, periodType: "DAY", period: 7, executeTime: "2024-02-29" }],
  ])("accepts %s", (_name, rule) => {
    expect(paths(rule)).toEqual([]);
  });

  test.each([
    ["a DAY period of 6", { ...monthly, periodType: "DAY", period: 6 }, "period"],
    ["a MONTH start on the 29th", { ...monthly, executeTime: "2024-02-29" }, "executeTime"],
    ["2023-02-29", { ...monthly, periodType: "DAY", period: 7, executeTime: "2023-02-29" }, "executeTime"],
    ["one decimal (19.9)", { ...monthly, singleAmount: "19.9" }, "singleAmount"],
    ["a zero amount", { ...monthly, singleAmount: "0.00", totalAmount: undefined }, "singleAmount"],
    ["a number amount", { ...monthly, singleAmount: 19.9 }, "singleAmount"],
    ["a total below the single amount", { ...monthly, totalAmount: "19.89" }, "totalAmount"],
    ["zero payments", { ...monthly, totalPayments: 0 }, "totalPayments"],
    ["fractional payments", { ...monthly, totalPayments: 1.5 }, "totalPayments"],
    ["a period of 0", { ...monthly, period: 0 }, "period"],
    ["a string period", { ...monthly, period: "1" }, "period"],
    ["a WEEK period type", { ...monthly, periodType: "WEEK" }, "periodType"],
  ])("rejects %s", (_name, rule, path) => {
    expect(paths(rule)).toContain(path);
  });
});

describe("deduction schedule", () => {
  test("a MONTH plan signed late in the month starts on the 1st of the next month", () => {
    const options = { periodType: "MONTH", firstChargeDelayDays: 0 } as const;
    expect(firstDeductDate({ ...options, signingDate: "2024-01-28" })).toBe("2024-01-28");
    expect(firstDeductDate({ ...options, signingDate: "2024-01-29" })).toBe("2024-02-01");
    expect(firstDeductDate({ ...options, signingDate: "2024-12-31" })).toBe("2025-01-01");
    expect(firstDeductDate({ ...options, signingDate: "2024-02-25", firstChargeDelayDays: 4 })).toBe("2024-03-01");
    expect(firstDeductDate({ periodType: "DAY", signingDate: "2024-01-29", firstChargeDelayDays: 2 })).toBe(
      "2024-01-31",
    );
  });

  test("D advances one period from D", () => {
    expect(nextDeductDate({ periodType: "MONTH", period: 1, current: "2024-01-28" })).toBe("2024-02-28");
    expect(nextDeductDate({ periodType: "MONTH", period: 3, current: "2023-12-15" })).toBe("2024-03-15");
    expect(nextDeductDate({ periodType: "DAY", period: 7, current: "2024-02-26" })).toBe("2024-03-04");
  });

  test("the window is [D − N, D] inclusive (§11.3: D = 2019-07-06 → 07-01 to 07-06)", () => {
    const at = (today: string) => deductWindowPosition({ today, deductDate: "2019-07-06", windowDays: 5 });
    expect(at("2019-06-30")).toBe("BEFORE");
    expect(at("2019-07-01")).toBe("OPEN");
    expect(at("2019-07-06")).toBe("OPEN");
    expect(at("2019-07-07")).toBe("MISSED");
  });

  test("charge statuses are the six of docs/product.md §7", () => {
    expect(CHARGE_STATUSES).toEqual(["PENDING", "PROCESSING", "SUCCEEDED", "FAILED", "UNKNOWN", "PAST_DUE"]);
  });
});
