import { randomBytes, randomInt } from "node:crypto";
import { formatAlipayDateTime } from "@paysign/contracts";

function randomDigits(count: number): string {
  let digits = "";
  while (digits.length < count) digits += String(randomInt(0, 10));
  return digits;
}

function compactDate(now: Date): string {
  return formatAlipayDateTime(now).slice(0, 10).replaceAll("-", "");
}

/** docs/alipay-protocol.md §12: `2088` + 12 digits. */
export function createUserId(): string {
  return `2088${randomDigits(12)}`;
}

/** 20 digits, year first (`2021…`). */
export function createAgreementNo(now: Date): string {
  return `${compactDate(now).slice(0, 4)}${randomDigits(16)}`;
}

/** 28 digits: `yyyyMMdd` + `22` + 18 digits. */
export function createTradeNo(now: Date): string {
  return `${compactDate(now)}22${randomDigits(18)}`;
}

/** 34 characters, date first, like `2021080700222150811023361457182243`. */
export function createNotifyId(now: Date): string {
  return `${compactDate(now)}00222${randomDigits(21)}`;
}

export function createLogonId(): string {
  return `138${randomDigits(8)}`;
}

export function createToken(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/** Masked as Alipay shows them: `138****2877`, `280***@qq.com`. */
export function maskLogonId(logonId: string): string {
  const at = logonId.indexOf("@");
  if (at > 0) return `${logonId.slice(0, Math.min(3, at))}***${logonId.slice(at)}`;
  if (logonId.length <= 7) return `${logonId.slice(0, 1)}***`;
  return `${logonId.slice(0, 3)}****${logonId.slice(-4)}`;
}
