/**
 * Asia/Shanghai is UTC+8 all year (no daylight saving), so wall time is UTC shifted by 8 hours.
 * Alipay's `yyyy-MM-dd HH:mm:ss` and `yyyy-MM-dd` are parsed by hand, never with `new Date(string)`.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export type CalendarDate = string;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

function shifted(instant: Date): Date {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
}

export function formatAlipayDateTime(instant: Date): string {
  const wall = shifted(instant);
  const date = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  return `${date} ${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
}

export function formatShanghaiDate(instant: Date): CalendarDate {
  return formatAlipayDateTime(instant).slice(0, 10);
}

function isRealDate(year: number, month: number, day: number): boolean {
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

export function parseAlipayDateTime(text: string): Date | null {
  const match = DATE_TIME_PATTERN.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - SHANGHAI_OFFSET_MS);
}

export function parseCalendarDate(text: string): { year: number; month: number; day: number } | null {
  const match = DATE_PATTERN.exec(text);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  return isRealDate(year, month, day) ? { year, month, day } : null;
}

function toCalendarDate(utc: Date): CalendarDate {
  return `${utc.getUTCFullYear()}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}`;
}

function requireDate(date: CalendarDate): { year: number; month: number; day: number } {
  const parts = parseCalendarDate(date);
  if (!parts) throw new Error(`not a calendar date: ${date}`);
  return parts;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const { year, month, day } = requireDate(date);
  return toCalendarDate(new Date(Date.UTC(year, month - 1, day + days)));
}

/** Natural months, same day of month, clamped to the month's last day (Alipay keeps MONTH days ≤ 28 anyway). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const { year, month, day } = requireDate(date);
  const lastDay = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return toCalendarDate(new Date(Date.UTC(year, month - 1 + months, Math.min(day, lastDay))));
}

/** Start of a Shanghai calendar day as an instant. */
export function startOfShanghaiDay(date: CalendarDate): Date {
  const { year, month, day } = requireDate(date);
  return new Date(Date.UTC(year, month - 1, day) - SHANGHAI_OFFSET_MS);
}
