import {
  addDays,
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
import type { Tx } from "../repositories/transaction.ts";
import { queryAgreement } from "../services/agreement-sync.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { refuseOnMerchantConfiguration } from "../services/merchant-configuration.ts";
import { requireAlipay } from "../services/require-alipay.ts";
import { lockCharge } from "../repositories/charge-locks.ts";
import { findChargeForPeriod, findUnsettledChargeForPeriod } from "../repositories/charges.ts";
import { setAgreementDeductionState, setChargeState } from "../repositories/charge-writes.ts";
import { findAgreementById } from "../repositories/agreement-reads.ts";

// A defer and a charge attempt of the same agreement (docs/alipay-protocol.md §16.2) exclude each other under the agreement's row lock, without a
// transaction across the HTTP call: the defer writes a claim (`deferClaimedUntil`) on the agreement, and the engine
// starts no attempt while a claim is set (charge-engine.ts). A defer starts only when no attempt of D is unsettled.
// A claim in the future is a defer at Alipay now. A claim in the past is a defer whose outcome at Alipay is unknown
// (its process stopped, or Alipay's answer and the query were both lost): before any attempt, D is taken from
// agreement.query's next_deduct_time (`settleStaleDeferClaim`); a new defer may take the claim over.

/**
 * The furthest a defer moves D, in days after the current D: far enough for a prepaid year, near enough that a
 * mistyped year is refused rather than stopping billing for good (docs/alipay-protocol.md §7).
 */
const MAX_DEFER_DAYS = 366;

/** A defer makes at most two gateway calls (modify, then query); each may last twice the SDK timeout (a resend). */
const CALLS_PER_DEFER = 2;
const CLAIM_MARGIN_SECONDS = 30;

/**
 * `alipay.user.agreement.executionplan.modify` (docs/alipay-protocol.md §7): moves the next deduction date D later —
 * the only way to resume after a missed window. Later than D only, not in the past, day ≤ 28 for MONTH periods, at
 * most MAX_DEFER_DAYS after D and not after the day of the agreement's invalid time.
 * Afterwards the schedule follows the new date: the next charge is for it and success advances from it.
 * Throws CONFLICT while an attempt of D or another defer is in flight, or when the agreement stopped meanwhile;
 * BAD_REQUEST for a date Alipay refuses; ALIPAY_UNAVAILABLE when Alipay's answer is unknown (retry: the next try
 * checks `next_deduct_time`).
 */
export async function deferAgreement(
  deps: ServiceDeps,
  input: { agreementId: string; deductDate: CalendarDate; memo?: string | undefined },
): Promise<Agreement> {
  const found = await findAgreementById(deps.db.prisma, input.agreementId);
  if (!found) throw notFound("Agreement");
  const today = shanghaiDateOf(await deps.clock.now());
  const { agreement, current, agreementNo } = await deps.db.prisma.$transaction((tx) =>
    claimDefer(deps, tx, { agreementId: found.id, deductDate: input.deductDate, today }),
  );
  const result = await requireAlipay(deps).call("alipay.user.agreement.executionplan.modify", {
    agreement_no: agreementNo,
    deduct_time: input.deductDate,
    ...(input.memo ? { memo: input.memo } : {}),
  });
  try {
    refuseOnMerchantConfiguration("alipay.user.agreement.executionplan.modify", result);
  } catch (error) {
    await releaseClaim(deps, found.id);
    throw error;
  }
  if (result.kind !== "success") {
    // Lost, or refused because an earlier try already moved D: Alipay's next_deduct_time decides.
    const moved = await alipayMovedTo(deps, agreement);
    if (moved !== input.deductDate) {
      await releaseClaim(deps, found.id, { unresolved: moved !== current });
      const definitive = result.kind === "business-failure" && result.class === "definitive";
      if (!definitive) {
        throw new AppError("ALIPAY_UNAVAILABLE", "Alipay did not confirm the new date; retry in a moment.");
      }
      const code = result.subCode === "ILLEGAL_EXECUTION_TIME" ? "BAD_REQUEST" : "CONFLICT";
      throw new AppError(
        code,
        `Alipay refused the new date (${result.subCode ?? result.code}): ${result.subMsg ?? ""}`.trim(),
      );
    }
  }
  return deps.db.prisma.$transaction((tx) =>
    applyNewDate(deps, tx, { agreementId: found.id, from: current, to: input.deductDate, memo: input.memo }),
  );
}

/** Under the lock: the checks, then the claim. */
async function claimDefer(
  deps: ServiceDeps,
  tx: Tx,
  input: { agreementId: string; deductDate: CalendarDate; today: CalendarDate },
): Promise<{ agreement: Agreement; current: CalendarDate; agreementNo: string }> {
  const agreement = await lockAgreement(tx, input.agreementId);
  if (!agreement) throw notFound("Agreement");
  const { current, agreementNo } = checkDeferrable(agreement, input.deductDate, input.today);
  if (agreement.deferClaimedUntil && agreement.deferClaimedUntil.getTime() > Date.now()) {
    throw new AppError("CONFLICT", "Another change of the deduction date is in progress; retry once it is done.");
  }
  const inFlight = await findUnsettledChargeForPeriod(tx, {
    agreementId: agreement.id,
    dueDate: calendarDateToUtcMidnight(current),
  });
  if (inFlight) {
    throw new AppError("CONFLICT", `The deduction for ${current} is being settled; retry once it is.`);
  }
  const timeoutSeconds = Math.ceil((deps.config.alipay?.timeoutMs ?? 10_000) / 1000);
  const claimSeconds = CALLS_PER_DEFER * 2 * timeoutSeconds + CLAIM_MARGIN_SECONDS;
  // Real time, not business time: it bounds HTTP calls.
  await setAgreementDeductionState(tx, agreement.id, {
    deferClaimedUntil: new Date(Date.now() + claimSeconds * 1000),
  });
  return { agreement, current, agreementNo };
}

/**
 * Ends the claim: cleared when Alipay's D is known to be ours, left in the past (`unresolved`) when it may have moved,
 * so the engine asks Alipay before the next attempt.
 */
async function releaseClaim(deps: ServiceDeps, agreementId: string, options: { unresolved?: boolean } = {}) {
  await deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, agreementId);
    if (!locked?.deferClaimedUntil) return;
    await setAgreementDeductionState(tx, agreementId, { deferClaimedUntil: options.unresolved ? new Date() : null });
  });
}

