import { liveAgreementConflictDetailsSchema } from "@paysign/contracts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, weeklyPlanId, type Json } from "./support/customer-client.ts";
import { signActiveAgreement } from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

// Product rule (README "Agreements"): one customer holds at most one live agreement — TEMP, ACTIVE or PAUSED, i.e.
// signed at Alipay — per plan, and at most MAX_PENDING_AGREEMENTS_PER_CUSTOMER PENDING ones; both are checked under
// a per-customer lock, so concurrent requests cannot pass them together.

const cap = 5;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { RATE_LIMIT_PER_MINUTE: "1000000", MAX_PENDING_AGREEMENTS_PER_CUSTOMER: String(cap) },
  });
});
afterAll(async () => {
  await stack.close();
});

describe("one live agreement per customer and plan", () => {
  test("creating an agreement while one is ACTIVE for the same plan answers 409 with the live one", async () => {
    const { agreementId, customer } = await signActiveAgreement(stack, { planId: weeklyPlanId });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => customer.as("/api/v1/agreements", { planId: weeklyPlanId })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(409);
      const error = answer.body.error as Json;
      expect(error.code).toBe("CONFLICT");
      const details = liveAgreementConflictDetailsSchema.parse(error.details);
      expect(details.liveAgreement).toMatchObject({ id: agreementId, status: "ACTIVE", planId: weeklyPlanId });
    }
    const rows = await stack.database.db.prisma.agreement.count({
      where: { customerId: customer.customer.id as string, planId: weeklyPlanId },
    });
    expect(rows).toBe(1);
  });

  test("a PENDING agreement is not live: the customer may start signing the same plan again", async () => {
    const customer = await signIn(stack);
    const first = await customer.as("/api/v1/agreements", { planId: weeklyPlanId });
    const second = await customer.as("/api/v1/agreements", { planId: weeklyPlanId });
    expect([first.status, second.status]).toEqual([201, 201]);
  });
});

describe("the PENDING cap under concurrent requests", () => {
  test(`40 parallel requests of one customer make exactly ${cap} PENDING agreements`, async () => {
    const customer = await signIn(stack);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => customer.as("/api/v1/agreements", { planId: weeklyPlanId })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(cap);
    expect(statuses.filter((status) => status === 409)).toHaveLength(40 - cap);
    const pending = await stack.database.db.prisma.agreement.count({
      where: { customerId: customer.customer.id as string, status: "PENDING" },
    });
    expect(pending).toBe(cap);
  });
});
