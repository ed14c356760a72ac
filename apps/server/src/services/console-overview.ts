import {
  addDays,
  daysBetween,
  fenToYuan,
  shanghaiDateOf,
  yuanToFen,
  type AdminOverview,
  type CalendarDate,
} from "@paysign/contracts";
import { countAgreementsWithoutFirstDate } from "../repositories/agreement-sweeps.ts";
import { readOverviewFigures, type DailyCount } from "../repositories/console-overview.ts";
import { sumRefundedBetween } from "../repositories/refunds.ts";
import { FIRST_DATE_ATTEMPTS } from "./agreement-sweep.ts";
import type { ServiceDeps } from "./deps.ts";
import { shanghaiDayStart } from "./shanghai-days.ts";

/** Days of the default range: the 30 days that end today. */
const DEFAULT_RANGE_DAYS = 30;

/** Every day of [from, to] with its count (0 where none). */
function everyDay(range: { from: CalendarDate; to: CalendarDate }, counts: DailyCount[]): DailyCount[] {
  const byDate = new Map(counts.map((row) => [row.date, row.count]));
  const days = daysBetween(range.from, range.to);
  return Array.from({ length: days + 1 }, (_unused, index) => {
    const date = addDays(range.from, index);
    return { date, count: byDate.get(date) ?? 0 };
  });
}

/**
 * The console's overview for the Asia/Shanghai days [from, to] (default: the 30 days ending today on the server's
 * clock). `refunded` is the SUCCEEDED refunds made in the range (by refund time), `net` is charged − refunded.
 */
export async function getConsoleOverview(
  deps: ServiceDeps,
  range: { from?: CalendarDate | undefined; to?: CalendarDate | undefined },
): Promise<AdminOverview> {
  const today = shanghaiDateOf(await deps.clock.now());
  const to = range.to ?? today;
  const from = range.from ?? addDays(to, 1 - DEFAULT_RANGE_DAYS);
  const span = { start: shanghaiDayStart(from), end: shanghaiDayStart(to, 1) };
  const figures = await readOverviewFigures(deps.db.prisma, span);
  const refunded = await sumRefundedBetween(deps.db.prisma, span);
  const settled = figures.attemptsSucceeded + figures.attemptsFailed;
  return {
    from,
    to,
    activeAgreements: figures.activeAgreements,
    mrr: figures.mrr,
    charged: figures.charged,
    refunded,
    net: fenToYuan(yuanToFen(figures.charged) - yuanToFen(refunded)),
    chargeAttempts: { succeeded: figures.attemptsSucceeded, failed: figures.attemptsFailed },
    successRate: settled === 0 ? null : figures.attemptsSucceeded / settled,
    newAgreements: everyDay({ from, to }, figures.newAgreements),
    endedAgreements: everyDay({ from, to }, figures.endedAgreements),
    attention: {
      pastDueCharges: figures.pastDueCharges,
      failedCharges: figures.failedCharges,
      notificationMismatches: figures.notificationMismatches,
      reconciliationDifferences: figures.reconciliationDifferences,
      agreementsWithoutFirstDate: await countAgreementsWithoutFirstDate(deps.db.prisma, FIRST_DATE_ATTEMPTS),
    },
  };
}
