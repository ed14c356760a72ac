import { createHash, randomUUID } from "node:crypto";
import {
  calendarDateFromUtcMidnight,
  calendarDateToUtcMidnight,
  firstDeductDate,
  shanghaiDateOf,
} from "@paysign/contracts";
import { SIGNED_AGREEMENT_STATUSES } from "@paysign/contracts";
import { toPeriodRuleParams, type PageSignBizContent } from "@paysign/contracts/alipay";
import { AppError, notFound } from "../errors.ts";
import type { Agreement, Plan } from "../generated/prisma/client.ts";
import {
  findPlanAndCustomer,
  insertAgreementForCustomer,
  type NewAgreement,
} from "../repositories/agreement-create-sql.ts";
import { getAgreementById } from "../repositories/agreement-reads.ts";
import { getCustomerById } from "../repositories/customers.ts";
import { findIdempotencyKey } from "../repositories/idempotency-keys.ts";
import { isUniqueViolation } from "../repositories/unique-violation.ts";
import type { ServiceDeps } from "./deps.ts";
import { newExternalAgreementNo } from "./external-agreement-no.ts";
import { requireAlipay } from "./require-alipay.ts";

export type CreatedAgreement = { agreement: Agreement; signStr: string };
/** The customer already holds this live (TEMP, ACTIVE or PAUSED) agreement for the plan: nothing was created. */
export type LiveAgreement = { live: Agreement };

/** The page.sign biz_content for an agreement: never a return_url, channel ALIPAYAPP, NOTICE when the plan says so. */
function pageSignBizContent(agreement: NewAgreement, plan: Pick<Plan, "signValidityPeriod">): PageSignBizContent {
  return {
    personal_product_code: agreement.personalProductCode,
    product_code: agreement.productCode,
    sign_scene: agreement.signScene,
    external_agreement_no: agreement.externalAgreementNo,
    access_params: { channel: "ALIPAYAPP" },
    period_rule_params: toPeriodRuleParams({
      periodType: agreement.periodType,
      period: agreement.period,
      executeTime: calendarDateFromUtcMidnight(agreement.executeTime),
      singleAmount: agreement.singleAmount.toFixed(2),
      ...(agreement.totalAmount ? { totalAmount: agreement.totalAmount.toFixed(2) } : {}),
      ...(agreement.totalPayments ? { totalPayments: agreement.totalPayments } : {}),
    }),
    ...(agreement.effectType === "NOTICE" ? { agreement_effect_type: "NOTICE" } : {}),
    ...(plan.signValidityPeriod ? { sign_validity_period: plan.signValidityPeriod } : {}),
  };
}

function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

/**
 * A PENDING agreement from an active plan and its signStr. With an Idempotency-Key, the same key and body answer
 * the first result again and another body is refused; both writes commit together, so a retry never makes two.
 * Product rule: one live agreement per customer and plan — while the customer holds a TEMP, ACTIVE or PAUSED one,
 * nothing is created and that one comes back (`live`); a PENDING one does not count (the customer may have left the
 * sign page), the PENDING cap bounds those. Both rules are checked under the customer's lock.
 */
