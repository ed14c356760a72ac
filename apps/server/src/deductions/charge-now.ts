import { addDays, calendarDateFromUtcMidnight, deductWindowPosition, shanghaiDateOf } from "@paysign/contracts";
import { AppError, notFound } from "../errors.ts";
import { findAgreementById } from "../repositories/agreement-reads.ts";
import { getChargeWithLatestAttempt, type ChargeWithLatestAttempt } from "../repositories/charges.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { runCharge } from "./charge-engine.ts";

/**
 * An operator's "charge now" (docs/product.md §7): the current period of an active agreement, only inside its deduction
 * window, never twice for a period. A missed window runs the engine too (it settles an open attempt and marks the
 * period PAST_DUE), then answers CONFLICT.
 */
export async function chargeNow(deps: ServiceDeps, agreementId: string): Promise<ChargeWithLatestAttempt> {
  const agreement = await findAgreementById(deps.db.prisma, agreementId);
  if (!agreement) throw notFound("Agreement");
  if (agreement.status !== "ACTIVE" || !agreement.nextDeductDate) {
    throw new AppError("CONFLICT", `The agreement is ${agreement.status}; only an active agreement is charged.`);
  }
  const dueDate = calendarDateFromUtcMidnight(agreement.nextDeductDate);
  const today = shanghaiDateOf(await deps.clock.now());
  const windowDays = deps.config.deductions.windowDays;
  const position = deductWindowPosition({ today, deductDate: dueDate, windowDays });
  if (position === "BEFORE") {
    throw new AppError(
      "CONFLICT",
      `The window for ${dueDate} opens on ${addDays(dueDate, -windowDays)}; Alipay refuses earlier deductions.`,
    );
  }
  const charge = await runCharge(deps, { agreementId: agreement.id, dueDate }, { force: true });
  if (position === "MISSED") {
    throw new AppError(
      "CONFLICT",
      `The window for ${dueDate} has passed; move the date with POST /admin/v1/agreements/${agreement.id}/defer.`,
    );
  }
  if (!charge) {
    throw new AppError("CONFLICT", `Nothing is left to charge on this agreement (payments or total used up).`);
  }
  return getChargeWithLatestAttempt(deps.db.prisma, charge.id);
}
