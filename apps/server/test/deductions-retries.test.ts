import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  admin,
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  sandboxDeductDate,
  sandboxTrades,
  setBalance,
  setClock,
  shanghai,
  signActiveAgreement,
  waitFor,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Retries inside the window [D−5, D] (first attempt on D−3, then 6h, 1d, 1d, 1d, never past D), a missed window,
// defer, and a user's unsign between periods. Plan: monthly, first charge 7 days after signing, so D = 2028-03-08
// for an agreement signed on 2028-03-01.
let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({ env: { DEDUCTION_LEAD_DAYS: "3", DEDUCTION_RETRY_SCHEDULE: "6h,1d,1d,1d" } });
  planId = await createPlan(stack, monthlyAfterAWeek);
});
afterAll(async () => {
  await stack.close();
});

async function signOn(day: string, balance: string) {
  await setClock(stack, shanghai(day, "09:00:00"));
  return signActiveAgreement(stack, { planId, balance });
}

/** Ticks at 10:00 and 16:30 Shanghai on each day (a retry 6 h after 10:00 is due by 16:30). */
async function tickDays(days: string[]) {
  for (const day of days) {
    for (const time of ["10:00:00", "16:30:00"]) {
      await setClock(stack, shanghai(day, time));
      await runScheduler(stack);
    }
  }
}

