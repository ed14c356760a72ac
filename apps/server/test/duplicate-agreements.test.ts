import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runAgreementSweep } from "../src/services/agreement-sweep.ts";
import { deliverHeld, injectFault, signIn, type Json } from "./support/customer-client.ts";
import { admin, createPlan, runScheduler, setClock, shanghai } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Product rule (README "Agreements", docs/alipay-protocol.md §17.6): a customer is never charged twice a period for
// one plan. PENDING agreements are not live, so a customer may hold several for a plan; when Alipay reports one of
// them signed while another of the same customer and plan is live, it is ABANDONED with reason DUPLICATE_OF <id>
// (its agreement number and Alipay status recorded), never charged, and the sweep unsigns it at Alipay.

let stack: Stack;
let planId: string;
beforeAll(async () => {
  stack = await startStack({ appGateway: false, env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
  planId = await createPlan(stack, {
    name: "Monthly, charged on the signing day (duplicates)",
    periodType: "MONTH",
    period: 1,
    singleAmount: "9.90",
    firstChargeDelayDays: 0,
  });
});
afterAll(async () => {
  await stack.close();
});

type Signed = { agreementId: string; agreementNo: string; resultStatus: string; result: string | undefined };

/** Two PENDING agreements of one customer for the plan, both signed in the sandbox; their dut_user_sign is held. */
async function twoSignedAgreements(date: string) {
  await setClock(stack, shanghai(date, "09:00:00"));
  await injectFault(stack, { method: "dut_user_sign", mode: "lose-notify", count: 2 });
  const customer = await signIn(stack);
  const created = [
    await customer.as("/api/v1/agreements", { planId }),
    await customer.as("/api/v1/agreements", { planId }),
  ];
  expect(created.map((answer) => answer.status)).toEqual([201, 201]);
  const signed: Signed[] = [];
  for (const answer of created) {
    const agreement = answer.body.agreement as Json;
    const center = await stack.control.signAtCenter({
      signStr: answer.body.signStr as string,
      userId: customer.userId,
      decision: "confirm",
    });
    expect(center.body.resultStatus).toBe("7000");
    const agreementNo = (await stack.control.agreements()).body.find(
      (found) => found.external_agreement_no === agreement.externalAgreementNo,
    )?.agreement_no;
    if (!agreementNo) throw new Error("the sandbox has no agreement for the signing");
    signed.push({
      agreementId: agreement.id as string,
      agreementNo,
      resultStatus: center.body.resultStatus,
      result: center.body.result,
    });
  }
  return { customer, signed };
}

const stored = (id: string) => stack.database.db.prisma.agreement.findUniqueOrThrow({ where: { id } });

/** Exactly one of the two is ACTIVE; the other is ABANDONED as its duplicate. Returns [live, duplicate]. */
async function oneLiveOneDuplicate(signed: Signed[]): Promise<[Signed, Signed]> {
  const rows = await Promise.all(signed.map((one) => stored(one.agreementId)));
  expect(rows.map((row) => row.status).sort()).toEqual(["ABANDONED", "ACTIVE"]);
  const liveIndex = rows.findIndex((row) => row.status === "ACTIVE");
  const live = signed[liveIndex] as Signed;
  const duplicate = signed[1 - liveIndex] as Signed;
  expect(await stored(duplicate.agreementId)).toMatchObject({
    status: "ABANDONED",
    agreementNo: duplicate.agreementNo,
    alipayStatus: "NORMAL",
    nextDeductDate: null,
  });
  const events = await stack.database.db.prisma.agreementEvent.findMany({
    where: { agreementId: duplicate.agreementId },
  });
  expect(events.map((event) => event.reason)).toContainEqual(
    expect.stringContaining(`DUPLICATE_OF ${live.agreementId}`),
  );
  return [live, duplicate];
}

/** One trade for the live agreement, none ever for the duplicate, which the sweep unsigns at Alipay. */
async function chargedOnceAndUnsigned(live: Signed, duplicate: Signed, customerId: string) {
  const listed = await admin(stack, `/admin/v1/agreements?status=ABANDONED&customerId=${customerId}`);
  expect((listed.body.items as Json[]).map((item) => [item.id, item.alipayStatus])).toEqual([
    [duplicate.agreementId, "NORMAL"],
  ]);
  await runScheduler(stack);
  await runAgreementSweep(stack.deps);
  await runScheduler(stack);
  const trades = (await stack.control.trades()).body;
  expect(trades.filter((trade) => trade.agreement_no === live.agreementNo)).toHaveLength(1);
  expect(trades.filter((trade) => trade.agreement_no === duplicate.agreementNo)).toEqual([]);
  const alipay = (await stack.control.agreements()).body;
  expect(alipay.find((found) => found.agreement_no === duplicate.agreementNo)?.status).toBe("UNSIGN");
  expect(alipay.find((found) => found.agreement_no === live.agreementNo)?.status).toBe("NORMAL");
  expect(await stored(duplicate.agreementId)).toMatchObject({ status: "ABANDONED", alipayStatus: null });
  expect(await stack.database.db.prisma.charge.count({ where: { agreementId: duplicate.agreementId } })).toBe(0);
  expect(await stored(live.agreementId)).toMatchObject({ status: "ACTIVE", paymentsCount: 1 });
}

describe("two PENDING agreements of one plan signed at Alipay: one is live, the other is a duplicate", () => {
  test("both dut_user_sign delivered concurrently", async () => {
    const { customer, signed } = await twoSignedAgreements("2029-05-04");
    const replies = await Promise.all(signed.map((one) => deliverHeld(stack, "dut_user_sign", one.agreementNo)));
    expect(replies).toEqual(["success", "success"]);
    const [live, duplicate] = await oneLiveOneDuplicate(signed);
    await chargedOnceAndUnsigned(live, duplicate, customer.customer.id as string);
  });

  test("both sign results reported concurrently, one verified and one confirmed by agreement.query", async () => {
    const { customer, signed } = await twoSignedAgreements("2029-06-04");
    const [first, second] = signed as [Signed, Signed];
    const answers = await Promise.all([
      customer.as(`/api/v1/agreements/${first.agreementId}/sign-result`, {
        resultStatus: first.resultStatus,
        result: first.result,
      }),
      customer.as(`/api/v1/agreements/${second.agreementId}/sign-result`, { resultStatus: second.resultStatus }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const [live, duplicate] = await oneLiveOneDuplicate(signed);
    const answerOf = (one: Signed) => answers[signed.indexOf(one)]?.body as Json;
    expect(answerOf(live)).toMatchObject({ outcome: "SIGNED", agreement: { id: live.agreementId } });
    expect(answerOf(live).liveAgreementId).toBeUndefined();
    expect(answerOf(duplicate)).toMatchObject({
      outcome: "NOT_SIGNED",
      agreement: { id: duplicate.agreementId, status: "ABANDONED" },
      liveAgreementId: live.agreementId,
    });
    await chargedOnceAndUnsigned(live, duplicate, customer.customer.id as string);
  });
});
