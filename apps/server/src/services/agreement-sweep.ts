import {
  addMonths,
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
  parseCalendarDate,
  shanghaiDateOf,
  type CalendarDate,
} from "@paysign/contracts";
import { calendarDateOfAlipayTime } from "@paysign/contracts/alipay";
import { worstCaseCallMs } from "../alipay/call-duration.ts";
import { nextSweepAfter, sweepScheduleOf } from "../domain/sweep-schedule.ts";
import type { Agreement } from "../generated/prisma/client.ts";
import { getAgreementById } from "../repositories/agreement-reads.ts";
import {
  claimSweep,
  countFirstDateAttempt,
  findDueSweeps,
  scheduleNextSweep,
  setFirstDeductDate,
} from "../repositories/agreement-sweeps.ts";
import { lockAgreement, recordAgreementEvent } from "../repositories/agreements.ts";
import { queryAgreement, syncAgreement } from "./agreement-sync.ts";
import type { ServiceDeps } from "./deps.ts";
import { requireAlipay } from "./require-alipay.ts";

export type SweepReport = { checked: number; firstDatesSet: number; abandonedUnsigned: number };

/**
 * How many sweeps try to set an agreement's first deduction date (§17.1) before giving up on executionplan.modify and
 * asking the operator (logged at error level, counted in the console overview's attention).
 */
export const FIRST_DATE_ATTEMPTS = 5;
/** A sweep that could not finish (no answer, a refused modification or unsign) is tried again this much later. */
const RETRY_MS = 10 * 60_000;
/** The most gateway calls one sweep makes: agreement.query, executionplan.modify or unsign, and queries after them. */
export const SWEEP_GATEWAY_CALLS = 4;
/** Time a sweep spends besides its gateway calls (database round trips), with room to spare. */
const HOLD_MARGIN_MS = 60_000;

/**
 * How long a claimed agreement is held from concurrent rounds while it is being swept, in milliseconds: every gateway
 * call it can make, each lasting its worst case (alipay/call-duration.ts) for the SDK timeout `timeoutMs`, plus a
 * margin, so the claim never lapses mid-sweep.
 */
export function sweepHoldMs(timeoutMs: number): number {
  return SWEEP_GATEWAY_CALLS * worstCaseCallMs(timeoutMs) + HOLD_MARGIN_MS;
}

/**
 * The agreement sweep: what Alipay holds and no notification reports (docs/alipay-protocol.md §17) is learnt by
 * `alipay.user.agreement.query`, applied through the lifecycle planner. Each ACTIVE, PAUSED and TEMP agreement is asked
 * every AGREEMENT_SWEEP_INTERVAL_HOURS and on the day before its charge window opens (D − DEDUCTION_LEAD_DAYS − 1),
 * counted from the last query or verified report of its signing (domain/sweep-schedule.ts), so a resume or a lost
 * user unsign is seen within a day and before a period is charged. An ACTIVE agreement without D gets its first date
 * (§17.1); an ABANDONED one Alipay reports signed is unsigned (§17.5). Safe with several workers: each agreement is
 * claimed with SKIP LOCKED.
 */
export async function runAgreementSweep(deps: ServiceDeps, limit = 100): Promise<SweepReport> {
  const now = await deps.clock.now();
  const report: SweepReport = { checked: 0, firstDatesSet: 0, abandonedUnsigned: 0 };
  const due = await findDueSweeps(deps.db.prisma, { now, limit });
  for (const id of due) {
    try {
      const outcome = await sweepAgreement(deps, id, now);
      if (outcome) report.checked++;
      if (outcome === "first-date") report.firstDatesSet++;
      if (outcome === "unsigned") report.abandonedUnsigned++;
    } catch (error) {
      deps.logger.error({ err: error, agreementId: id }, "agreement sweep failed; it will be tried again");
    }
  }
  return report;
}

type SweepOutcome = "checked" | "first-date" | "unsigned" | "retry";

async function sweepAgreement(deps: ServiceDeps, id: string, now: Date): Promise<SweepOutcome | undefined> {
  const holdMs = sweepHoldMs(deps.config.alipay?.timeoutMs ?? 10_000);
  const claimed = await deps.db.prisma.$transaction((tx) => claimSweep(tx, { id, now, holdMs }));
  if (!claimed) return undefined;
  const outcome = await sweepClaimed(deps, id, now);
  const agreement = await getAgreementById(deps.db.prisma, id);
  const at =
    outcome === "retry"
      ? new Date(now.getTime() + RETRY_MS)
      : nextSweepAfter(agreement, now, sweepScheduleOf(deps.config));
  await scheduleNextSweep(deps.db.prisma, { id, at });
  return outcome;
}

