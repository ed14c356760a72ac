/**
 * Time. Alipay speaks Asia/Shanghai wall time (`yyyy-MM-dd HH:mm:ss`, UTC+8, no daylight saving since 1991) and
 * calendar dates (`yyyy-MM-dd`); this API speaks ISO 8601 with an offset. Everything is parsed by hand with day
 * arithmetic: never `new Date(string)`, which iOS mini program engines cannot do for Alipay's format.
 * Years 0001–9999 only (the four-digit formats).
 */

/** `yyyy-MM-dd`, a real day of the Gregorian calendar. */
export type CalendarDate = string;
/** `yyyy-MM-dd HH:mm:ss`, Asia/Shanghai wall time. */
export type AlipayDateTime = string;

export type CalendarDateParts = { year: number; month: number; day: number };

export const CALENDAR_DATE_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
export const ALIPAY_DATE_TIME_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})$/;

/** Asia/Shanghai is UTC+8 all year. */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isValidParts({ year, month, day }: CalendarDateParts): boolean {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Days since 1970-01-01 (negative before). H. Hinnant's days_from_civil. */
function toDayNumber({ year, month, day }: CalendarDateParts): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Inverse of toDayNumber (civil_from_days). */
function fromDayNumber(dayNumber: number): CalendarDateParts {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

function checkedParts(parts: CalendarDateParts): CalendarDateParts {
  if (!isValidParts(parts)) {
    throw new RangeError(`${parts.year}-${parts.month}-${parts.day} is outside the years 0001–9999`);
  }
  return parts;
}

/** `"2024-02-29"` → parts, or undefined when the text is not a real calendar day in `yyyy-MM-dd`. */
export function tryParseCalendarDate(text: string): CalendarDateParts | undefined {
  const match = CALENDAR_DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return isValidParts(parts) ? parts : undefined;
}

export function isCalendarDate(text: string): boolean {
  return tryParseCalendarDate(text) !== undefined;
}

/** Throws a RangeError naming the expected format when the text is not a real `yyyy-MM-dd` day. */
export function parseCalendarDate(text: string): CalendarDateParts {
  const parts = tryParseCalendarDate(text);
  if (!parts) throw new RangeError(`"${text}" is not a calendar date: write yyyy-MM-dd with a day that exists`);
  return parts;
}

export function formatCalendarDate(parts: CalendarDateParts): CalendarDate {
  const { year, month, day } = checkedParts(parts);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  if (!Number.isSafeInteger(days)) throw new RangeError(`${days} is not a whole number of days`);
  return formatCalendarDate(fromDayNumber(toDayNumber(parseCalendarDate(date)) + days));
}

/**
 * Natural months, keeping the day of month (Alipay MONTH periods: 01-03 → 02-03). When the day does not exist in
 * the target month it is clamped to that month's last day (01-31 + 1 → 02-28 or 02-29). Alipay MONTH schedules use
 * days ≤ 28 (docs/alipay-protocol.md §2.3), so clamping never happens on a valid Alipay schedule.
 */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  if (!Number.isSafeInteger(months)) throw new RangeError(`${months} is not a whole number of months`);
  const { year, month, day } = parseCalendarDate(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  const targetDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return formatCalendarDate({ year: targetYear, month: targetMonth, day: targetDay });
}

/** -1, 0 or 1 as `a` is before, the same as or after `b`. */
export function compareCalendarDates(a: CalendarDate, b: CalendarDate): -1 | 0 | 1 {
  const difference = toDayNumber(parseCalendarDate(a)) - toDayNumber(parseCalendarDate(b));
  return difference < 0 ? -1 : difference > 0 ? 1 : 0;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return toDayNumber(parseCalendarDate(to)) - toDayNumber(parseCalendarDate(from));
}

function checkedInstant(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError("the instant is an invalid Date");
  return ms;
}

type WallTime = CalendarDateParts & { hour: number; minute: number; second: number; millisecond: number };

function shanghaiWallTime(instant: Date): WallTime {
  const shifted = checkedInstant(instant) + SHANGHAI_OFFSET_MS;
  const dayNumber = Math.floor(shifted / DAY_MS);
  const msOfDay = shifted - dayNumber * DAY_MS;
  return {
    ...checkedParts(fromDayNumber(dayNumber)),
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / 60_000) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    millisecond: msOfDay % 1000,
  };
}

/** The Asia/Shanghai calendar day an instant falls on ("today" for Alipay's deduction windows). */
export function shanghaiDateOf(instant: Date): CalendarDate {
  return formatCalendarDate(shanghaiWallTime(instant));
}

const ISO_INSTANT_PATTERN =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))$/;

