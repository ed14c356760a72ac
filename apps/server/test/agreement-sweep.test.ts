import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runAgreementSweep } from "../src/services/agreement-sweep.ts";
import { runDueFollowUps } from "../src/services/follow-up.ts";
import { deliverHeld, holdNextNotification, http, injectFault, signIn, type Json } from "./support/customer-client.ts";
import {
  admin,
  agreementDetail,
  createPlan,
  runScheduler,
  sandboxDeductDate,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// What Alipay holds and the server does not hear about (docs/alipay-protocol.md §17): a first deduction date already
// past when the agreement takes effect, a pause and resume in the Alipay app, a user unsign whose notification never
// arrives, an agreement signed after the follow-up gave up. The sweep (services/agreement-sweep.ts) asks Alipay.

let stack: Stack;
let sameDayPlanId: string;
let noticeSameDayPlanId: string;
beforeAll(async () => {
  stack = await startStack({ appGateway: false });
  sameDayPlanId = await createPlan(stack, {
    name: "Monthly, charged on the signing day",
    periodType: "MONTH",
    period: 1,
    singleAmount: "9.90",
    firstChargeDelayDays: 0,
  });
  noticeSameDayPlanId = await createPlan(stack, {
    name: "Monthly NOTICE, charged on the signing day",
    periodType: "MONTH",
    period: 1,
    singleAmount: "9.90",
    firstChargeDelayDays: 0,
    effectType: "NOTICE",
  });
});
afterAll(async () => {
  await stack.close();
});

const sweep = () => runAgreementSweep(stack.deps);

/** Delivers the held notification of `notifyType` for `agreementNo` unless the sandbox has delivered it already. */
async function deliverIfHeld(notifyType: string, agreementNo: string): Promise<void> {
  await stack.sandbox.settleNotifications();
  const log = (await stack.control.notifications()).body;
  const delivered = log.some(
    (entry) => entry.notifyType === notifyType && entry.params.agreement_no === agreementNo && entry.delivered,
  );
  if (!delivered) expect(await deliverHeld(stack, notifyType, agreementNo)).toBe("success");
}

async function statusOf(agreementId: string) {
  return (await agreementDetail(stack, agreementId)).status;
}

/** A sign string issued now and confirmed in the sandbox after `confirmAt`; the verified result is reported, and the
 * sandbox's notifications have been answered. */
async function issueAndConfirmLater(planId: string, confirmAt: string) {
  const customer = await signIn(stack);
  const created = await customer.as("/api/v1/agreements", { planId });
  if (created.status !== 201) throw new Error(`agreement refused: ${created.text}`);
  const agreementId = (created.body.agreement as Json).id as string;
  await setClock(stack, confirmAt);
  const signed = await stack.control.signAtCenter({
    signStr: created.body.signStr as string,
    userId: customer.userId,
    decision: "confirm",
  });
  const reported = await customer.as(`/api/v1/agreements/${agreementId}/sign-result`, {
    resultStatus: signed.body.resultStatus,
    result: signed.body.result,
  });
  const agreement = reported.body.agreement as Json;
  // The sandbox's dut_user_sign is written before the test sweeps: a write holding the agreement's lock would make the
  // sweep skip it until its next round (SKIP LOCKED).
  await stack.sandbox.settleNotifications();
  return { agreementId, agreementNo: agreement.agreementNo as string, agreement, customer };
}

describe("the first deduction date is past when the agreement takes effect (§17.1)", () => {
  test("a sign string issued at 23:58 and confirmed at 00:03 has its first period charged, and D agrees with Alipay", async () => {
    await setClock(stack, shanghai("2029-03-10", "23:58:00"));
    const { agreementId, agreementNo, agreement } = await issueAndConfirmLater(
      sameDayPlanId,
      shanghai("2029-03-11", "00:03:00"),
    );
    expect(agreement.status).toBe("ACTIVE");
    expect(agreement.executeTime).toBe("2029-03-10");

    await sweep();
    await runScheduler(stack);

    const detail = await agreementDetail(stack, agreementId);
    expect(detail.charges.map((charge) => [charge.dueDate, charge.status])).toEqual([["2029-03-11", "SUCCEEDED"]]);
    expect(detail.nextDeductDate).toBe("2029-04-11");
    expect(await sandboxDeductDate(stack, agreementNo)).toBe("2029-04-11");
  });

  test("a NOTICE agreement made effective the day after signing has its first period charged", async () => {
    await setClock(stack, shanghai("2029-05-10", "12:00:00"));
    const { agreementId, agreementNo, agreement } = await issueAndConfirmLater(
      noticeSameDayPlanId,
      shanghai("2029-05-10", "12:01:00"),
    );
    expect(agreement.status).toBe("TEMP");
    await setClock(stack, shanghai("2029-05-11", "09:00:00"));
    const effect = await admin(stack, `/admin/v1/agreements/${agreementId}/effect`, {});
    expect(effect.status).toBe(200);

    // sign.effect sends dut_user_sign (§4): let it arrive first, so the order of events is fixed.
    await stack.sandbox.settleNotifications();
    await sweep();
    await runScheduler(stack);

    const detail = await agreementDetail(stack, agreementId);
    expect(detail.charges.map((charge) => [charge.dueDate, charge.status])).toEqual([["2029-05-11", "SUCCEEDED"]]);
    expect(detail.nextDeductDate).toBe("2029-06-11");
    expect(await sandboxDeductDate(stack, agreementNo)).toBe("2029-06-11");
  });
});

describe("a first deduction date Alipay never moves", () => {
  test("is asked for 5 times, then logged at error level for the operator and counted as needing attention", async () => {
    await setClock(stack, shanghai("2029-10-10", "23:58:00"));
    const { agreementId } = await issueAndConfirmLater(sameDayPlanId, shanghai("2029-10-11", "00:03:00"));
    const before = await admin(stack, "/admin/v1/overview?from=2029-10-01&to=2029-10-11");
    const attentionBefore = (before.body.attention as Json).agreementsWithoutFirstDate as number;
    // executionplan.modify is refused every time: next_deduct_time stays 2029-10-10, before today.
    await injectFault(stack, {
      method: "alipay.user.agreement.executionplan.modify",
      mode: "system-error",
      count: 100,
    });
    const modifyCalls = async () => {
      const faults = (await stack.control.faults()).body as Array<{ method: string; count: number }>;
      const fault = faults.find((candidate) => candidate.method === "alipay.user.agreement.executionplan.modify");
      return 100 - (fault?.count ?? 0);
    };
    try {
      // Ten rounds 11 minutes apart: each one past the 10-minute retry of the one before.
      for (let round = 0; round < 10; round++) {
        const minutes = 65 + round * 11;
        const time = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}:00`;
        await setClock(stack, shanghai("2029-10-11", time));
        await sweep();
      }
      expect(await modifyCalls()).toBe(5);
      expect((await agreementDetail(stack, agreementId)).nextDeductDate).toBeNull();
      const errors = stack.logs
        .map((line) => JSON.parse(line) as Json)
        .filter((line) => line.agreementId === agreementId && line.level === 50);
      expect(errors.map((line) => line.msg)).toEqual([
        expect.stringContaining("first deduction date could not be set after 5 attempts"),
      ]);
      const after = await admin(stack, "/admin/v1/overview?from=2029-10-01&to=2029-10-11");
      expect((after.body.attention as Json).agreementsWithoutFirstDate).toBe(attentionBefore + 1);
    } finally {
      await stack.control.clearFaults();
    }
  });
});

describe("the sweep sees what no notification reports (§17.3, §17.4)", () => {
  // A signing reported by Alipay (its verified dut_user_sign, or the verified paySignCenter result, whichever comes
  // first) told what a query would: the sweep next asks AGREEMENT_SWEEP_INTERVAL_HOURS (24) after it, D (today) being
  // inside its charge window already, and a pause in between is seen then.
  test.each([
    { first: "dut_user_sign", day: 1 },
    { first: "paySignCenter result", day: 11 },
  ])(
    "an agreement paused and then resumed in the Alipay app is ACTIVE again after the sweep ($first first)",
    async ({ first, day }) => {
      const date = (offset: number) => `2029-07-${String(day + offset).padStart(2, "0")}`;
      await setClock(stack, shanghai(date(0), "09:00:00"));
      if (first === "paySignCenter result") await holdNextNotification(stack, "dut_user_sign");
      const { agreementId, agreementNo } = await signActiveAgreement(stack, {
        planId: sameDayPlanId,
        notificationFirst: first === "dut_user_sign",
      });
      // Read before the held dut_user_sign goes: the schedule is the first report's.
      const nextSweepAt = Date.parse(String((await agreementDetail(stack, agreementId)).nextSweepAt));
      expect(nextSweepAt - Date.parse(shanghai(date(1), "09:00:00"))).toBeGreaterThanOrEqual(0);
      expect(nextSweepAt - Date.parse(shanghai(date(1), "09:00:00"))).toBeLessThan(60_000);
      // The sandbox may have redelivered the held notification by itself meanwhile (Alipay retries a dropped one).
      if (first === "paySignCenter result") await deliverIfHeld("dut_user_sign", agreementNo);
      await stack.sandbox.settleNotifications();
      await stack.control.pauseAgreement(agreementNo);
      await sweep();
      expect(await statusOf(agreementId)).toBe("ACTIVE");

      await setClock(stack, shanghai(date(1), "09:01:00"));
      await sweep();
      expect(await statusOf(agreementId)).toBe("PAUSED");

      await stack.control.resumeAgreement(agreementNo);
      await setClock(stack, shanghai(date(2), "10:00:00"));
      await sweep();
      expect(await statusOf(agreementId)).toBe("ACTIVE");
    },
  );

  test("a user unsign that never reaches /alipay/notify is seen by the sweep within a day", async () => {
    await setClock(stack, shanghai("2029-08-01", "09:00:00"));
    const { agreementId, agreementNo } = await signActiveAgreement(stack, { planId: sameDayPlanId });
    await stack.sandbox.settleNotifications();
    await sweep();
    // No app gateway is set on this stack: Alipay has nowhere to post the user's unsign (§17.4).
    expect((await stack.control.unsignAgreement(agreementNo)).status).toBe(200);
    expect(await statusOf(agreementId)).toBe("ACTIVE");

    await setClock(stack, shanghai("2029-08-02", "09:01:00"));
    await sweep();
    expect(await statusOf(agreementId)).toBe("UNSIGNED");
  });

  test("a TEMP agreement whose user unsign is lost is UNSIGNED after the sweep, and the plan can be signed again", async () => {
    await setClock(stack, shanghai("2029-09-01", "09:00:00"));
    const { agreementId, agreementNo, customer } = await issueAndConfirmLater(
      noticeSameDayPlanId,
      shanghai("2029-09-01", "09:05:00"),
    );
    await stack.sandbox.settleNotifications();
    expect(await statusOf(agreementId)).toBe("TEMP");
    await injectFault(stack, { method: "dut_user_unsign", mode: "lose-notify" });
    expect((await stack.control.unsignAgreement(agreementNo)).status).toBe(200);
    expect(await statusOf(agreementId)).toBe("TEMP");

    await setClock(stack, shanghai("2029-09-02", "09:06:00"));
    await sweep();
    expect(await statusOf(agreementId)).toBe("UNSIGNED");
    // The same customer signs in again (a day later) and is no longer held back by a live TEMP agreement.
    const code = await stack.control.createAuthCode(customer.userId);
    const session = await http(`${stack.api}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
    expect(session.status).toBe(201);
    const again = await http(`${stack.api}/api/v1/agreements`, {
      headers: { authorization: `Bearer ${session.body.token as string}` },
      body: { planId: noticeSameDayPlanId },
    });
    expect(again.status).toBe(201);
  });
});

describe("an agreement signed after the follow-up gave up is unsigned at Alipay (§17.5)", () => {
  async function abandoned() {
    await setClock(stack, shanghai("2029-09-01", "09:00:00"));
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: sameDayPlanId });
    const agreementId = (created.body.agreement as Json).id as string;
    for (let round = 0; round < 4; round++) {
      await setClock(stack, shanghai("2029-09-01", `1${round}:00:00`));
      await runDueFollowUps(stack.deps);
    }
    expect(await statusOf(agreementId)).toBe("ABANDONED");
    await holdNextNotification(stack, "dut_user_sign");
    const signed = await stack.control.signAtCenter({
      signStr: created.body.signStr as string,
      userId: customer.userId,
      decision: "confirm",
    });
    expect(signed.status).toBe(200);
    const agreementNo = (await stack.control.agreements()).body.find(
      (found) => found.external_agreement_no === (created.body.agreement as Json).externalAgreementNo,
    )?.agreement_no;
    if (!agreementNo) throw new Error("the sandbox has no agreement for the late signing");
    expect(await deliverHeld(stack, "dut_user_sign", agreementNo)).toBe("success");
    return { agreementId, agreementNo, customer };
  }

  test("a late dut_user_sign keeps it ABANDONED, records the agreement number, and the sweep unsigns it", async () => {
    const { agreementId, agreementNo } = await abandoned();
    const stored = await stack.database.db.prisma.agreement.findUniqueOrThrow({ where: { id: agreementId } });
    expect(stored).toMatchObject({ status: "ABANDONED", agreementNo, alipayStatus: "NORMAL", nextDeductDate: null });

    await sweep();

    const alipaySide = (await stack.control.agreements()).body.find((found) => found.agreement_no === agreementNo);
    expect(alipaySide?.status).toBe("UNSIGN");
    const after = await stack.database.db.prisma.agreement.findUniqueOrThrow({ where: { id: agreementId } });
    expect(after).toMatchObject({ status: "ABANDONED", alipayStatus: null });
    await runScheduler(stack);
    expect((await stack.control.trades()).body.filter((trade) => trade.agreement_no === agreementNo)).toEqual([]);
  });
});
