import { randomUUID } from "node:crypto";
import { CHARGE_STATUSES, calendarDateToUtcMidnight, type ChargeStatus } from "@paysign/contracts";
import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findDuePeriods, findUnsettledCharges } from "../src/repositories/deductions-due.ts";
import { unsignAgreement } from "../src/services/agreement-actions.ts";
import {
  admin,
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// No charge may end in a state that no scheduler run and no list ever looks at again: every status is either
// revisited by the scheduler's queries, or final and listed by status with its reason (the trade, or the failure
// code). Plan: monthly, first charge 7 days after signing on 05-01 (D = 2028-05-08), first attempt on 05-05.
let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({ env: { DEDUCTION_LEAD_DAYS: "3", DEDUCTION_RETRY_SCHEDULE: "6h,1d" } });
  planId = await createPlan(stack, monthlyAfterAWeek);
});
afterAll(async () => {
  await stack.close();
});

async function signedOnTheFirst(balance = "1000.00") {
  await setClock(stack, shanghai("2028-05-01", "09:00:00"));
  return signActiveAgreement(stack, { planId, balance });
}

const coverage = {
  PENDING: "scheduler",
  PROCESSING: "scheduler",
  UNKNOWN: "scheduler",
  SUCCEEDED: "listed-with-reason",
  FAILED: "listed-with-reason",
  PAST_DUE: "listed-with-reason",
} as const satisfies Record<ChargeStatus, "scheduler" | "listed-with-reason">;

describe("every charge status is looked at again", () => {
  test("a PENDING charge of an agreement that stopped is closed by the next tick with the reason", async () => {
    const agreement = await signedOnTheFirst("1.00");
    await setClock(stack, shanghai("2028-05-05", "10:00:00"));
    await runScheduler(stack);
    expect((await agreementDetail(stack, agreement.agreementId)).charges.map((c) => c.status)).toEqual(["PENDING"]);
    await unsignAgreement(stack.deps, { agreementId: agreement.agreementId, source: "ADMIN" });

    await setClock(stack, shanghai("2028-05-05", "17:00:00"));
    await runScheduler(stack);

    const detail = await agreementDetail(stack, agreement.agreementId);
    expect(detail.charges.map((c) => [c.status, c.failureCode])).toEqual([["FAILED", "AGREEMENT_UNSIGNED"]]);
  });

  test.each(CHARGE_STATUSES.map((status) => [status, coverage[status]] as const))("%s is %s", async (status, how) => {
    const agreement = await signedOnTheFirst();
    const prisma = stack.database.db.prisma;
    const charge = await prisma.charge.create({
      data: {
        id: randomUUID(),
        agreementId: agreement.agreementId,
        dueDate: calendarDateToUtcMidnight("2028-05-08"),
        amount: "19.90",
        status,
        nextAttemptAt: new Date(shanghai("2028-05-05")),
        ...(status === "SUCCEEDED" ? { tradeNo: `2028050822001${Date.now()}`, paidAt: new Date() } : {}),
        ...(status === "FAILED" || status === "PAST_DUE" ? { failureCode: "ACQ.BEYOND_PAY_RESTRICTION" } : {}),
      },
    });
    if (status === "PROCESSING" || status === "UNKNOWN") {
      await prisma.chargeAttempt.create({
        data: {
          id: randomUUID(),
          chargeId: charge.id,
          outTradeNo: `PS20280508_${charge.id.replaceAll("-", "")}_1`,
          status,
          requestedAt: new Date(shanghai("2028-05-05")),
          inFlightUntil: new Date(Date.now() - 1_000),
        },
      });
    }
    const now = new Date(shanghai("2028-05-09"));
    const due = await findDuePeriods(prisma, { now, today: "2028-05-09", horizon: "2028-05-12", limit: 1_000 });
    const unsettled = await findUnsettledCharges(prisma, { now, limit: 1_000 });
    const scheduled =
      due.some((row) => row.agreementId === agreement.agreementId) ||
      unsettled.some((row) => row.chargeId === charge.id);
    const listed = await admin(stack, `/admin/v1/charges?status=${status}&agreementId=${agreement.agreementId}`);
    const item = defined(
      (listed.body.items as Array<{ id: string; tradeNo: string | null; failureCode: string | null }>)[0],
      "the listed charge",
    );
    expect(item.id).toBe(charge.id);

    if (how === "scheduler") expect(scheduled).toBe(true);
    else expect(item.tradeNo ?? item.failureCode).not.toBeNull();
  });
});