async function sweepClaimed(deps: ServiceDeps, id: string, now: Date): Promise<SweepOutcome> {
  const current = await getAgreementById(deps.db.prisma, id);
  if (current.status === "ABANDONED") return unsignAbandoned(deps, current);
  const { agreement, answer } = await syncAgreement(deps, id, { source: "ALIPAY_QUERY" });
  if (answer.kind === "unknown") return "retry";
  if (agreement.status !== "ACTIVE" || agreement.nextDeductDate !== null) return "checked";
  const reported = answer.kind === "found" ? answer.response.next_deduct_time : undefined;
  // After FIRST_DATE_ATTEMPTS the date is only read (an operator may have moved it at Alipay), on the slow interval.
  const gaveUp = agreement.firstDateAttempts >= FIRST_DATE_ATTEMPTS;
  if (await setFirstDate(deps, { agreement, reported, today: shanghaiDateOf(now), modify: !gaveUp })) {
    return "first-date";
  }
  if (gaveUp) return "checked";
  const attempts = await countFirstDateAttempt(deps.db.prisma, id);
  if (attempts < FIRST_DATE_ATTEMPTS) return "retry";
  deps.logger.error(
    { agreementId: id, agreementNo: agreement.agreementNo, attempts, nextDeductTime: reported ?? null },
    `first deduction date could not be set after ${attempts} attempts: Alipay's next_deduct_time stays past and ` +
      "executionplan.modify does not move it, so the agreement is never charged. Check it at Alipay, move " +
      "next_deduct_time to today or later there, then sync the agreement from the console; the sweep reads Alipay's " +
      "date again every AGREEMENT_SWEEP_INTERVAL_HOURS. Counted under the console overview's attention",
  );
  return "checked";
}

/**
 * docs/alipay-protocol.md §17.5: the customer was told the signing failed, so an agreement Alipay holds for an
 * ABANDONED one is unsigned, never charged. Whatever unsign answers, agreement.query settles it.
 */
async function unsignAbandoned(deps: ServiceDeps, agreement: Agreement): Promise<SweepOutcome> {
  const agreementNo = agreement.agreementNo;
  if (!agreementNo) return "checked";
  const result = await requireAlipay(deps).call("alipay.user.agreement.unsign", { agreement_no: agreementNo });
  if (result.kind !== "success")
    deps.logger.warn(
      { agreementId: agreement.id, result: result.kind },
      "unsign of an abandoned agreement not confirmed",
    );
  const { agreement: settled } = await syncAgreement(deps, agreement.id, { source: "ALIPAY_QUERY" });
  if (settled.alipayStatus !== null) return "retry";
  deps.logger.info({ agreementId: agreement.id }, "agreement signed after it was abandoned: unsigned at Alipay");
  return "unsigned";
}

/**
 * docs/alipay-protocol.md §17.1: the first D of an agreement whose execute_time had passed when it took effect.
 * Alipay's `next_deduct_time` when it is today or later; otherwise it is moved with executionplan.modify to the first
 * acceptable day from today (unless `modify` is false) and read again. D is set only from what Alipay answers, so both
 * sides agree.
 */
async function setFirstDate(
  deps: ServiceDeps,
  input: { agreement: Agreement; reported: string | undefined; today: CalendarDate; modify: boolean },
): Promise<boolean> {
  const { agreement, today } = input;
  const agreementNo = agreement.agreementNo;
  if (!agreementNo || !input.reported) return false;
  let alipayDate = calendarDateOfAlipayTime(input.reported);
  if (alipayDate < today) {
    if (!input.modify) return false;
    const deductTime = firstAcceptableDate(agreement, today);
    const modified = await requireAlipay(deps).call("alipay.user.agreement.executionplan.modify", {
      agreement_no: agreementNo,
      deduct_time: deductTime,
    });
    if (modified.kind !== "success")
      deps.logger.warn({ agreementId: agreement.id, result: modified.kind }, "first-date modification not confirmed");
    const again = await queryAgreement(deps, agreement);
    const next = again.kind === "found" ? again.response.next_deduct_time : undefined;
    if (!next) return false;
    alipayDate = calendarDateOfAlipayTime(next);
    if (alipayDate < today) return false;
  }
  const date = alipayDate;
  return deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, agreement.id);
    if (!locked || !(await setFirstDeductDate(tx, { id: agreement.id, date: calendarDateToUtcMidnight(date) })))
      return false;
    const executeTime = calendarDateFromUtcMidnight(locked.executeTime);
    await recordAgreementEvent(tx, {
      agreement: locked,
      source: "ALIPAY_QUERY",
      reason: `first deduction date ${date}: execute_time ${executeTime} had passed when the agreement took effect`,
    });
    return true;
  });
}

/** Today, or for a MONTH period on days 29–31 the 1st of the next month (Alipay refuses later days, §7). */
function firstAcceptableDate(agreement: Agreement, today: CalendarDate): CalendarDate {
  if (agreement.periodType !== "MONTH" || parseCalendarDate(today).day <= 28) return today;
  return addMonths(`${today.slice(0, 8)}01`, 1);
}
