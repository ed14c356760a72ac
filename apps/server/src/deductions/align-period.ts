import {
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
  compareCalendarDates,
  isCalendarDate,
} from "@paysign/contracts";
import { findAgreementById } from "../repositories/agreement-reads.ts";
import { lockCharge } from "../repositories/charge-locks.ts";
import { setAgreementDeductionState, setChargeState } from "../repositories/charge-writes.ts";
import { queryAgreement } from "../services/agreement-sync.ts";
import type { ServiceDeps } from "../services/deps.ts";

/**
 * docs/alipay-protocol.md §15.3, after every out_trade_no of the charge was asked and none is paid: when Alipay's
 * next_deduct_time is later than the charge's D while ours is still that D, Alipay will refuse every attempt for this
 * period. Our D becomes Alipay's and the charge ends PAST_DUE (`ALIPAY_DATE_MOVED`), on the list operators work from.
 * Returns Alipay's date when it was taken over.
 */
export async function alignWithAlipayDate(
  deps: ServiceDeps,
  input: { chargeId: string; agreementId: string },
): Promise<string | undefined> {
  const agreement = await findAgreementById(deps.db.prisma, input.agreementId);
  if (!agreement?.agreementNo) return undefined;
  const answer = await queryAgreement(deps, agreement);
  const alipayDate = answer.kind === "found" ? answer.response.next_deduct_time?.slice(0, 10) : undefined;
  if (!alipayDate || !isCalendarDate(alipayDate)) return undefined;
  return deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockCharge(tx, input.chargeId);
    if (!locked || locked.charge.status === "SUCCEEDED" || !locked.agreement.nextDeductDate) return undefined;
    const dueDate = calendarDateFromUtcMidnight(locked.charge.dueDate);
    const ours = calendarDateFromUtcMidnight(locked.agreement.nextDeductDate);
    if (ours !== dueDate || compareCalendarDates(alipayDate, dueDate) <= 0) return undefined;
    await setAgreementDeductionState(tx, locked.agreement.id, {
      nextDeductDate: calendarDateToUtcMidnight(alipayDate),
    });
    await setChargeState(tx, locked.charge.id, {
      status: "PAST_DUE",
      nextAttemptAt: null,
      failureCode: "ALIPAY_DATE_MOVED",
      failureReason: `Alipay's next_deduct_time is ${alipayDate} and no trade of this charge is paid`,
    });
    deps.logger.error({ chargeId: locked.charge.id, dueDate, alipayDate }, "Alipay moved D past an unpaid period");
    return alipayDate;
  });
}
