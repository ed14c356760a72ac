import type { Database } from "./prisma.ts";
import { Prisma } from "../generated/prisma/client.ts";

/** Demo plans for development and the demo; fixed ids so seeding twice changes nothing. */
const demoPlans = [
  {
    id: "6f1c4a52-0d3b-4c1e-9a53-000000000001",
    name: "Monthly membership",
    description: "19.90 yuan every month, first charge on the day of signing.",
    productCode: "GENERAL_WITHHOLDING",
    personalProductCode: "CYCLE_PAY_AUTH_P",
    signScene: "INDUSTRY|DIGITAL_MEDIA",
    periodType: "MONTH",
    period: 1,
    singleAmount: new Prisma.Decimal("19.90"),
    totalAmount: null,
    totalPayments: null,
    firstChargeDelayDays: 0,
    effectType: "DIRECT",
  },
  {
    id: "6f1c4a52-0d3b-4c1e-9a53-000000000002",
    name: "Weekly box, four deliveries",
    description: "9.90 yuan every 7 days, four payments in all.",
    productCode: "GENERAL_WITHHOLDING",
    personalProductCode: "CYCLE_PAY_AUTH_P",
    signScene: "INDUSTRY|DIGITAL_MEDIA",
    periodType: "DAY",
    period: 7,
    singleAmount: new Prisma.Decimal("9.90"),
    totalAmount: new Prisma.Decimal("39.60"),
    totalPayments: 4,
    firstChargeDelayDays: 0,
    effectType: "DIRECT",
  },
  {
    id: "6f1c4a52-0d3b-4c1e-9a53-000000000003",
    name: "Monthly, activated by the merchant",
    description: "29.00 yuan every month; the agreement takes effect when the merchant confirms it (NOTICE).",
    productCode: "GENERAL_WITHHOLDING",
    personalProductCode: "CYCLE_PAY_AUTH_P",
    signScene: "INDUSTRY|DIGITAL_MEDIA",
    periodType: "MONTH",
    period: 1,
    singleAmount: new Prisma.Decimal("29.00"),
    totalAmount: null,
    totalPayments: null,
    firstChargeDelayDays: 0,
    effectType: "NOTICE",
  },
] satisfies Prisma.PlanCreateInput[];

export async function seedDemoPlans(db: Database): Promise<number> {
  for (const plan of demoPlans) {
    await db.prisma.plan.upsert({ where: { id: plan.id }, create: plan, update: {} });
  }
  return demoPlans.length;
}
