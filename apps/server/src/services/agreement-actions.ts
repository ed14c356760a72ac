import { shanghaiDateOf } from "@paysign/contracts";
import { AppError, notFound } from "../errors.ts";
import type { Agreement } from "../generated/prisma/client.ts";
import { agreementExists, findAgreementById, findAgreementOf } from "../repositories/agreement-reads.ts";
import { lockAgreement, type AgreementEventSource } from "../repositories/agreements.ts";
import { applyAlipayView } from "./agreement-transitions.ts";
import { agreementLocator, syncAgreement } from "./agreement-sync.ts";
import type { ServiceDeps } from "./deps.ts";
import { refuseOnMerchantConfiguration } from "./merchant-configuration.ts";
import { requireAlipay } from "./require-alipay.ts";

const unsignable = new Set(["TEMP", "ACTIVE", "PAUSED"]);

/**
 * `alipay.user.agreement.unsign` for a signed agreement. On success the agreement is UNSIGNED at once; the
 * `dut_user_unsign` that follows changes nothing. When Alipay does not answer, the state is settled by a query.
 */
export async function unsignAgreement(
  deps: ServiceDeps,
  input: { agreementId: string; customerId?: string; source: AgreementEventSource },
): Promise<Agreement> {
  const agreement = await findAgreementOf(deps.db.prisma, { id: input.agreementId, customerId: input.customerId });
  if (!agreement) throw notFound("Agreement");
  if (!unsignable.has(agreement.status)) {
    throw new AppError("CONFLICT", `The agreement is ${agreement.status}; only a signed agreement can be stopped.`);
  }
  const result = await requireAlipay(deps).call("alipay.user.agreement.unsign", agreementLocator(agreement));
  if (result.kind === "success") {
    return deps.db.prisma.$transaction(async (tx) => {
      const locked = await lockAgreement(tx, agreement.id);
      if (!locked) throw notFound("Agreement");
      const reason = input.source === "CUSTOMER" ? "customer asked to stop" : "merchant unsigned";
      return (
        await applyAlipayView(tx, {
          agreement: locked,
          view: { status: "UNSIGN" },
          event: { source: input.source, reason },
        })
      ).agreement;
    });
  }
  refuseOnMerchantConfiguration("alipay.user.agreement.unsign", result);
  const { agreement: synced } = await syncAgreement(deps, agreement.id, { source: "ALIPAY_QUERY" });
  if (synced.status === "UNSIGNED") return synced;
  if (result.kind === "unknown-outcome" || result.class === "retryable") {
    throw new AppError("ALIPAY_UNAVAILABLE", "Alipay did not confirm the unsign; retry in a moment.");
  }
  throw new AppError(
    "CONFLICT",
    `Alipay refused to unsign (${result.subCode ?? result.code}): ${result.subMsg ?? ""}`.trim(),
  );
}

/** `alipay.user.agreement.sign.effect` for a TEMP (NOTICE) agreement → ACTIVE. */
export async function effectAgreement(deps: ServiceDeps, agreementId: string): Promise<Agreement> {
  const agreement = await findAgreementById(deps.db.prisma, agreementId);
  if (!agreement) throw notFound("Agreement");
  if (agreement.status !== "TEMP") {
    throw new AppError(
      "CONFLICT",
      `The agreement is ${agreement.status}; only a TEMP (NOTICE) agreement can be made effective.`,
    );
  }
  const result = await requireAlipay(deps).call("alipay.user.agreement.sign.effect", agreementLocator(agreement));
  if (result.kind === "success") {
    const today = shanghaiDateOf(await deps.clock.now());
    return deps.db.prisma.$transaction(async (tx) => {
      const locked = await lockAgreement(tx, agreement.id);
      if (!locked) throw notFound("Agreement");
      return (
        await applyAlipayView(tx, {
          agreement: locked,
          view: { status: "NORMAL" },
          event: { source: "ADMIN", reason: "sign.effect" },
          today,
        })
      ).agreement;
    });
  }
  refuseOnMerchantConfiguration("alipay.user.agreement.sign.effect", result);
  const { agreement: synced } = await syncAgreement(deps, agreement.id, { source: "ALIPAY_QUERY" });
  if (synced.status === "ACTIVE") return synced;
  if (result.kind === "business-failure" && result.class === "definitive") {
    throw new AppError(
      "CONFLICT",
      `Alipay refused sign.effect (${result.subCode ?? result.code}): ${result.subMsg ?? ""}`.trim(),
    );
  }
  throw new AppError("ALIPAY_UNAVAILABLE", "Alipay did not confirm sign.effect; retry in a moment.");
}

/** An operator's sync: the agreement as `alipay.user.agreement.query` has it; no answer is ALIPAY_UNAVAILABLE. */
export async function syncAgreementNow(deps: ServiceDeps, agreementId: string): Promise<Agreement> {
  if (!(await agreementExists(deps.db.prisma, agreementId))) throw notFound("Agreement");
  const { agreement, answer } = await syncAgreement(deps, agreementId, { source: "ADMIN" });
  if (answer.kind === "unknown")
    throw new AppError("ALIPAY_UNAVAILABLE", `Alipay did not answer the query: ${answer.reason}`);
  return agreement;
}
