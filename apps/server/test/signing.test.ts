import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { monthlyPlanId, sandboxCall, signIn } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe("signing a plan", () => {
  test("the signStr decodes once to an sdkExecute string without return_url, and the sandbox signs it (7000)", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    expect(created.status).toBe(201);
    const signStr = created.body.signStr as string;
    const once = decodeURIComponent(signStr);
    expect(once).toMatch(/(^|&)method=alipay\.user\.agreement\.page\.sign(&|$)/);
    expect(once).not.toContain("return_url");
    expect(once).toContain("biz_content=");

    const signed = await sandboxCall(stack, "/sandbox/sign-center", {
      signStr,
      userId: customer.userId,
      decision: "confirm",
    });
    expect(signed.body.resultStatus).toBe("7000");
  });
});