/**
 * Under the lock, once Alipay's D is `to`: a PENDING charge of the old D closes as FAILED `DEFERRED`, D becomes `to`,
 * the claim ends. An agreement that stopped meanwhile (an unsign won the race) keeps its state: CONFLICT.
 */
async function applyNewDate(
  deps: ServiceDeps,
  tx: Tx,
  input: {
    agreementId: string;
    from: CalendarDate;
    to: CalendarDate;
    memo?: string | undefined;
    source?: "ADMIN" | "ALIPAY_QUERY";
  },
): Promise<Agreement> {
  const locked = await lockAgreement(tx, input.agreementId);
  if (!locked) throw notFound("Agreement");
  const current = locked.nextDeductDate ? calendarDateFromUtcMidnight(locked.nextDeductDate) : undefined;
  if (locked.status !== "ACTIVE" || current !== input.from) {
    await setAgreementDeductionState(tx, locked.id, { deferClaimedUntil: null });
    throw new AppError(
      "CONFLICT",
      `The agreement changed while its date was moving (now ${locked.status}, D ${current ?? "none"}); check it.`,
    );
  }
  const old = await findChargeForPeriod(tx, { agreementId: locked.id, dueDate: calendarDateToUtcMidnight(input.from) });
  if (old && old.status === "PENDING") {
    const charge = (await lockCharge(tx, old.id))?.charge;
    if (charge?.status === "PENDING") {
      await setChargeState(tx, charge.id, {
        status: "FAILED",
        nextAttemptAt: null,
        failureCode: "DEFERRED",
        failureReason: `the deduction moved to ${input.to}`,
      });
    }
  }
  await recordAgreementEvent(tx, {
    agreement: locked,
    source: input.source ?? "ADMIN",
    reason: `deduction date moved from ${input.from} to ${input.to}`,
    raw: { from: input.from, to: input.to, ...(input.memo ? { memo: input.memo } : {}) },
  });
  deps.logger.info({ agreementId: locked.id, from: input.from, to: input.to }, "deduction date deferred");
  return setAgreementDeductionState(tx, locked.id, {
    nextDeductDate: calendarDateToUtcMidnight(input.to),
    deferClaimedUntil: null,
  });
}

