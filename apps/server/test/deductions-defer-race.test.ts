import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { AlipayClient } from "../src/alipay/alipay-client.ts";
import { runCharge } from "../src/deductions/charge-engine.ts";
import { deferAgreement } from "../src/deductions/defer.ts";
import { unsignAgreement } from "../src/services/agreement-actions.ts";
import {
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  sandboxDeductDate,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { injectFault } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

// An operator moves D while the scheduler charges the same period, and while the customer unsigns. The order of
// events is fixed by a hook on the real Alipay client: `step` runs right before the request of `method` leaves, or
// right after Alipay answered it and before the caller sees the answer, so the other actor acts exactly between one
// actor's write under the lock and its Alipay call, or between that call and its next write.
// Plan: monthly, first charge 7 days after signing on 05-01 (D = 2028-05-08).
const modify = "alipay.user.agreement.executionplan.modify";

function hookedAlipay(
  stack: Stack,
  hook: { method: string; when: "before" | "after"; step: () => Promise<unknown> },
): AlipayClient {
  return {
    ...stack.alipay,
    call: async (method, biz) => {
      if (method === hook.method && hook.when === "before") await hook.step();
      const answer = await stack.alipay.call(method, biz);
      if (method === hook.method && hook.when === "after") await hook.step();
      return answer;
    },
  };
}

let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack();
  planId = await createPlan(stack, monthlyAfterAWeek);
});
afterAll(async () => {
  await stack.close();
});

async function signedOnTheFirst() {
  await setClock(stack, shanghai("2028-05-01", "09:00:00"));
  return signActiveAgreement(stack, { planId });
}

const localDate = async (agreementId: string) => (await agreementDetail(stack, agreementId)).nextDeductDate;

describe("defer racing a charge of the same period", () => {
  test("a charge of D that starts while the defer is at Alipay waits: D ends equal to Alipay's, no period past due", async () => {
    const agreement = await signedOnTheFirst();
    await setClock(stack, shanghai("2028-05-08", "10:00:00"));
    const alipay = hookedAlipay(stack, {
      method: modify,
      when: "after",
      step: () => runCharge(stack.deps, { agreementId: agreement.agreementId, dueDate: "2028-05-08" }),
    });

    await deferAgreement({ ...stack.deps, alipay }, { agreementId: agreement.agreementId, deductDate: "2028-05-09" });

    expect(await localDate(agreement.agreementId)).toBe(await sandboxDeductDate(stack, agreement.agreementNo));
    for (const day of ["2028-05-09", "2028-05-10", "2028-05-11"]) {
      await setClock(stack, shanghai(day));
      await runScheduler(stack);
    }
    const detail = await agreementDetail(stack, agreement.agreementId);
    expect(detail.charges.filter((charge) => charge.status === "PAST_DUE")).toEqual([]);
    expect(detail.paymentsCount).toBe(1);
    expect(detail.nextDeductDate).toBe(await sandboxDeductDate(stack, agreement.agreementNo));
  });

  test("a defer asked while the charge of D is at Alipay is refused, and D follows the paid charge", async () => {
    const agreement = await signedOnTheFirst();
    await setClock(stack, shanghai("2028-05-08", "10:00:00"));
    const deferOutcomes: string[] = [];
    const alipay = hookedAlipay(stack, {
      method: "alipay.trade.pay",
      when: "before",
      step: () =>
        deferAgreement(stack.deps, { agreementId: agreement.agreementId, deductDate: "2028-05-09" }).then(
          () => deferOutcomes.push("deferred"),
          (error: unknown) => deferOutcomes.push(String((error as { code?: unknown }).code)),
        ),
    });

    await runCharge({ ...stack.deps, alipay }, { agreementId: agreement.agreementId, dueDate: "2028-05-08" });

    expect(deferOutcomes).toEqual(["CONFLICT"]);
    const detail = await agreementDetail(stack, agreement.agreementId);
    expect(detail.charges.map((charge) => charge.status)).toEqual(["SUCCEEDED"]);
    expect(detail.nextDeductDate).toBe("2028-06-08");
    expect(await sandboxDeductDate(stack, agreement.agreementNo)).toBe("2028-06-08");
  });

  test("an unsign while the defer is at Alipay wins: the defer answers 409 and writes nothing", async () => {
    const agreement = await signedOnTheFirst();
    await setClock(stack, shanghai("2028-05-06", "10:00:00"));
    const alipay = hookedAlipay(stack, {
      method: modify,
      when: "after",
      step: () => unsignAgreement(stack.deps, { agreementId: agreement.agreementId, source: "ADMIN" }),
    });

    const deferred = deferAgreement(
      { ...stack.deps, alipay },
      { agreementId: agreement.agreementId, deductDate: "2028-05-09" },
    );

    await expect(deferred).rejects.toMatchObject({ code: "CONFLICT" });
    const detail = await agreementDetail(stack, agreement.agreementId);
    expect(detail.status).toBe("UNSIGNED");
    expect(detail.nextDeductDate).toBe("2028-05-08");
    const moved = await stack.database.db.prisma.agreementEvent.count({
      where: { agreementId: agreement.agreementId, reason: { startsWith: "deduction date moved" } },
    });
    expect(moved).toBe(0);
  });

  test("a defer whose outcome stayed unknown holds the period until Alipay's date is known, then D follows it", async () => {
    const agreement = await signedOnTheFirst();
    await setClock(stack, shanghai("2028-05-06", "10:00:00"));
    await injectFault(stack, { method: modify, mode: "system-error", applied: true });
    await injectFault(stack, { method: "alipay.user.agreement.query", mode: "system-error" });
    await expect(
      deferAgreement(stack.deps, { agreementId: agreement.agreementId, deductDate: "2028-05-20" }),
    ).rejects.toMatchObject({ code: "ALIPAY_UNAVAILABLE" });

    await runCharge(stack.deps, { agreementId: agreement.agreementId, dueDate: "2028-05-08" });

    const detail = await agreementDetail(stack, agreement.agreementId);
    expect(detail.nextDeductDate).toBe("2028-05-20");
    expect(await sandboxDeductDate(stack, agreement.agreementNo)).toBe("2028-05-20");
    expect(detail.charges.map((charge) => [charge.dueDate, charge.status, charge.failureCode])).toEqual([
      ["2028-05-08", "FAILED", "DEFERRED"],
    ]);
    expect(detail.charges[0]?.attempts).toEqual([]);
  });
});
