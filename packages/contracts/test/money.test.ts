import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { alipayAmountToFen, compareYuan, fenToYuan, formatYuan, isYuan, sumYuan, yuanToFen } from "../src/money.ts";
import { alipayAmountSchema, positiveYuanSchema, yuanSchema } from "../src/wire-formats.ts";

const fenArbitrary = fc.integer({ min: 0, max: 100_000_000_00 });

describe("yuan strings", () => {
  test.each([
    ["0.00", 0],
    ["0.01", 1],
    ["19.90", 1990],
    ["100000000.00", 10_000_000_000],
    ["90071992547409.91", Number.MAX_SAFE_INTEGER],
  ])("%s is %i fen", (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
    expect(fenToYuan(fen)).toBe(yuan);
  });

  test.each([
    "19.9",
    "19",
    "19.900",
    "019.90",
    "-1.00",
    "+1.00",
    "1e2",
    " 1.00",
    "1.00 ",
    "",
    ".50",
    "1,000.00",
    "90071992547409.92",
  ])("%j is rejected", (text) => {
    expect(isYuan(text)).toBe(false);
    expect(() => yuanToFen(text)).toThrow(RangeError);
    expect(yuanSchema.safeParse(text).success).toBe(false);
  });

  test("the boundary of the two-decimal rule: 19.90 is accepted, 19.9 is not", () => {
    expect(yuanSchema.safeParse("19.90").success).toBe(true);
    expect(yuanSchema.safeParse("19.9").success).toBe(false);
  });

  test("a positive amount starts at 0.01", () => {
    expect(positiveYuanSchema.safeParse("0.00").success).toBe(false);
    expect(positiveYuanSchema.safeParse("0.01").success).toBe(true);
  });

  test("fenToYuan refuses fractions, negatives and unsafe integers", () => {
    for (const bad of [1.5, -1, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity]) {
      expect(() => fenToYuan(bad)).toThrow(RangeError);
    }
  });

  test("Alipay's own amounts may have fewer decimals or arrive as JSON numbers", () => {
    expect(alipayAmountToFen("0.1")).toBe(10);
    expect(alipayAmountToFen("10")).toBe(1000);
    expect(alipayAmountToFen(10.99)).toBe(1099);
    expect(alipayAmountToFen(0.1 + 0.2)).toBeUndefined();
    expect(alipayAmountToFen("1.999")).toBeUndefined();
    expect(alipayAmountSchema.safeParse("0.1").success).toBe(true);
    expect(alipayAmountSchema.safeParse("0.123").success).toBe(false);
  });

  test("formatYuan groups thousands for people", () => {
    expect(formatYuan("1234567.50")).toBe("¥1,234,567.50");
    expect(formatYuan("19.90")).toBe("¥19.90");
    expect(formatYuan("0.01")).toBe("¥0.01");
  });
});

describe("money properties", () => {
  test("fen → yuan → fen is the identity", () => {
    fc.assert(fc.property(fc.maxSafeNat(), (fen) => yuanToFen(fenToYuan(fen)) === fen));
  });

  test("every two-decimal string round-trips yuan → fen → yuan", () => {
    const yuanText = fc
      .tuple(fc.nat({ max: 10_000_000_000 }), fc.integer({ min: 0, max: 99 }))
      .map(([whole, cents]) => `${whole}.${String(cents).padStart(2, "0")}`);
    fc.assert(fc.property(yuanText, (text) => fenToYuan(yuanToFen(text)) === text));
  });

  test("sumYuan equals the sum in fen, whatever the grouping", () => {
    fc.assert(
      fc.property(fc.array(fenArbitrary, { maxLength: 20 }), fc.array(fenArbitrary, { maxLength: 20 }), (a, b) => {
        const total = [...a, ...b].reduce((sum, fen) => sum + fen, 0);
        const grouped = sumYuan([sumYuan(a.map(fenToYuan)), sumYuan(b.map(fenToYuan))]);
        return sumYuan([...a, ...b].map(fenToYuan)) === fenToYuan(total) && grouped === fenToYuan(total);
      }),
    );
  });

  test("compareYuan orders like fen", () => {
    fc.assert(
      fc.property(fenArbitrary, fenArbitrary, (a, b) => compareYuan(fenToYuan(a), fenToYuan(b)) === Math.sign(a - b)),
    );
  });
});
