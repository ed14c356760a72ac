import { randomUUID } from "node:crypto";
import {
  adminCreatePlan,
  adminEffectAgreement,
  adminGetAgreement,
  adminListAgreements,
  adminListPlans,
  adminSyncAgreement,
  adminUnsignAgreement,
  adminUpdatePlan,
  DEFAULT_PAGE_LIMIT,
  findPeriodRuleIssues,
  yuanToFen,
} from "@paysign/contracts";
import { Router } from "express";
import { AppError, notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import { effectAgreement, unsignAgreement } from "../services/agreement-actions.ts";
import { syncAgreement } from "../services/agreement-sync.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { afterCursor, decodeCursor, encodeCursor } from "./cursor.ts";
import { presentAdminAgreement, presentAttempt, presentCharge, presentPlan } from "./presenters.ts";

const decimal = (yuan: string | null | undefined) =>
  yuan === undefined || yuan === null ? yuan : new Prisma.Decimal(yuan);

export function adminRoutes(deps: ServiceDeps, options: BindOptions): Router {
  const router = Router();
  const { db } = deps;

  bindRoute(
    router,
    adminCreatePlan,
    options,
  )(async ({ body }) => {
    const plan = await db.prisma.plan.create({
      data: {
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
      },
    });
    deps.logger.info({ planId: plan.id }, "plan created");
    return { status: 201, body: presentPlan(plan) };
  });

  bindRoute(
    router,
    adminListPlans,
    options,
  )(async () => {
    const plans = await db.prisma.plan.findMany({ orderBy: { createdAt: "asc" } });
    return { status: 200, body: { items: plans.map(presentPlan) } };
  });

  bindRoute(
    router,
    adminUpdatePlan,
    options,
  )(async ({ params, body }) => {
    const current = await db.prisma.plan.findUnique({ where: { id: params.id } });
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
    const plan = await db.prisma.plan.update({
      where: { id: params.id },
      data: {
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
      },
    });
    deps.logger.info({ planId: plan.id, active: plan.active }, "plan updated");
    return { status: 200, body: presentPlan(plan) };
  });

  bindRoute(
    router,
    adminListAgreements,
    options,
  )(async ({ query }) => {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await db.prisma.agreement.findMany({
      where: {
        ...(query.status ? { status: query.status } : {}),
        ...(query.customerId ? { customerId: query.customerId } : {}),
        ...(query.planId ? { planId: query.planId } : {}),
        ...afterCursor(decodeCursor(query.cursor)),
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      status: 200,
      body: {
        items: page.map(presentAdminAgreement),
        nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
      },
    };
  });

  bindRoute(
    router,
    adminGetAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await db.prisma.agreement.findUnique({
      where: { id: params.id },
      include: {
        charges: { orderBy: { dueDate: "desc" }, include: { attempts: { orderBy: { requestedAt: "desc" } } } },
        events: { orderBy: { createdAt: "asc" } },
      },
    });
    if (!agreement) throw notFound("Agreement");
    return {
      status: 200,
      body: {
        ...presentAdminAgreement(agreement),
        charges: agreement.charges.map((charge) => ({
          ...presentCharge(charge),
          attempts: charge.attempts.map(presentAttempt),
        })),
        events: agreement.events.map((event) => ({
          id: event.id,
          agreementId: event.agreementId,
          fromStatus: event.fromStatus,
          toStatus: event.toStatus,
          source: event.source as "ADMIN",
          reason: event.reason,
          createdAt: event.createdAt.toISOString(),
          raw: event.raw ?? null,
        })),
      },
    };
  });

  bindRoute(
    router,
    adminEffectAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await effectAgreement(deps, params.id);
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  bindRoute(
    router,
    adminSyncAgreement,
    options,
  )(async ({ params }) => {
    const exists = await db.prisma.agreement.findUnique({ where: { id: params.id }, select: { id: true } });
    if (!exists) throw notFound("Agreement");
    const { agreement, answer } = await syncAgreement(deps, params.id, { source: "ADMIN" });
    if (answer.kind === "unknown")
      throw new AppError("ALIPAY_UNAVAILABLE", `Alipay did not answer the query: ${answer.reason}`);
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  bindRoute(
    router,
    adminUnsignAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await unsignAgreement(deps, { agreementId: params.id, source: "ADMIN" });
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  return router;
}
