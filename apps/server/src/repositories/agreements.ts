import { randomUUID } from "node:crypto";
import { agreementEventTypeOf } from "@paysign/contracts";
import type { Agreement, Prisma } from "../generated/prisma/client.ts";
import { eventReasonOf, startsDeducting, type LifecyclePlan } from "../domain/agreement-lifecycle.ts";
import { presentAdminAgreement } from "../presenters/resources.ts";
import type { Tx } from "./transaction.ts";
import { appendWebhookEvent } from "./webhook-events.ts";

export type AgreementEventSource =
  "NOTIFICATION" | "ALIPAY_QUERY" | "CLIENT_RESULT" | "CUSTOMER" | "ADMIN" | "SCHEDULER" | "SYSTEM";

export type AgreementEventInput = { source: AgreementEventSource; reason: string; raw?: Prisma.InputJsonValue };

/** Reads an agreement and holds its row lock until the transaction ends, so transitions never interleave. */
export async function lockAgreement(tx: Tx, id: string): Promise<Agreement | null> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Agreement" WHERE id = ${id}::uuid FOR UPDATE`;
  if (rows.length === 0) return null;
  return tx.agreement.findUnique({ where: { id } });
}

/** What the mini program reported from my.paySignCenter; a PENDING agreement's next follow-up moves to `nextFollowUpAt`. */
export async function recordClientResult(
  tx: Tx,
  input: { id: string; resultStatus: string; nextFollowUpAt?: Date },
): Promise<void> {
  await tx.agreement.update({
    where: { id: input.id },
    data: {
      clientResultStatus: input.resultStatus,
      ...(input.nextFollowUpAt ? { nextFollowUpAt: input.nextFollowUpAt } : {}),
    },
  });
}

export type TransitionResult = { changed: boolean; agreement: Agreement };

/**
 * Locks the agreement's customer row (FOR NO KEY UPDATE, the lock creating an agreement takes) until the transaction
 * ends, then answers the id of another agreement of the same customer and plan that is TEMP, ACTIVE or PAUSED (the
 * oldest), or null. Each statement after the lock sees every activation committed before it, and no other can commit
 * meanwhile: every writer that makes an agreement live takes this lock first (docs/alipay-protocol.md §17.6). Take
 * the agreement's own row lock before it, as every writer does, so the two locks are always taken in one order.
 */
export async function lockCustomerAndFindLiveSibling(
  tx: Tx,
  agreement: Pick<Agreement, "id" | "customerId" | "planId">,
): Promise<string | null> {
  await tx.$queryRaw`SELECT 1 FROM "Customer" WHERE "id" = ${agreement.customerId}::uuid FOR NO KEY UPDATE`;
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT "id" FROM "Agreement"
    WHERE "customerId" = ${agreement.customerId}::uuid AND "planId" = ${agreement.planId}::uuid
      AND "id" <> ${agreement.id}::uuid AND "status" IN ('TEMP', 'ACTIVE', 'PAUSED')
    ORDER BY "createdAt", "id" LIMIT 1`;
  return rows[0]?.id ?? null;
}

/**
 * The Prisma writer of the lifecycle planner (domain/agreement-lifecycle.ts): applies a planned transition with its
 * event, in the caller's transaction on the agreement as locked and planned. `extra` are fields the caller changes in
 * the same write (a completing charge's counts), and its outbound event (contracts' `agreementEventTypeOf`, the admin
 * agreement as written). A plan without a transition changes nothing. A plan decided on the
 * customer's live agreement (`liveSibling`) is applied under the customer's lock only while that is still the live
 * one; otherwise it throws, and the caller plans again.
 */
export async function applyLifecyclePlan(
  tx: Tx,
  input: {
    agreement: Agreement;
    plan: LifecyclePlan;
    event: AgreementEventInput;
    extra?: Prisma.AgreementUpdateInput;
  },
): Promise<TransitionResult> {
  const { agreement, plan } = input;
  if (plan.kind !== "transition") return { changed: false, agreement };
  const { changes } = plan;
  if (plan.liveSibling !== undefined && (await lockCustomerAndFindLiveSibling(tx, agreement)) !== plan.liveSibling)
    throw new Error(`the live agreement of agreement ${agreement.id}'s customer and plan changed since it was planned`);
  const updated = await tx.agreement.update({
    where: { id: agreement.id },
    data: {
      ...input.extra,
      status: changes.status,
      ...(changes.alipayStatus === undefined ? {} : { alipayStatus: changes.alipayStatus }),
      ...(changes.agreementNo === undefined ? {} : { agreementNo: changes.agreementNo }),
      ...(changes.alipayUserId === undefined ? {} : { alipayUserId: changes.alipayUserId }),
      ...(changes.alipayOpenId === undefined ? {} : { alipayOpenId: changes.alipayOpenId }),
      ...(changes.signTime === undefined ? {} : { signTime: changes.signTime }),
      ...(changes.validTime === undefined ? {} : { validTime: changes.validTime }),
      ...(changes.invalidTime === undefined ? {} : { invalidTime: changes.invalidTime }),
      ...(startsDeducting(agreement, changes) ? { nextDeductDate: agreement.executeTime } : {}),
      ...(changes.clearNextFollowUp ? { nextFollowUpAt: null } : {}),
    },
  });
  await recordAgreementEvent(tx, {
    agreement,
    to: plan.to,
    ...input.event,
    reason: eventReasonOf(plan, input.event.reason),
  });
  const type = agreementEventTypeOf(agreement.status, plan.to);
  if (type) await appendWebhookEvent(tx, { type, agreementId: agreement.id, data: presentAdminAgreement(updated) });
  return { changed: true, agreement: updated };
}

/**
 * An event in the agreement's history: a transition's (`to` its new status) or one that changes no status (a
 * deferred deduction date).
 */
export async function recordAgreementEvent(
  tx: Tx,
  input: AgreementEventInput & { agreement: Agreement; to?: Agreement["status"] },
): Promise<void> {
  await tx.agreementEvent.create({
    data: {
      id: randomUUID(),
      agreementId: input.agreement.id,
      fromStatus: input.agreement.status,
      toStatus: input.to ?? input.agreement.status,
      source: input.source,
      reason: input.reason,
      ...(input.raw === undefined ? {} : { raw: input.raw }),
    },
  });
}
