import { randomUUID } from "node:crypto";
import { canTransition, type AgreementStatus } from "@paysign/contracts";
import type { Agreement, Prisma } from "../generated/prisma/client.ts";
import type { Tx } from "./transaction.ts";

export type AgreementEventSource =
  "NOTIFICATION" | "ALIPAY_QUERY" | "CLIENT_RESULT" | "CUSTOMER" | "ADMIN" | "SCHEDULER" | "SYSTEM";

/** Reads an agreement and holds its row lock until the transaction ends, so transitions never interleave. */
export async function lockAgreement(tx: Tx, id: string): Promise<Agreement | null> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Agreement" WHERE id = ${id}::uuid FOR UPDATE`;
  if (rows.length === 0) return null;
  return tx.agreement.findUnique({ where: { id } });
}

export async function findAgreementIdByExternalNo(tx: Tx, externalAgreementNo: string): Promise<string | undefined> {
  const found = await tx.agreement.findUnique({ where: { externalAgreementNo }, select: { id: true } });
  return found?.id;
}

export async function findAgreementIdByAgreementNo(tx: Tx, agreementNo: string): Promise<string | undefined> {
  const found = await tx.agreement.findUnique({ where: { agreementNo }, select: { id: true } });
  return found?.id;
}

export type TransitionInput = {
  agreement: Agreement;
  to: AgreementStatus;
  source: AgreementEventSource;
  reason: string;
  raw?: Prisma.InputJsonValue;
  /** Facts learnt with the transition (agreement number, times, next deduction date). */
  patch?: Prisma.AgreementUpdateInput;
};

export type TransitionResult = { changed: boolean; agreement: Agreement };

/**
 * Applies a lifecycle transition with its event, in the caller's transaction (on a locked row). A transition the
 * lifecycle does not allow changes nothing: terminal states never come back.
 */
export async function transitionAgreement(tx: Tx, input: TransitionInput): Promise<TransitionResult> {
  const { agreement, to } = input;
  const from = agreement.status as AgreementStatus;
  if (from === to || !canTransition(from, to)) return { changed: false, agreement };
  const updated = await tx.agreement.update({
    where: { id: agreement.id },
    data: { ...input.patch, status: to, ...(to === "PENDING" ? {} : { nextFollowUpAt: null }) },
  });
  await tx.agreementEvent.create({
    data: {
      id: randomUUID(),
      agreementId: agreement.id,
      fromStatus: from,
      toStatus: to,
      source: input.source,
      reason: input.reason,
      ...(input.raw === undefined ? {} : { raw: input.raw }),
    },
  });
  return { changed: true, agreement: updated };
}

/** An event that changes no status but belongs in the agreement's history (a deferred deduction date). */
export async function recordAgreementEvent(
  tx: Tx,
  input: { agreement: Agreement; source: AgreementEventSource; reason: string; raw?: Prisma.InputJsonValue },
): Promise<void> {
  await tx.agreementEvent.create({
    data: {
      id: randomUUID(),
      agreementId: input.agreement.id,
      fromStatus: input.agreement.status,
      toStatus: input.agreement.status,
      source: input.source,
      reason: input.reason,
      ...(input.raw === undefined ? {} : { raw: input.raw }),
    },
  });
}
