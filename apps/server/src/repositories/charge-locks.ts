import type { Agreement, Charge, ChargeAttempt } from "../generated/prisma/client.ts";
import { lockAgreement } from "./agreements.ts";
import type { Tx } from "./transaction.ts";

// Every change to a charge or its attempts happens under the row lock of the charge's agreement: that one lock
// serializes everything about an agreement's charges (creation, attempts, settlement, the agreement's counts and
// state), and every path takes it before touching a charge, so they never deadlock.

export type Locked = { agreement: Agreement; charge: Charge; attempt: ChargeAttempt };

/** A charge with its agreement's row lock held until the transaction ends. */
export async function lockCharge(tx: Tx, chargeId: string): Promise<{ agreement: Agreement; charge: Charge } | null> {
  const found = await tx.charge.findUnique({ where: { id: chargeId }, select: { agreementId: true } });
  if (!found) return null;
  const agreement = await lockAgreement(tx, found.agreementId);
  if (!agreement) return null;
  return { agreement, charge: await tx.charge.findUniqueOrThrow({ where: { id: chargeId } }) };
}

/** An attempt, its charge and its agreement, with the agreement's row lock held until the transaction ends. */
export async function lockAttempt(tx: Tx, attemptId: string): Promise<Locked | null> {
  // The agreement is found from the attempt and locked in one statement.
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT a.id FROM "Agreement" a
    WHERE a.id = (SELECT c."agreementId" FROM "ChargeAttempt" t JOIN "Charge" c ON c.id = t."chargeId"
                  WHERE t.id = ${attemptId}::uuid)
    FOR UPDATE`;
  const agreementId = rows[0]?.id;
  if (!agreementId) return null;
  const agreement = await tx.agreement.findUnique({ where: { id: agreementId } });
  if (!agreement) return null;
  const { charge, ...attempt } = await tx.chargeAttempt.findUniqueOrThrow({
    where: { id: attemptId },
    include: { charge: true },
  });
  return { agreement, charge, attempt };
}

/**
 * The attempt a trade of this out_trade_no settles, or undefined: a number is re-sent by several attempts, so its
 * open one (PROCESSING or UNKNOWN) if any, else its latest.
 */
export async function findAttemptIdByOutTradeNo(tx: Tx, outTradeNo: string): Promise<string | undefined> {
  const rows = await tx.chargeAttempt.findMany({
    where: { outTradeNo },
    select: { id: true, status: true },
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
  });
  const open = rows.find((row) => row.status === "PROCESSING" || row.status === "UNKNOWN");
  return (open ?? rows[0])?.id;
}