export async function createAgreement(
  deps: ServiceDeps,
  input: { customerId: string; planId: string; idempotencyKey: string | undefined; body: unknown },
): Promise<CreatedAgreement | LiveAgreement> {
  const alipay = requireAlipay(deps);
  const scope = `createAgreement:${input.customerId}`;
  const hash = requestHash(input.body);
  if (input.idempotencyKey) {
    const replay = await replayIdempotent(deps, { scope, key: input.idempotencyKey, hash });
    if (replay) return replay;
  }
  const { plan, customer } = await findPlanAndCustomer(deps.db, input.planId, input.customerId);
  if (!plan) throw notFound("Plan");
  if (!plan.active) throw new AppError("CONFLICT", "This plan is no longer offered; choose another plan.");
  // No customer behind a valid session (deleted meanwhile): fail exactly as before, through Prisma.
  if (!customer) await getCustomerById(deps.db.prisma, input.customerId);
  refuseTooManyPending(deps, customer?.pendingAgreements ?? 0);

  const now = await deps.clock.now();
  const today = shanghaiDateOf(now);
  const executeTime = firstDeductDate({
    periodType: plan.periodType,
    signingDate: today,
    firstChargeDelayDays: plan.firstChargeDelayDays,
  });
  const firstFollowUp = deps.config.followUpScheduleSeconds[0] ?? 60;

  const values: NewAgreement = {
    id: randomUUID(),
    externalAgreementNo: newExternalAgreementNo(today),
    customerId: input.customerId,
    planId: plan.id,
    alipayUserId: customer?.alipayUserId ?? null,
    alipayOpenId: customer?.alipayOpenId ?? null,
    productCode: plan.productCode,
    personalProductCode: plan.personalProductCode,
    signScene: plan.signScene,
    effectType: plan.effectType,
    periodType: plan.periodType,
    period: plan.period,
    executeTime: calendarDateToUtcMidnight(executeTime),
    singleAmount: plan.singleAmount,
    totalAmount: plan.totalAmount,
    totalPayments: plan.totalPayments,
    nextFollowUpAt: new Date(now.getTime() + firstFollowUp * 1000),
  };
  const signStr = await alipay.buildPaySignStr(pageSignBizContent(values, plan));

  let agreement: Agreement;
  try {
    // One transaction under the customer's lock: the live and PENDING rules are checked again, then the agreement,
    // its first event and the idempotency row commit together.
    const inserted = await insertAgreementForCustomer(deps.db, {
      liveStatuses: SIGNED_AGREEMENT_STATUSES,
      maxPending: deps.config.maxPendingAgreementsPerCustomer,
      agreement: values,
      event: { source: "CUSTOMER", reason: "sign string issued" },
      idempotency: input.idempotencyKey
        ? {
            scope,
            key: input.idempotencyKey,
            requestHash: hash,
            responseStatus: 201,
            responseBody: { agreementId: values.id, signStr },
          }
        : undefined,
    });
    if (inserted.kind === "live") return { live: inserted.agreement };
    if (inserted.kind === "too-many-pending") throw tooManyPending(inserted.pending);
    agreement = inserted.agreement;
  } catch (error) {
    // A concurrent request with the same key committed first: answer what it answered.
    if (input.idempotencyKey && isUniqueViolation(error, "IdempotencyKey_scope_key_key")) {
      const replay = await replayIdempotent(deps, { scope, key: input.idempotencyKey, hash });
      if (replay) return replay;
    }
    throw error;
  }
  deps.logger.info({ agreementId: agreement.id, planId: plan.id }, "agreement created, sign string issued");
  return { agreement, signStr };
}

/**
 * Each PENDING agreement costs agreement.query calls (the follow-up), so one customer holds at most
 * MAX_PENDING_AGREEMENTS_PER_CUSTOMER at once; they end as signed, FAILED or ABANDONED. Checked on the first read
 * and again under the customer's lock, so concurrent requests never pass it together.
 */
function refuseTooManyPending(deps: ServiceDeps, pending: number): void {
  const cap = deps.config.maxPendingAgreementsPerCustomer;
  if (pending < cap) return;
  throw tooManyPending(pending);
}

function tooManyPending(pending: number): AppError {
  return new AppError(
    "CONFLICT",
    `You already have ${pending} unfinished subscriptions; finish signing one of them or wait until they expire.`,
  );
}

async function replayIdempotent(
  deps: ServiceDeps,
  request: { scope: string; key: string; hash: string },
): Promise<CreatedAgreement | undefined> {
  const { scope, key, hash } = request;
  const stored = await findIdempotencyKey(deps.db.prisma, { scope, key });
  if (!stored) return undefined;
  if (stored.requestHash !== hash) {
    throw new AppError(
      "IDEMPOTENCY_MISMATCH",
      "This Idempotency-Key was already used with a different request; use a new key for a new request.",
    );
  }
  const body = stored.responseBody as { agreementId: string; signStr: string };
  const agreement = await getAgreementById(deps.db.prisma, body.agreementId);
  return { agreement, signStr: body.signStr };
}
