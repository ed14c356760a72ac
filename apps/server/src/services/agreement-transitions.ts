import type { AgreementStatus, CalendarDate } from "@paysign/contracts";
import {
  agreementFacts,
  makesLive,
  planAlipayView,
  planStatusChange,
  type AlipayAgreementView,
  type LifecyclePlan,
} from "../domain/agreement-lifecycle.ts";
import { sweepAfterSigning, type SweepSchedule } from "../domain/sweep-schedule.ts";
import type { Agreement, Prisma } from "../generated/prisma/client.ts";
import {
  applyLifecyclePlan,
  lockCustomerAndFindLiveSibling,
  type AgreementEventInput,
  type TransitionResult,
} from "../repositories/agreements.ts";
import type { Tx } from "../repositories/transaction.ts";

/**
 * Moves a locked agreement to what Alipay reports (domain/agreement-lifecycle.ts planAlipayView) with its event;
 * `today` (Asia/Shanghai) holds back a first D already past (docs/alipay-protocol.md §17.1). A
 * view that names another agreement, product, scene or Alipay user changes nothing and comes back as `mismatch`. A
 * view that would make the agreement live is planned again under the customer's row lock, knowing the customer's live
 * agreement for the plan: with one, this agreement becomes its ABANDONED duplicate (docs/alipay-protocol.md §17.6).
 */
export async function applyAlipayView(
  tx: Tx,
  input: {
    agreement: Agreement;
    view: AlipayAgreementView;
    event: AgreementEventInput;
    today?: CalendarDate;
    /** When the view is Alipay's own word (a query, a verified result): a signing it reports schedules the sweep. */
    sweep?: { now: Date; schedule: SweepSchedule };
  },
): Promise<TransitionResult & { plan: LifecyclePlan }> {
  const { agreement, view, event, sweep } = input;
  const facts = agreementFacts(agreement);
  let plan = planAlipayView(facts, view, input.today);
  if (makesLive(plan)) {
    const liveSiblingId = await lockCustomerAndFindLiveSibling(tx, agreement);
    plan = planAlipayView({ ...facts, liveSiblingId }, view, input.today);
  }
  const nextSweepAt = sweep && plan.kind === "transition" ? sweepAfterSigning(agreement, plan, sweep) : undefined;
  const extra = nextSweepAt ? { extra: { nextSweepAt } } : {};
  return { plan, ...(await applyLifecyclePlan(tx, { agreement, plan, event, ...extra })) };
}

/** A status change Alipay did not report (planStatusChange), on a locked agreement, with its event. */
export function changeAgreementStatus(
  tx: Tx,
  input: { agreement: Agreement; to: AgreementStatus; event: AgreementEventInput; extra?: Prisma.AgreementUpdateInput },
): Promise<TransitionResult> {
  const plan = planStatusChange(agreementFacts(input.agreement), input.to);
  return applyLifecyclePlan(tx, {
    agreement: input.agreement,
    plan,
    event: input.event,
    ...(input.extra ? { extra: input.extra } : {}),
  });
}
