import { describe, expect, test } from "vitest";
import { isAllowedDeferDate, percent, shanghaiTime, shanghaiToday, yuan } from "../src/format.ts";

describe("the console's formats", () => {
  test("amounts are yuan with two decimals from the API's decimal strings", () => {
    expect(yuan("1234.50")).toBe("¥1,234.50");
    expect(yuan("0.00")).toBe("¥0.00");
    expect(yuan(null)).toBe("—");
  });

  test("instants show as Asia/Shanghai wall time whatever the host's zone", () => {
    expect(shanghaiTime("2031-03-31T16:30:00.000Z")).toBe("2031-04-01 00:30:00");
    expect(shanghaiToday(new Date("2031-03-31T16:30:00.000Z"))).toBe("2031-04-01");
  });

  test("the success rate is a percentage with one decimal", () => {
    expect(percent(2 / 3)).toBe("66.7%");
    expect(percent(null)).toBe("—");
  });

  test("defer dates: after D, not before today, day 28 or earlier for monthly agreements", () => {
    const base = { current: "2031-03-08", today: "2031-03-10", periodType: "MONTH" as const };
    expect(isAllowedDeferDate({ ...base, date: "2031-03-08" })).toBe(false);
    expect(isAllowedDeferDate({ ...base, date: "2031-03-09" })).toBe(false);
    expect(isAllowedDeferDate({ ...base, date: "2031-03-10" })).toBe(true);
    expect(isAllowedDeferDate({ ...base, date: "2031-03-29" })).toBe(false);
    expect(isAllowedDeferDate({ ...base, periodType: "DAY", date: "2031-03-29" })).toBe(true);
  });
});
