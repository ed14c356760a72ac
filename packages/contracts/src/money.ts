/**
 * Money. On the wire a yuan decimal string with exactly two places (`"19.90"`); in code integer fen.
 * Strings are parsed by hand, digit by digit: no float ever holds an amount. Integer fen stay within
 * `Number.MAX_SAFE_INTEGER` (≈ 90 trillion yuan), far above Alipay's cap of 100,000,000 yuan per trade and the
 * database's DECIMAL(12,2), so plain numbers are exact and no BigInt is needed (mini program engines lack BigInt).
 */

/** A yuan amount as sent on the wire: digits, a dot, exactly two digits (`"0.01"`, `"19.90"`). */
export type Yuan = string;

/** Exactly two decimals, no sign, no leading zeros (`"19.90"`; not `"19.9"`, `"019.90"`, `"19"`). */
export const YUAN_PATTERN = /^(?:0|[1-9][0-9]*)\.[0-9]{2}$/;

/** What Alipay itself accepts in amounts it reads or writes: zero to two decimals (`"0.1"`, `"10"`, `"10.99"`). */
export const ALIPAY_AMOUNT_PATTERN = /^(?:0|[1-9][0-9]*)(?:\.[0-9]{1,2})?$/;

/** More integer digits than this cannot be exact in fen. */
const MAX_INTEGER_DIGITS = 14;

function digitsToNumber(digits: string): number {
  let value = 0;
  for (const char of digits) {
    value = value * 10 + (char.charCodeAt(0) - 48);
  }
  return value;
}

function decimalToFen(text: string, pattern: RegExp): number | undefined {
  if (!pattern.test(text)) return undefined;
  const [integerPart = "", fractionPart = ""] = text.split(".");
  if (integerPart.length > MAX_INTEGER_DIGITS) return undefined;
  const fen = digitsToNumber(integerPart) * 100 + digitsToNumber(fractionPart.padEnd(2, "0"));
  return Number.isSafeInteger(fen) ? fen : undefined;
}

/** True for a wire amount in the two-decimal form whose fen value is exact. */
export function isYuan(value: string): boolean {
  return decimalToFen(value, YUAN_PATTERN) !== undefined;
}

/** `"19.90"` → `1990`. Throws a RangeError on anything but the two-decimal form. */
export function yuanToFen(yuan: Yuan): number {
  const fen = decimalToFen(yuan, YUAN_PATTERN);
  if (fen === undefined) {
    throw new RangeError(`"${yuan}" is not a yuan amount: write digits, a dot and exactly two decimals, e.g. "19.90"`);
  }
  return fen;
}

/**
 * An amount as Alipay writes it (`"0.1"`, `"10"`, `"10.99"`, or a JSON number such as `10.99`) → fen, or
 * undefined when it has more than two decimals or is not a plain decimal. Use it only to read Alipay's wire.
 */
export function alipayAmountToFen(value: string | number): number | undefined {
  const text = typeof value === "number" ? String(value) : value;
  return decimalToFen(text, ALIPAY_AMOUNT_PATTERN);
}

/** `1990` → `"19.90"`. Throws a RangeError unless fen is a non-negative safe integer. */
export function fenToYuan(fen: number): Yuan {
  if (!Number.isSafeInteger(fen) || fen < 0) {
    throw new RangeError(`${fen} is not an amount in fen: pass a non-negative integer`);
  }
  const whole = Math.floor(fen / 100);
  const cents = fen - whole * 100;
  return `${whole}.${cents < 10 ? "0" : ""}${cents}`;
}

/** Exact sum of wire amounts, as a wire amount. Throws on a malformed amount or a sum past the safe range. */
export function sumYuan(amounts: readonly Yuan[]): Yuan {
  let fen = 0;
  for (const amount of amounts) {
    fen += yuanToFen(amount);
  }
  return fenToYuan(fen);
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareYuan(a: Yuan, b: Yuan): -1 | 0 | 1 {
  const difference = yuanToFen(a) - yuanToFen(b);
  return difference < 0 ? -1 : difference > 0 ? 1 : 0;
}

/** For people: `"1234.50"` → `"¥1,234.50"`. */
export function formatYuan(yuan: Yuan): string {
  const [whole = "0", cents = "00"] = fenToYuan(yuanToFen(yuan)).split(".");
  const grouped = whole.replace(/\B(?=(?:[0-9]{3})+$)/g, ",");
  return `¥${grouped}.${cents}`;
}
