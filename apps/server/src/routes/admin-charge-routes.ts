import {
  adminChargeAgreement,
  adminDeferAgreement,
  adminListCharges,
  adminRunScheduler,
  calendarDateToUtcMidnight,
  compareCalendarDates,
  deductWindowPosition,
  DEFAULT_PAGE_LIMIT,
  isCalendarDate,
  shanghaiDateOf,
  addDays,
  calendarDateFromUtcMidnight,
} from "@paysign/contracts";
import { Router } from "express";
import { runCharge } from "../deductions/charge-engine.ts";
import { deferAgreement } from "../deductions/defer.ts";
import { runSchedulerTick, type DeductionQueue } from "../deductions/scheduler.ts";
import { AppError, notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { presentAdminAgreement, presentCharge } from "./presenters.ts";

export type ChargeRouteDeps = ServiceDeps & { queue?: DeductionQueue | undefined };

const latestAttempt = { orderBy: [{ requestedAt: "desc" as const }, { outTradeNo: "desc" as const }], take: 1 };

/** Charges, defer and the scheduler for operators (product.md §7, §8). */
export function adminChargeRoutes(deps: ChargeRouteDeps, options: BindOptions): Router {
  const router = Router();
  const { db } = deps;

  bindRoute(
    router,
    adminChargeAgreement,
    options,
  )(async ({ params }) => {
    const agreement = await db.prisma.agreement.findUnique({ where: { id: params.id } });
    if (!agreement) throw notFound("Agreement");
    if (agreement.status !== "ACTIVE" || !agreement.nextDeductDate) {
      throw new AppError("CONFLICT", `The agreement is ${agreement.status}; only an active agreement is charged.`);
    }
    const dueDate = calendarDateFromUtcMidnight(agreement.nextDeductDate);
    const today = shanghaiDateOf(await deps.clock.now());
    const windowDays = deps.config.deductions.windowDays;
    const position = deductWindowPosition({ today, deductDate: dueDate, windowDays });
    if (position === "BEFORE") {
      throw new AppError(
        "CONFLICT",
        `The window for ${dueDate} opens on ${addDays(dueDate, -windowDays)}; Alipay refuses earlier deductions.`,
      );
    }
    const charge = await runCharge(deps, { agreementId: agreement.id, dueDate }, { force: true });
    if (position === "MISSED") {
      throw new AppError(
        "CONFLICT",
        `The window for ${dueDate} has passed; move the date with POST /admin/v1/agreements/${agreement.id}/defer.`,
      );
    }
    if (!charge) {
      throw new AppError("CONFLICT", `Nothing is left to charge on this agreement (payments or total used up).`);
    }
    const withAttempt = await db.prisma.charge.findUniqueOrThrow({
      where: { id: charge.id },
      include: { attempts: latestAttempt },
    });
    return { status: 200, body: { charge: presentCharge(withAttempt) } };
  });

  bindRoute(
    router,
    adminDeferAgreement,
    options,
  )(async ({ params, body }) => {
    const agreement = await deferAgreement(deps, {
      agreementId: params.id,
      deductDate: body.deductDate,
      memo: body.memo,
    });
    return { status: 200, body: { agreement: presentAdminAgreement(agreement) } };
  });

  bindRoute(
    router,
    adminRunScheduler,
    options,
  )(async ({ body }) => {
    const result = await runSchedulerTick(deps, { queue: deps.queue, wait: body.wait ?? false });
    return { status: 200, body: result };
  });

  bindRoute(
    router,
    adminListCharges,
    options,
  )(async ({ query }) => {
    if (query.dueFrom && query.dueTo && compareCalendarDates(query.dueFrom, query.dueTo) > 0) {
      throw new AppError("BAD_REQUEST", "dueFrom must not be after dueTo.");
    }
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = decodeChargeCursor(query.cursor);
    const where: Prisma.ChargeWhereInput = {
      ...(query.status ? { status: query.status } : {}),
      ...(query.agreementId ? { agreementId: query.agreementId } : {}),
      AND: [
        query.dueFrom ? { dueDate: { gte: calendarDateToUtcMidnight(query.dueFrom) } } : {},
        query.dueTo ? { dueDate: { lte: calendarDateToUtcMidnight(query.dueTo) } } : {},
        cursor
          ? {
              OR: [
                { dueDate: { lt: calendarDateToUtcMidnight(cursor.dueDate) } },
                { dueDate: calendarDateToUtcMidnight(cursor.dueDate), id: { lt: cursor.id } },
              ],
            }
          : {},
      ],
    };
    const rows = await db.prisma.charge.findMany({
      where,
      include: { attempts: latestAttempt },
      orderBy: [{ dueDate: "desc" }, { id: "desc" }],
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      status: 200,
      body: {
        items: page.map(presentCharge),
        nextCursor:
          rows.length > limit && last ? encodeChargeCursor(calendarDateFromUtcMidnight(last.dueDate), last.id) : null,
      },
    };
  });

  return router;
}

/** Opaque keyset cursor over (dueDate, id), latest due date first. */
function encodeChargeCursor(dueDate: string, id: string): string {
  return Buffer.from(`${dueDate}|${id}`).toString("base64url");
}

function decodeChargeCursor(text: string | undefined): { dueDate: string; id: string } | undefined {
  if (text === undefined) return undefined;
  const [dueDate = "", id = ""] = Buffer.from(text, "base64url").toString().split("|");
  if (!isCalendarDate(dueDate) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new AppError("BAD_REQUEST", "The cursor is not one this API gave out; start again without it.");
  }
  return { dueDate, id };
}
