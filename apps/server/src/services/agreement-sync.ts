import { shanghaiDateOf } from "@paysign/contracts";
import type { AlipayBizContent, AlipayResponse } from "@paysign/contracts/alipay";
import type { Agreement, Prisma } from "../generated/prisma/client.ts";
import { getAgreementById } from "../repositories/agreement-reads.ts";
import { lockAgreement, type AgreementEventSource } from "../repositories/agreements.ts";
import { sweepScheduleOf } from "../domain/sweep-schedule.ts";
import { applyAlipayView, changeAgreementStatus } from "./agreement-transitions.ts";
import type { ServiceDeps } from "./deps.ts";
import { requireAlipay } from "./require-alipay.ts";

/** What `alipay.user.agreement.query` said, reduced to what confirmation needs. */
export type QueryAnswer =
  | { kind: "found"; status: "NORMAL" | "TEMP" | "STOP"; response: AlipayResponse<"alipay.user.agreement.query"> }
  | { kind: "not-signed"; subCode: string }
  | { kind: "unsigned"; subCode: string }
  | { kind: "unknown"; reason: string };

const notSignedSubCodes = new Set(["USER_AGREEMENT_NOT_EXIST", "ACQ.USER_AGREEMENT_NOT_EXIST"]);

export function agreementLocator(agreement: Agreement): AlipayBizContent<"alipay.user.agreement.query"> {
  if (agreement.agreementNo) return { agreement_no: agreement.agreementNo };
  return {
    personal_product_code: agreement.personalProductCode,
    sign_scene: agreement.signScene,
    external_agreement_no: agreement.externalAgreementNo,
    ...(agreement.alipayUserId ? { alipay_user_id: agreement.alipayUserId } : {}),
    ...(agreement.alipayOpenId ? { alipay_open_id: agreement.alipayOpenId } : {}),
  };
}

export async function queryAgreement(deps: ServiceDeps, agreement: Agreement): Promise<QueryAnswer> {
  const result = await requireAlipay(deps).call("alipay.user.agreement.query", agreementLocator(agreement));
  if (result.kind === "success") {
    const status = result.response.status;
    if (status === "NORMAL" || status === "TEMP" || status === "STOP")
      return { kind: "found", status, response: result.response };
    return { kind: "unknown", reason: `query answered without a known status (${String(status)})` };
  }
  const subCode = result.subCode ?? "";
  if (notSignedSubCodes.has(subCode)) return { kind: "not-signed", subCode };
  if (subCode === "AGREEMENT_HAS_UNSIGNED") return { kind: "unsigned", subCode };
  if (result.kind === "unknown-outcome") return { kind: "unknown", reason: result.reason };
  return { kind: "unknown", reason: `${result.code ?? ""} ${subCode}`.trim() };
}

/**
 * Asks Alipay and applies what it says in one transaction with its event. `notSigned` says what a PENDING
 * agreement becomes when Alipay has no such agreement (FAILED after a 7002, nothing otherwise).
 */
export async function syncAgreement(
  deps: ServiceDeps,
  agreementId: string,
  options: { source: AgreementEventSource; notSigned?: "FAILED" | "ABANDONED" },
): Promise<{ agreement: Agreement; answer: QueryAnswer }> {
  const current = await getAgreementById(deps.db.prisma, agreementId);
  const answer = await queryAgreement(deps, current);
  const now = await deps.clock.now();
  const today = shanghaiDateOf(now);
  const agreement = await deps.db.prisma.$transaction(async (tx) => {
    const locked = await lockAgreement(tx, agreementId);
    if (!locked) throw new Error(`agreement ${agreementId} vanished`);
    const raw = JSON.parse(JSON.stringify(answer)) as Prisma.InputJsonValue;
    switch (answer.kind) {
      case "found": {
        const { response } = answer;
        const result = await applyAlipayView(tx, {
          agreement: locked,
          today,
          sweep: { now, schedule: sweepScheduleOf(deps.config) },
          view: {
            status: answer.status,
            agreementNo: response.agreement_no,
            // principal_id is the Alipay user who signed (docs/alipay-protocol.md §5): the planner refuses another user.
            alipayUserId: response.principal_id,
            // An open-id app is answered principal_open_id instead (docs/alipay-protocol.md §19.1).
            alipayOpenId: response.principal_open_id,
            signTime: response.sign_time,
            validTime: response.valid_time,
            invalidTime: response.invalid_time,
          },
          event: { source: options.source, reason: `agreement.query: ${answer.status}`, raw },
        });
        if (result.plan.kind === "mismatch")
          deps.logger.warn({ agreementId, detail: result.plan.detail }, "agreement.query answer refused: mismatch");
        return result.agreement;
      }
      case "unsigned":
        return (
          await applyAlipayView(tx, {
            agreement: locked,
            view: { status: "UNSIGN" },
            event: { source: options.source, reason: "agreement.query: unsigned", raw },
          })
        ).agreement;
      case "not-signed": {
        if (locked.status !== "PENDING" || !options.notSigned) return locked;
        const reason = `agreement.query: ${answer.subCode}`;
        return (
          await changeAgreementStatus(tx, {
            agreement: locked,
            to: options.notSigned,
            event: { source: options.source, reason, raw },
          })
        ).agreement;
      }
      case "unknown":
        deps.logger.warn({ agreementId, reason: answer.reason }, "agreement.query gave no answer; will ask again");
        return locked;
    }
  });
  return { agreement, answer };
}
