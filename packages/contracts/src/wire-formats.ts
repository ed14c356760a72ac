import { z } from "zod";
import { ALIPAY_AMOUNT_PATTERN, YUAN_PATTERN, alipayAmountToFen, isYuan, yuanToFen } from "./money.ts";
import { isAlipayDateTime, isCalendarDate } from "./time.ts";

/** The largest amount stored (`DECIMAL(12,2)`): 9999999999.99 yuan. */
export const MAX_YUAN_FEN = 999_999_999_999;

/** A yuan amount in the two-decimal form this API always uses (`"19.90"`, never `"19.9"`). */
export const yuanSchema = z
  .string()
  .regex(YUAN_PATTERN, 'write a yuan amount with exactly two decimals, e.g. "19.90"')
  .refine(
    (value) => isYuan(value) && yuanToFen(value) <= MAX_YUAN_FEN,
    "the amount is too large (at most 9999999999.99)",
  )
  .meta({ description: "Yuan with exactly two decimals", example: "19.90" });

/** A yuan amount above zero (`"0.01"` at least). */
export const positiveYuanSchema = yuanSchema.refine((value) => value !== "0.00", "the amount must be above 0.00");

/** An amount as Alipay writes or accepts it: 0–2 decimals (`"0.1"`, `"10"`); for reading Alipay's wire only. */
export const alipayAmountSchema = z
  .string()
  .regex(ALIPAY_AMOUNT_PATTERN, 'write a yuan amount with at most two decimals, e.g. "19.90"')
  .refine((value) => alipayAmountToFen(value) !== undefined, "the amount is too large");

export const calendarDateSchema = z
  .string()
  .refine(isCalendarDate, "write a date as yyyy-MM-dd with a day that exists")
  .meta({ description: "Calendar date (Asia/Shanghai)", format: "date", example: "2024-02-01" });

export const alipayDateTimeSchema = z
  .string()
  .refine(isAlipayDateTime, "write yyyy-MM-dd HH:mm:ss (Asia/Shanghai wall time)")
  .meta({ description: "Alipay time, Asia/Shanghai wall time", example: "2024-02-01 12:00:00" });

/** ISO 8601 with an explicit offset (`2024-02-01T12:00:00.000+08:00` or `...Z`). */
export const isoDateTimeSchema = z.iso
  .datetime({ offset: true })
  .meta({ description: "ISO 8601 instant with offset", example: "2024-02-01T12:00:00.000+08:00" });

/** Free text a person typed: no NUL characters (PostgreSQL text cannot hold them). */
export const plainTextSchema = z
  .string()
  .refine((value) => !value.includes("\u0000"), "must not contain NUL characters");

/** `period` and `total_payments`: whole numbers of at most 8 digits (docs/alipay-protocol.md §2.3). */
export const periodCountSchema = z.number().int().positive().max(99_999_999, "at most 8 digits (Alipay's limit)");