/**
 * An ISO 8601 instant with its offset, as this API sends them (`"2026-01-05T16:30:00.000Z"`) → the Asia/Shanghai
 * calendar day it falls on (`"2026-01-06"`), by day arithmetic alone (no Date: the mini program cannot parse ISO
 * text with `new Date`). Undefined when the text is not such an instant or lands outside the years 0001–9999.
 */
export function tryShanghaiDateOfIso(text: string): CalendarDate | undefined {
  const match = ISO_INSTANT_PATTERN.exec(text);
  if (!match) return undefined;
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  const [offsetHours, offsetMinutes] = [Number(match[10] ?? 0), Number(match[11] ?? 0)];
  if (!isValidParts(parts) || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return undefined;
  }
  const offsetMs = (match[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const millisecond = match[7] ? Number(match[7].slice(0, 3).padEnd(3, "0")) : 0;
  const wallMs = toDayNumber(parts) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
  const shanghai = fromDayNumber(Math.floor((wallMs - offsetMs + SHANGHAI_OFFSET_MS) / DAY_MS));
  return isValidParts(shanghai) ? formatCalendarDate(shanghai) : undefined;
}

/** `"2024-01-01 12:00:00"` (Shanghai) → the instant 2024-01-01T04:00:00Z, or undefined when not a real time. */
export function tryParseAlipayDateTime(text: string): Date | undefined {
  const match = ALIPAY_DATE_TIME_PATTERN.exec(text);
  if (!match) return undefined;
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (!isValidParts(parts) || hour > 23 || minute > 59 || second > 59) return undefined;
  const wallMs = toDayNumber(parts) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
  return new Date(wallMs - SHANGHAI_OFFSET_MS);
}

export function isAlipayDateTime(text: string): boolean {
  return tryParseAlipayDateTime(text) !== undefined;
}

/** Throws a RangeError naming the expected format when the text is not `yyyy-MM-dd HH:mm:ss`. */
export function parseAlipayDateTime(text: string): Date {
  const instant = tryParseAlipayDateTime(text);
  if (!instant) throw new RangeError(`"${text}" is not an Alipay time: write yyyy-MM-dd HH:mm:ss (Asia/Shanghai)`);
  return instant;
}

/** An instant → `yyyy-MM-dd HH:mm:ss` Shanghai wall time (milliseconds dropped, as Alipay does). */
export function formatAlipayDateTime(instant: Date): AlipayDateTime {
  const t = shanghaiWallTime(instant);
  return `${formatCalendarDate(t)} ${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`;
}

/** An instant → ISO 8601 in Shanghai wall time with its offset: `2024-01-01T12:00:00.000+08:00`. */
export function formatShanghaiIso(instant: Date): string {
  const t = shanghaiWallTime(instant);
  return `${formatCalendarDate(t)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(t.millisecond, 3)}+08:00`;
}

/** A calendar day → the Date at UTC midnight of that day (how DATE columns travel through drivers). */
export function calendarDateToUtcMidnight(date: CalendarDate): Date {
  return new Date(toDayNumber(parseCalendarDate(date)) * DAY_MS);
}

/** Inverse of calendarDateToUtcMidnight: reads the UTC day of a Date that holds a DATE column. */
export function calendarDateFromUtcMidnight(instant: Date): CalendarDate {
  return formatCalendarDate(fromDayNumber(Math.floor(checkedInstant(instant) / DAY_MS)));
}