/**
 * A defer whose outcome at Alipay stayed unknown (its claim is in the past): D becomes agreement.query's
 * `next_deduct_time` (docs/alipay-protocol.md §5, §7) and the claim ends. Nothing changes while Alipay does not answer
 * or another defer holds the claim; the engine starts no attempt until then.
 */
export async function settleStaleDeferClaim(deps: ServiceDeps, agreementId: string): Promise<void> {
  const agreement = await findAgreementById(deps.db.prisma, agreementId);
  const claimed = agreement?.deferClaimedUntil;
  if (!agreement || !claimed || claimed.getTime() > Date.now()) return;
  const alipayDate = await alipayMovedTo(deps, agreement);
  if (alipayDate === undefined) return;
  const current = agreement.nextDeductDate ? calendarDateFromUtcMidnight(agreement.nextDeductDate) : undefined;
  if (current === undefined || compareCalendarDates(alipayDate, current) <= 0) {
    await deps.db.prisma.$transaction(async (tx) => {
      const locked = await lockAgreement(tx, agreementId);
      if (locked?.deferClaimedUntil?.getTime() !== claimed.getTime()) return;
      await setAgreementDeductionState(tx, agreementId, { deferClaimedUntil: null });
    });
    return;
  }
  await deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, agreementId);
    if (locked?.deferClaimedUntil?.getTime() !== claimed.getTime()) return;
    await applyNewDate(deps, tx, { agreementId, from: current, to: alipayDate, source: "ALIPAY_QUERY" });
  });
}

/** Alipay's next_deduct_time for the agreement (`yyyy-MM-dd`), or undefined when the query gives none. */
async function alipayMovedTo(deps: ServiceDeps, agreement: Agreement): Promise<CalendarDate | undefined> {
  const answer = await queryAgreement(deps, agreement);
  const next = answer.kind === "found" ? answer.response.next_deduct_time : undefined;
  return next?.slice(0, 10);
}

function checkDeferrable(
  agreement: Agreement,
  deductDate: CalendarDate,
  today: CalendarDate,
): { current: CalendarDate; agreementNo: string } {
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
  if (compareCalendarDates(deductDate, today) < 0) {
    throw new AppError("BAD_REQUEST", `deductDate must not be before today (${today}).`);
  }
  const latest = addDays(current, MAX_DEFER_DAYS);
  if (compareCalendarDates(deductDate, latest) > 0) {
    throw new AppError(
      "BAD_REQUEST",
      `deductDate must be at most ${MAX_DEFER_DAYS} days after the current deduction date ${current} (${latest} ` +
        "at the latest): check the year; to move further, defer again once the new date is reached.",
    );
  }
  const lastDay = agreement.invalidTime ? shanghaiDateOf(agreement.invalidTime) : undefined;
  if (lastDay && compareCalendarDates(deductDate, lastDay) > 0) {
    throw new AppError(
      "BAD_REQUEST",
      `The agreement ends on ${lastDay} (its invalid time): pick a deductDate on or before it, or unsign the ` +
        "agreement if no deduction should happen any more.",
    );
  }
  return { current, agreementNo: agreement.agreementNo };
}
