import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  agreementDetail,
  createPlan,
  runScheduler,
  sandboxTrades,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// An agreement signed for 20 days (sign_validity_period "20d"): the first period is charged, then Alipay lets the
// agreement lapse without a notification (docs/alipay-protocol.md §10.1, §11.11) and refuses the next deduction with
// ACQ.AGREEMENT_INVALID — the agreement is EXPIRED and nothing more is tried.
let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({ env: { DEDUCTION_LEAD_DAYS: "3" } });
  planId = await createPlan(stack, {
    name: "Monthly, valid 20 days",
    periodType: "MONTH",
    period: 1,
    singleAmount: "19.90",
    signValidityPeriod: "20d",
  });
});
afterAll(async () => {
  await stack.close();
});

describe("an agreement that expires at Alipay", () => {
  test("the next deduction is refused as invalid: EXPIRED, one trade, no further attempt", async () => {
    await setClock(stack, shanghai("2028-03-01", "09:00:00"));
    const agreement = await signActiveAgreement(stack, { planId });
    await setClock(stack, shanghai("2028-03-01", "10:00:00"));
    await runScheduler(stack);

    for (const day of ["2028-03-29", "2028-03-30", "2028-03-31", "2028-04-01", "2028-04-02"]) {
      await setClock(stack, shanghai(day));
      await runScheduler(stack);
    }
    const detail = await agreementDetail(stack, agreement.agreementId);
    const byDate = Object.fromEntries(detail.charges.map((charge) => [charge.dueDate, charge]));
    console.info(
      `expiry: ${detail.charges.map((charge) => `${charge.dueDate} ${charge.status} ${charge.attempts.length}`).join(", ")} → ${detail.status}`,
    );
    expect(detail.status).toBe("EXPIRED");
    expect(byDate["2028-03-01"]?.status).toBe("SUCCEEDED");
    expect(byDate["2028-04-01"]).toMatchObject({ status: "FAILED", failureCode: "ACQ.AGREEMENT_INVALID" });
    expect(byDate["2028-04-01"]?.attempts).toHaveLength(1);
    const trades = (await sandboxTrades(stack)).filter((trade) => trade.agreement_no === agreement.agreementNo);
    expect(trades.filter((trade) => trade.trade_status === "TRADE_SUCCESS")).toHaveLength(1);
  });
});
