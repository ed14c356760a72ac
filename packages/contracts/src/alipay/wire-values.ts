import { z } from "zod";
import { alipayAmountToFen } from "../money.ts";
import { isCalendarDate, isAlipayDateTime } from "../time.ts";

/** A whole number as Alipay accepts it in biz_content: `7` or `"7"` (docs/alipay-protocol.md §2.3 type tolerance). */
export const wireIntegerSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^[0-9]{1,16}$/)]);

/** An amount as Alipay accepts it in biz_content: `"19.90"`, `"0.1"` or the JSON number `10.99` (§2.3). */
export const wireAmountSchema = z
  .union([z.string(), z.number()])
  .refine((value) => alipayAmountToFen(value) !== undefined, 'write a yuan amount with at most two decimals ("19.90")');

export function wireIntegerValue(value: z.infer<typeof wireIntegerSchema>): number {
  return typeof value === "number" ? value : Number(value);
}

/**
 * `next_deduct_time` / `last_deduct_time` of agreement.query: Alipay documents them as times but the day is what
 * matters [UNCERTAIN format]; both `yyyy-MM-dd` and `yyyy-MM-dd HH:mm:ss` are accepted.
 */
export const alipayDateOrDateTimeSchema = z
  .string()
  .refine(
    (value) => isCalendarDate(value) || isAlipayDateTime(value),
    "write yyyy-MM-dd or yyyy-MM-dd HH:mm:ss (Asia/Shanghai)",
  );

/** The calendar day of a value accepted by alipayDateOrDateTimeSchema. */
export function calendarDateOfAlipayTime(value: string): string {
  return value.slice(0, 10);
}
