import { formatYuan, type Yuan } from "@paysign/contracts/mini";

/** A yuan string from the API as people read it: `"1234.5"`-free, always `¥1,234.50` (decimal, never a float). */
export function yuan(amount: Yuan | null | undefined): string {
  return amount === null || amount === undefined ? "—" : formatYuan(amount);
}

const instantFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** An ISO instant from the API → `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, whatever the browser's time zone. */
export function shanghaiTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const parts = Object.fromEntries(instantFormat.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Today's Asia/Shanghai calendar day, `yyyy-MM-dd`. */
export function shanghaiToday(now: Date = new Date()): string {
  return shanghaiTime(now.toISOString()).slice(0, 10);
}

/** A 0–1 ratio as a percentage with one decimal, or — without one. */
export function percent(ratio: number | null): string {
  return ratio === null ? "—" : `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

/**
 * Whether Alipay accepts `date` as an agreement's next deduction date (executionplan.modify, as the API checks):
 * after the current date D, not before today, and for monthly agreements on day 28 or earlier.
 */
export function isAllowedDeferDate(options: {
  date: string;
  current: string;
  today: string;
  periodType: "DAY" | "MONTH";
}): boolean {
  const { date, current, today, periodType } = options;
  if (date <= current || date < today) return false;
  return periodType !== "MONTH" || Number(date.slice(8, 10)) <= 28;
}
