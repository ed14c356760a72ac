import type { Prisma } from "../generated/prisma/client.ts";
import type { PlanRow } from "./rows.ts";
import type { Tx } from "./transaction.ts";

/** Plans in the order they were created; only the ones on offer with `activeOnly`. */
export function findPlans(db: Tx, options: { activeOnly: boolean }): Promise<PlanRow[]> {
  return db.plan.findMany({
    ...(options.activeOnly ? { where: { active: true } } : {}),
    orderBy: { createdAt: "asc" },
  });
}

export function findPlanById(db: Tx, id: string): Promise<PlanRow | null> {
  return db.plan.findUnique({ where: { id } });
}

export function insertPlan(db: Tx, data: Prisma.PlanCreateInput): Promise<PlanRow> {
  return db.plan.create({ data });
}

export function updatePlanById(db: Tx, id: string, data: Prisma.PlanUpdateInput): Promise<PlanRow> {
  return db.plan.update({ where: { id }, data });
}
