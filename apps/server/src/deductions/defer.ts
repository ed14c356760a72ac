import {
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
  compareCalendarDates,
  MAX_MONTH_DAY,
  parseCalendarDate,
  shanghaiDateOf,
  type CalendarDate,
} from "@paysign/contracts";
import { AppError, notFound } from "../errors.ts";
import type { Agreement } from "../generated/prisma/client.ts";
import { lockAgreement, recordAgreementEvent } from "../repositories/agreements.ts";
import { queryAgreement } from "../services/agreement-sync.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { refuseOnMerchantConfiguration } from "../services/merchant-configuration.ts";
import { requireAlipay } from "../services/require-alipay.ts";
import { lockCharge } from "../repositories/charge-locks.ts";
import { findChargeForPeriod, findUnsettledChargeForPeriod } from "../repositories/charges.ts";
import { setAgreementDeductionState, setChargeState } from "../repositories/charge-writes.ts";
import { findAgreementById } from "../repositories/agreement-reads.ts";

/**
 * `alipay.user.agreement.executionplan.modify` (docs/alipay-protocol.md §7): moves the next deduction date D later —
 * the only way to resume after a missed window. Later than D only, not in the past, day ≤ 28 for MONTH periods.
 * Afterwards the schedule follows the new date: the next charge is for it and success advances from it.
 */
export async function deferAgreement(
  deps: ServiceDeps,
  input: { agreementId: string; deductDate: CalendarDate; memo?: string | undefined },
): Promise<Agreement> {
  const agreement = await findAgreementById(deps.db.prisma, input.agreementId);
  if (!agreement) throw notFound("Agreement");
  const { current, agreementNo } = await checkDeferrable(deps, agreement, input.deductDate);
  const result = await requireAlipay(deps).call("alipay.user.agreement.executionplan.modify", {
    agreement_no: agreementNo,
    deduct_time: input.deductDate,
    ...(input.memo ? { memo: input.memo } : {}),
  });
  refuseOnMerchantConfiguration("alipay.user.agreement.executionplan.modify", result);
  if (result.kind !== "success" && !(await alipayAlreadyMoved(deps, agreement, input.deductDate))) {
    if (result.kind === "business-failure" && result.class === "definitive") {
      const code = result.subCode === "ILLEGAL_EXECUTION_TIME" ? "BAD_REQUEST" : "CONFLICT";
      throw new AppError(
        code,
        `Alipay refused the new date (${result.subCode ?? result.code}): ${result.subMsg ?? ""}`.trim(),
      );
    }
    throw new AppError("ALIPAY_UNAVAILABLE", "Alipay did not confirm the new date; retry in a moment.");
  }
  return deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, agreement.id);
    if (!locked) throw notFound("Agreement");
    const old = await findChargeForPeriod(tx, {
      agreementId: agreement.id,
      dueDate: calendarDateToUtcMidnight(current),
    });
    if (old && old.status === "PENDING") {
      const charge = (await lockCharge(tx, old.id))?.charge;
      if (charge?.status === "PENDING") {
        await setChargeState(tx, charge.id, {
          status: "FAILED",
          nextAttemptAt: null,
          failureCode: "DEFERRED",
          failureReason: `the deduction moved to ${input.deductDate}`,
        });
      }
    }
    await recordAgreementEvent(tx, {
      agreement: locked,
      source: "ADMIN",
      reason: `deduction date moved from ${current} to ${input.deductDate}`,
      raw: { from: current, to: input.deductDate, ...(input.memo ? { memo: input.memo } : {}) },
    });
    deps.logger.info({ agreementId: agreement.id, from: current, to: input.deductDate }, "deduction date deferred");
    return setAgreementDeductionState(tx, agreement.id, {
      nextDeductDate: calendarDateToUtcMidnight(input.deductDate),
    });
  });
}

/**
 * Whether Alipay's next_deduct_time is already `deductDate`: the answer to a modification that took effect was lost
 * (§7 sub_code SYSTEM_ERROR, a timeout), or an earlier try did it and this retry is refused as not later than D.
 */
async function alipayAlreadyMoved(deps: ServiceDeps, agreement: Agreement, deductDate: CalendarDate): Promise<boolean> {
  const answer = await queryAgreement(deps, agreement);
  const next = answer.kind === "found" ? answer.response.next_deduct_time : undefined;
  return next?.slice(0, 10) === deductDate;
}

async function checkDeferrable(
  deps: ServiceDeps,
  agreement: Agreement,
  deductDate: CalendarDate,
): Promise<{ current: CalendarDate; agreementNo: string }> {
  if (agreement.status !== "ACTIVE" || !agreement.agreementNo || !agreement.nextDeductDate) {
    throw new AppError("CONFLICT", `The agreement is ${agreement.status}; only an active agreement's date can move.`);
  }
  const current = calendarDateFromUtcMidnight(agreement.nextDeductDate);
  if (compareCalendarDates(deductDate, current) <= 0) {
    throw new AppError("BAD_REQUEST", `deductDate must be after the current deduction date ${current}.`);
  }
  if (agreement.periodType === "MONTH" && parseCalendarDate(deductDate).day > MAX_MONTH_DAY) {
    throw new AppError("BAD_REQUEST", `deductDate must be on day ${MAX_MONTH_DAY} or earlier for a monthly agreement.`);
  }
  const today = shanghaiDateOf(await deps.clock.now());
  if (compareCalendarDates(deductDate, today) < 0) {
    throw new AppError("BAD_REQUEST", `deductDate must not be before today (${today}).`);
  }
  const inFlight = await findUnsettledChargeForPeriod(deps.db.prisma, {
    agreementId: agreement.id,
    dueDate: calendarDateToUtcMidnight(current),
  });
  if (inFlight) {
    throw new AppError("CONFLICT", `The deduction for ${current} is being settled; retry once it is.`);
  }
  return { current, agreementNo: agreement.agreementNo };
}
