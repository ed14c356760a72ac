import { randomUUID } from "node:crypto";
import { findPeriodRuleIssues, yuanToFen, type CreatePlanBody, type UpdatePlanBody } from "@paysign/contracts";
import { AppError, notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { findPlanById, findPlans, insertPlan, updatePlanById } from "../repositories/plans.ts";
import type { PlanRow } from "../repositories/rows.ts";
import type { ServiceDeps } from "./deps.ts";

const decimal = (yuan: string | null | undefined) =>
  yuan === undefined || yuan === null ? yuan : new Prisma.Decimal(yuan);

/** Every plan for operators; only the ones on offer for customers. */
export function listPlans(deps: ServiceDeps, options: { activeOnly: boolean }): Promise<PlanRow[]> {
  return findPlans(deps.db.prisma, options);
}

export async function createPlan(deps: ServiceDeps, body: CreatePlanBody): Promise<PlanRow> {
  const plan = await insertPlan(deps.db.prisma, {
    id: randomUUID(),
    name: body.name,
    description: body.description ?? "",
    productCode: body.productCode,
    personalProductCode: body.personalProductCode ?? "CYCLE_PAY_AUTH_P",
    signScene: body.signScene,
    periodType: body.periodType,
    period: body.period,
    singleAmount: new Prisma.Decimal(body.singleAmount),
    totalAmount: decimal(body.totalAmount) ?? null,
    totalPayments: body.totalPayments ?? null,
    firstChargeDelayDays: body.firstChargeDelayDays ?? 0,
    effectType: body.effectType ?? "DIRECT",
    signValidityPeriod: body.signValidityPeriod ?? null,
    active: body.active ?? true,
  });
  deps.logger.info({ planId: plan.id }, "plan created");
  return plan;
}

/**
 * A partial update merged with the stored plan; the merged period rule must still be one Alipay accepts. Agreements
 * already signed keep the terms they were signed with.
 */
export async function updatePlan(deps: ServiceDeps, id: string, body: UpdatePlanBody): Promise<PlanRow> {
  const current = await findPlanById(deps.db.prisma, id);
  if (!current) throw notFound("Plan");
  const merged = {
    periodType: body.periodType ?? current.periodType,
    period: body.period ?? current.period,
    singleAmount: body.singleAmount ?? current.singleAmount.toFixed(2),
    totalAmount: body.totalAmount === undefined ? (current.totalAmount?.toFixed(2) ?? null) : body.totalAmount,
    totalPayments: body.totalPayments === undefined ? current.totalPayments : body.totalPayments,
  };
  const issues = findPeriodRuleIssues({
    periodType: merged.periodType,
    period: merged.period,
    singleAmountFen: yuanToFen(merged.singleAmount),
    totalAmountFen: merged.totalAmount === null ? null : yuanToFen(merged.totalAmount),
    totalPayments: merged.totalPayments,
  });
  if (issues.length > 0) {
    throw new AppError("BAD_REQUEST", `The plan would break Alipay's rules: ${issues[0]?.message}.`, issues);
  }
  const plan = await updatePlanById(deps.db.prisma, id, {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.description === undefined ? {} : { description: body.description }),
    ...(body.productCode === undefined ? {} : { productCode: body.productCode }),
    ...(body.signScene === undefined ? {} : { signScene: body.signScene }),
    ...(body.firstChargeDelayDays === undefined ? {} : { firstChargeDelayDays: body.firstChargeDelayDays }),
    ...(body.effectType === undefined ? {} : { effectType: body.effectType }),
    ...(body.signValidityPeriod === undefined ? {} : { signValidityPeriod: body.signValidityPeriod }),
    ...(body.active === undefined ? {} : { active: body.active }),
    periodType: merged.periodType,
    period: merged.period,
    singleAmount: new Prisma.Decimal(merged.singleAmount),
    totalAmount: decimal(merged.totalAmount) ?? null,
    totalPayments: merged.totalPayments,
  });
  deps.logger.info({ planId: plan.id, active: plan.active }, "plan updated");
  return plan;
}
