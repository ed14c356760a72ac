import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FaultMode } from "@paysign/alipay-sandbox";
import { injectFault } from "./support/customer-client.ts";
import {
  admin,
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  sandboxDeductDate,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type StackOptions } from "./support/stack.ts";

// alipay.user.agreement.executionplan.modify whose answer is lost: the date may have moved at Alipay or not, and the
// server must end up agreeing with Alipay. Plan: monthly, first charge 7 days after signing (D = 2028-05-08).
const modify = "alipay.user.agreement.executionplan.modify";

async function startWithPlan(options: StackOptions) {
  const stack = await startStack(options);
  const planId = await createPlan(stack, monthlyAfterAWeek);
  const fault = (method: string, mode: FaultMode, applied?: boolean) => injectFault(stack, { method, mode, applied });
  const signed = async () => {
    await setClock(stack, shanghai("2028-05-01", "09:00:00"));
    const agreement = await signActiveAgreement(stack, { planId });
    const path = `/admin/v1/agreements/${agreement.agreementId}/defer`;
    return { ...agreement, defer: (deductDate: string) => admin(stack, path, { deductDate }) };
  };
  const alipayDate = (agreementNo: string) => sandboxDeductDate(stack, agreementNo);
  const localDate = async (agreementId: string) => (await agreementDetail(stack, agreementId)).nextDeductDate;
  const deferEvents = async (agreementId: string) =>
    (
      await stack.database.db.prisma.agreementEvent.findMany({
        where: { agreementId, reason: { startsWith: "deduction date moved" } },
      })
    ).map((event) => event.reason);
  return { stack, fault, signed, alipayDate, localDate, deferEvents };
}

describe("the answer never comes (the server's Alipay timeout)", () => {
  let ctx: Awaited<ReturnType<typeof startWithPlan>>;
  beforeAll(async () => {
    // The sandbox holds a timed-out request's socket for a minute; the server gives up after a second (long enough
    // for every other call on a loaded machine).
    ctx = await startWithPlan({ alipayTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await ctx.stack.close();
  });

  test("the date moved at Alipay: the query finds it and the defer is recorded", async () => {
    const agreement = await ctx.signed();
    await ctx.fault(modify, "timeout", true);
    expect((await agreement.defer("2028-05-20")).status).toBe(200);
    expect(await ctx.localDate(agreement.agreementId)).toBe("2028-05-20");
    expect(await ctx.alipayDate(agreement.agreementNo)).toBe("2028-05-20");
    expect(await ctx.deferEvents(agreement.agreementId)).toEqual([
      "deduction date moved from 2028-05-08 to 2028-05-20",
    ]);
  });

  test("the date did not move: 502 and nothing changes, at Alipay or here", async () => {
    const agreement = await ctx.signed();
    await ctx.fault(modify, "timeout", false);
    const deferred = await agreement.defer("2028-05-20");
    expect(deferred.status).toBe(502);
    expect((deferred.body.error as { code: string }).code).toBe("ALIPAY_UNAVAILABLE");
    expect(await ctx.localDate(agreement.agreementId)).toBe("2028-05-08");
    expect(await ctx.alipayDate(agreement.agreementNo)).toBe("2028-05-08");
    expect(await ctx.deferEvents(agreement.agreementId)).toEqual([]);
  });

  test("the date moved and the query failed too: 502; the retry, refused by Alipay as not later, is recorded", async () => {
    const agreement = await ctx.signed();
    await ctx.fault(modify, "timeout", true);
    await ctx.fault("alipay.user.agreement.query", "system-error");
    expect((await agreement.defer("2028-05-20")).status).toBe(502);
    expect(await ctx.alipayDate(agreement.agreementNo)).toBe("2028-05-20");
    expect(await ctx.localDate(agreement.agreementId)).toBe("2028-05-08");

    expect((await agreement.defer("2028-05-20")).status).toBe(200);
    expect(await ctx.localDate(agreement.agreementId)).toBe("2028-05-20");
    expect(await ctx.deferEvents(agreement.agreementId)).toEqual([
      "deduction date moved from 2028-05-08 to 2028-05-20",
    ]);
    expect((await agreement.defer("2028-05-20")).status).toBe(400);
  });
});

describe("the connection is reset before the answer", () => {
  let ctx: Awaited<ReturnType<typeof startWithPlan>>;
  beforeAll(async () => {
    // The sandbox drops the socket after 5 ms: alipay-sdk's HTTP client (urllib, socketErrorRetry 1) sends the
    // same request again by itself, which Alipay refuses once the first one has moved the date.
    ctx = await startWithPlan({ sandbox: { timeoutFaultMs: 5 } });
  });
  afterAll(async () => {
    await ctx.stack.close();
  });

  test("the SDK's resend is refused as not later than D, yet the move is recorded", async () => {
    const agreement = await ctx.signed();
    await ctx.fault(modify, "timeout", true);
    expect((await agreement.defer("2028-05-20")).status).toBe(200);
    expect(await ctx.localDate(agreement.agreementId)).toBe("2028-05-20");
    expect(await ctx.alipayDate(agreement.agreementNo)).toBe("2028-05-20");
  });
});

describe("a defer's upper bound (docs/alipay-protocol.md §7)", () => {
  let ctx: Awaited<ReturnType<typeof startWithPlan>>;
  let twoMonthPlanId: string;
  beforeAll(async () => {
    ctx = await startWithPlan({});
    twoMonthPlanId = await createPlan(ctx.stack, { ...monthlyAfterAWeek, signValidityPeriod: "2m" });
  });
  afterAll(async () => {
    await ctx.stack.close();
  });

  test("a date more than 366 days after D is refused 400 and nothing moves; 366 days is accepted", async () => {
    const agreement = await ctx.signed();
    for (const typo of ["9999-12-28", "2029-05-10"]) {
      const deferred = await agreement.defer(typo);
      expect(deferred.status).toBe(400);
      expect((deferred.body.error as { message: string }).message).toContain("at most 366 days after");
    }
    expect(await ctx.localDate(agreement.agreementId)).toBe("2028-05-08");
    expect(await ctx.alipayDate(agreement.agreementNo)).toBe("2028-05-08");
    expect((await agreement.defer("2029-05-09")).status).toBe(200);
    expect(await ctx.localDate(agreement.agreementId)).toBe("2029-05-09");
  });

  test("a date after the agreement's invalid time is refused 400 with the last day it may take", async () => {
    await setClock(ctx.stack, shanghai("2028-05-01", "09:00:00"));
    const agreement = await signActiveAgreement(ctx.stack, { planId: twoMonthPlanId });
    const path = `/admin/v1/agreements/${agreement.agreementId}/defer`;
    const deferred = await admin(ctx.stack, path, { deductDate: "2028-07-05" });
    expect(deferred.status).toBe(400);
    expect((deferred.body.error as { message: string }).message).toContain("ends on 2028-07-01");
    expect(await ctx.localDate(agreement.agreementId)).toBe("2028-05-08");
    expect((await admin(ctx.stack, path, { deductDate: "2028-06-28" })).status).toBe(200);
  });
});
