import { tryParseAlipayDateTime, type AgreementStatus } from "@paysign/contracts";
import type { Agreement, Prisma } from "../generated/prisma/client.ts";
import { transitionAgreement, type AgreementEventSource, type TransitionResult } from "../repositories/agreements.ts";
import type { Tx } from "../repositories/transaction.ts";

/** What Alipay says about one agreement, from a notification, a query or a verified client result. */
export type AlipayAgreementView = {
  status: "NORMAL" | "TEMP" | "STOP" | "UNSIGN";
  agreementNo?: string | undefined;
  alipayUserId?: string | undefined;
  signTime?: string | undefined;
  validTime?: string | undefined;
  invalidTime?: string | undefined;
};

const localStatusOf: Record<AlipayAgreementView["status"], AgreementStatus> = {
  NORMAL: "ACTIVE",
  TEMP: "TEMP",
  STOP: "PAUSED",
  UNSIGN: "UNSIGNED",
};

function instant(text: string | undefined): Date | undefined {
  return text === undefined ? undefined : tryParseAlipayDateTime(text);
}

/**
 * Moves the local agreement to what Alipay reports, recording the facts learnt on the way (agreement number, the
 * user, sign and validity times, the first deduction date D). Disallowed moves (out of a terminal state) do nothing.
 */
export function applyAlipayView(
  tx: Tx,
  agreement: Agreement,
  view: AlipayAgreementView,
  event: { source: AgreementEventSource; reason: string; raw?: Prisma.InputJsonValue },
): Promise<TransitionResult> {
  const to = localStatusOf[view.status];
  const patch: Prisma.AgreementUpdateInput = { alipayStatus: view.status === "UNSIGN" ? null : view.status };
  if (view.agreementNo && !agreement.agreementNo) patch.agreementNo = view.agreementNo;
  if (view.alipayUserId && !agreement.alipayUserId) patch.alipayUserId = view.alipayUserId;
  const signTime = instant(view.signTime);
  if (signTime && !agreement.signTime) patch.signTime = signTime;
  const validTime = instant(view.validTime);
  if (validTime) patch.validTime = validTime;
  const invalidTime = instant(view.invalidTime);
  if (invalidTime) patch.invalidTime = invalidTime;
  if (to === "ACTIVE" && !agreement.nextDeductDate) patch.nextDeductDate = agreement.executeTime;
  return transitionAgreement(tx, { agreement, to, patch, ...event });
}