describe("retries inside the window", () => {
  test("balance too low on the first attempt, restored before D: charged once, on a retry inside the window", async () => {
    const agreement = await signOn("2028-03-01", "1.00");
    expect(agreement.executeTime).toBe("2028-03-08");
    await tickDays(["2028-03-04", "2028-03-05"]);
    await setBalance(stack, agreement.userId, "100.00");
    await tickDays(["2028-03-06", "2028-03-07", "2028-03-08", "2028-03-09"]);

    const detail = await agreementDetail(stack, agreement.agreementId);
    const charge = defined(
      detail.charges.find((c) => c.dueDate === "2028-03-08"),
      "the charge due 2028-03-08",
    );
    expect(charge.status).toBe("SUCCEEDED");
    const attempts = [
      ...(charge.attempts as Array<{ status: string; subCode: string | null; requestedAt: string }>),
    ].reverse();
    expect(attempts.map((a) => `${a.status} ${a.subCode ?? ""}`.trim())).toEqual([
      "FAILED ACQ.BUYER_BALANCE_NOT_ENOUGH",
      "FAILED ACQ.BUYER_BALANCE_NOT_ENOUGH",
      "SUCCEEDED",
    ]);
    const trades = (await sandboxTrades(stack)).filter((t) => t.agreement_no === agreement.agreementNo);
    expect(trades.map((t) => t.trade_no)).toEqual([charge.tradeNo]);
    expect(detail.nextDeductDate).toBe("2028-04-08");
    console.log(
      `restored balance: attempts ${attempts.map((a) => `${a.status}@${String(a.requestedAt).slice(5, 16)}Z`).join(", ")}; ` +
        `${trades.length} sandbox trade; next D ${detail.nextDeductDate}`,
    );
  });

  test("never restored: PAST_DUE with no charge; defer then charges at the new date and the schedule follows it", async () => {
    const agreement = await signOn("2028-03-01", "1.00");
    await tickDays(["2028-03-04", "2028-03-05", "2028-03-06", "2028-03-07", "2028-03-08", "2028-03-09"]);

    let detail = await agreementDetail(stack, agreement.agreementId);
    const missed = defined(
      detail.charges.find((c) => c.dueDate === "2028-03-08"),
      "the charge due 2028-03-08",
    );
    expect(missed.status).toBe("PAST_DUE");
    expect(missed.attempts.every((a) => a.status === "FAILED")).toBe(true);
    expect(missed.attempts.length).toBe(5);
    expect(detail.nextDeductDate).toBe("2028-03-08");
    expect((await sandboxTrades(stack)).filter((t) => t.agreement_no === agreement.agreementNo)).toEqual([]);

    const path = `/admin/v1/agreements/${agreement.agreementId}/defer`;
    expect((await admin(stack, path, { deductDate: "2028-03-29" })).status).toBe(400);
    expect((await admin(stack, path, { deductDate: "2028-03-07" })).status).toBe(400);
    const deferred = await admin(stack, path, { deductDate: "2028-03-20", memo: "customer topped up" });
    expect(deferred.status).toBe(200);
    expect((deferred.body.agreement as { nextDeductDate: string }).nextDeductDate).toBe("2028-03-20");
    const history = await stack.database.db.prisma.agreementEvent.findMany({
      where: { agreementId: agreement.agreementId },
    });
    expect(history.at(-1)).toMatchObject({
      fromStatus: "ACTIVE",
      toStatus: "ACTIVE",
      source: "ADMIN",
      reason: "deduction date moved from 2028-03-08 to 2028-03-20",
    });

    await setBalance(stack, agreement.userId, "100.00");
    await tickDays(["2028-03-16", "2028-03-17", "2028-03-18"]);
    detail = await agreementDetail(stack, agreement.agreementId);
    const resumed = defined(
      detail.charges.find((c) => c.dueDate === "2028-03-20"),
      "the charge due 2028-03-20",
    );
    expect(resumed.status).toBe("SUCCEEDED");
    expect(resumed.attempts.length).toBe(1);
    expect(detail.nextDeductDate).toBe("2028-04-20");
    const trades = (await sandboxTrades(stack)).filter((t) => t.agreement_no === agreement.agreementNo);
    expect(trades.map((t) => t.trade_no)).toEqual([resumed.tradeNo]);
    const alipayDate = await sandboxDeductDate(stack, agreement.agreementNo);
    expect(alipayDate).toBe("2028-04-20");
    console.log(
      `never restored: ${missed.attempts.length} failed attempts → ${missed.status}, 0 trades; ` +
        `deferred to 2028-03-20 → ${resumed.status} (1 trade), next D ${detail.nextDeductDate} (sandbox ${alipayDate})`,
    );
  });

  test("charge now refuses before the window and charges inside it, once", async () => {
    const agreement = await signOn("2028-05-01", "100.00");
    await setClock(stack, shanghai("2028-05-02"));
    const early = await admin(stack, `/admin/v1/agreements/${agreement.agreementId}/charges`, {});
    expect(early.status).toBe(409);
    await setClock(stack, shanghai("2028-05-04"));
    const now = await admin(stack, `/admin/v1/agreements/${agreement.agreementId}/charges`, {});
    expect(now.status).toBe(200);
    expect(now.body.charge).toMatchObject({ dueDate: "2028-05-08", status: "SUCCEEDED" });
    const again = await admin(stack, `/admin/v1/agreements/${agreement.agreementId}/charges`, {});
    expect(again.status).toBe(409);
    const trades = (await sandboxTrades(stack)).filter((t) => t.agreement_no === agreement.agreementNo);
    expect(trades).toHaveLength(1);
    const listed = await admin(stack, `/admin/v1/charges?agreementId=${agreement.agreementId}&status=SUCCEEDED`);
    expect((listed.body.items as unknown[]).length).toBe(1);
  });
});

describe("unsign between periods", () => {
  test("a user unsign in the sandbox: the agreement is UNSIGNED and no further attempts are made", async () => {
    const agreement = await signOn("2028-06-01", "100.00");
    await tickDays(["2028-06-05"]);
    expect((await agreementDetail(stack, agreement.agreementId)).charges[0]?.status).toBe("SUCCEEDED");

    await setClock(stack, shanghai("2028-06-20"));
    await stack.control.unsignAgreement(agreement.agreementNo);
    await waitFor(
      () => agreementDetail(stack, agreement.agreementId),
      (detail) => detail.status === "UNSIGNED",
    );
    await tickDays(["2028-07-04", "2028-07-05", "2028-07-06", "2028-07-07", "2028-07-08", "2028-07-09"]);
    const detail = await agreementDetail(stack, agreement.agreementId);
    expect(detail.status).toBe("UNSIGNED");
    expect(detail.charges.map((c) => `${c.dueDate} ${c.status} ${c.attempts.length}`)).toEqual([
      "2028-06-08 SUCCEEDED 1",
    ]);
  });
});
