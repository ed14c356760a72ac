import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  addDays,
  addMonths,
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
  compareCalendarDates,
  daysBetween,
  daysInMonth,
  formatAlipayDateTime,
  formatCalendarDate,
  formatShanghaiIso,
  isCalendarDate,
  parseAlipayDateTime,
  parseCalendarDate,
  shanghaiDateOf,
  tryParseAlipayDateTime,
  tryShanghaiDateOfIso,
} from "../src/time.ts";
import { alipayDateTimeSchema, calendarDateSchema, isoDateTimeSchema } from "../src/wire-formats.ts";

const MIN_MS = Date.UTC(1000, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 30);
const instantArbitrary = fc.integer({ min: MIN_MS, max: MAX_MS }).map((ms) => new Date(ms));
const wholeSecondArbitrary = fc.integer({ min: MIN_MS / 1000, max: MAX_MS / 1000 }).map((s) => new Date(s * 1000));
const dateArbitrary = fc
  .integer({ min: Date.UTC(1900, 0, 1) / 86_400_000, max: Date.UTC(2999, 0, 1) / 86_400_000 })
  .map((day) => calendarDateFromUtcMidnight(new Date(day * 86_400_000)));

describe("Alipay date-time (Asia/Shanghai wall time)", () => {
  test("parses as UTC+8 without new Date(string)", () => {
    expect(parseAlipayDateTime("2024-01-01 12:00:00").toISOString()).toBe("2024-01-01T04:00:00.000Z");
    expect(parseAlipayDateTime("2024-01-01 00:00:00").toISOString()).toBe("2023-12-31T16:00:00.000Z");
    expect(parseAlipayDateTime("2115-02-01 00:00:00").toISOString()).toBe("2115-01-31T16:00:00.000Z");
  });

  test.each([
    "2024-01-01T12:00:00",
    "2024-01-01 12:00",
    "2024-1-01 12:00:00",
    "2024-01-01 24:00:00",
    "2024-01-01 12:60:00",
    "2024-01-01 12:00:60",
    "2023-02-29 00:00:00",
    "2024-01-01 12:00:00 ",
  ])("rejects %j", (text) => {
    expect(tryParseAlipayDateTime(text)).toBeUndefined();
    expect(() => parseAlipayDateTime(text)).toThrow(RangeError);
    expect(alipayDateTimeSchema.safeParse(text).success).toBe(false);
  });

  test("formats an instant as Shanghai wall time and ISO 8601 with +08:00", () => {
    const instant = new Date("2024-01-31T16:30:05.123Z");
    expect(formatAlipayDateTime(instant)).toBe("2024-02-01 00:30:05");
    expect(formatShanghaiIso(instant)).toBe("2024-02-01T00:30:05.123+08:00");
    expect(isoDateTimeSchema.safeParse(formatShanghaiIso(instant)).success).toBe(true);
    expect(isoDateTimeSchema.safeParse("2024-02-01T00:30:05").success).toBe(false);
  });

  test("format ∘ parse is the identity on whole seconds", () => {
    fc.assert(
      fc.property(wholeSecondArbitrary, (instant) => {
        return parseAlipayDateTime(formatAlipayDateTime(instant)).getTime() === instant.getTime();
      }),
    );
  });

  test("the +08:00 ISO form names the same instant", () => {
    fc.assert(fc.property(instantArbitrary, (instant) => Date.parse(formatShanghaiIso(instant)) === instant.getTime()));
  });

  test("today in Shanghai turns at 16:00 UTC", () => {
    expect(shanghaiDateOf(new Date("2024-02-29T15:59:59.999Z"))).toBe("2024-02-29");
    expect(shanghaiDateOf(new Date("2024-02-29T16:00:00.000Z"))).toBe("2024-03-01");
  });
});

