import { addDays, parseAlipayDateTime, type CalendarDate } from "@paysign/contracts";

/** The instant an Asia/Shanghai calendar day starts, `plusDays` days after `date` (0: that day itself). */
export function shanghaiDayStart(date: CalendarDate, plusDays = 0): Date {
  return parseAlipayDateTime(`${addDays(date, plusDays)} 00:00:00`);
}