describe("the Shanghai day of an ISO instant, without Date", () => {
  test("agrees with shanghaiDateOf for any instant written as the API writes it", () => {
    fc.assert(
      fc.property(instantArbitrary, (instant) => {
        expect(tryShanghaiDateOfIso(instant.toISOString())).toBe(shanghaiDateOf(instant));
      }),
    );
  });

  test("reads the offset: the day turns at 16:00 UTC, 00:00 +08:00", () => {
    expect(tryShanghaiDateOfIso("2024-02-29T15:59:59.999Z")).toBe("2024-02-29");
    expect(tryShanghaiDateOfIso("2024-02-29T16:00:00Z")).toBe("2024-03-01");
    expect(tryShanghaiDateOfIso("2024-03-01T00:00:00.000+08:00")).toBe("2024-03-01");
    expect(tryShanghaiDateOfIso("2024-02-29T10:30:00-05:30")).toBe("2024-03-01");
  });

  test.each(["2024-02-30T00:00:00Z", "2024-01-01 00:00:00", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00", ""])(
    "undefined for %j",
    (text) => {
      expect(tryShanghaiDateOfIso(text)).toBeUndefined();
    },
  );
});

describe("calendar dates", () => {
  test("leap years: 2024-02-29 exists, 2023-02-29 and 1900-02-29 do not, 2000-02-29 does", () => {
    expect(isCalendarDate("2024-02-29")).toBe(true);
    expect(isCalendarDate("2023-02-29")).toBe(false);
    expect(isCalendarDate("1900-02-29")).toBe(false);
    expect(isCalendarDate("2000-02-29")).toBe(true);
    expect(calendarDateSchema.safeParse("2023-02-29").success).toBe(false);
    expect(calendarDateSchema.safeParse("2024-02-29").success).toBe(true);
  });

  test.each(["2024-13-01", "2024-00-10", "2024-04-31", "2024-4-01", "24-04-01", "2024-04-01 ", "0000-01-01"])(
    "rejects %j",
    (text) => {
      expect(isCalendarDate(text)).toBe(false);
      expect(() => parseCalendarDate(text)).toThrow(RangeError);
    },
  );

  test("adds days across month, year and leap-day boundaries", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2023-02-28", 1)).toBe("2023-03-01");
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(addDays("2024-01-01", 366)).toBe("2025-01-01");
  });

  test("adds natural months keeping the day, clamping to month end", () => {
    expect(addMonths("2024-01-03", 1)).toBe("2024-02-03");
    expect(addMonths("2024-01-28", 1)).toBe("2024-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2023-01-31", 1)).toBe("2023-02-28");
    expect(addMonths("2024-03-31", 1)).toBe("2024-04-30");
    expect(addMonths("2023-12-15", 2)).toBe("2024-02-15");
    expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
    expect(addMonths("2024-02-29", 48)).toBe("2028-02-29");
    expect(addMonths("2024-03-15", -13)).toBe("2023-02-15");
  });

  test("adding months to a day ≤ 28 always keeps the day, across leap Februaries", () => {
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 1900, max: 2900 }),
          month: fc.integer({ min: 1, max: 12 }),
          day: fc.integer({ min: 1, max: 28 }),
          months: fc.integer({ min: -1200, max: 1200 }),
        }),
        ({ year, month, day, months }) => {
          const result = parseCalendarDate(addMonths(formatCalendarDate({ year, month, day }), months));
          const expectedIndex = year * 12 + month - 1 + months;
          return result.day === day && result.year * 12 + result.month - 1 === expectedIndex;
        },
      ),
    );
  });

  test("a clamped month lands on the last day of the target month", () => {
    fc.assert(
      fc.property(dateArbitrary, fc.integer({ min: -240, max: 240 }), (date, months) => {
        const { day } = parseCalendarDate(date);
        const result = parseCalendarDate(addMonths(date, months));
        return result.day === Math.min(day, daysInMonth(result.year, result.month));
      }),
    );
  });

  test("format ∘ parse is the identity, and addDays agrees with daysBetween and compare", () => {
    fc.assert(
      fc.property(dateArbitrary, fc.integer({ min: -100_000, max: 100_000 }), (date, days) => {
        const later = addDays(date, days);
        return (
          formatCalendarDate(parseCalendarDate(date)) === date &&
          daysBetween(date, later) === days &&
          compareCalendarDates(date, later) === -Math.sign(days) &&
          addDays(later, -days) === date
        );
      }),
    );
  });

  test("UTC-midnight Dates (DATE columns) round-trip", () => {
    expect(calendarDateToUtcMidnight("2024-02-29").toISOString()).toBe("2024-02-29T00:00:00.000Z");
    fc.assert(
      fc.property(dateArbitrary, (date) => calendarDateFromUtcMidnight(calendarDateToUtcMidnight(date)) === date),
    );
  });
});
