import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { agreementState } from "./support/agreement-state.ts";
import {
  deliverHeld,
  holdNextNotification,
  http,
  monthlyPlanId,
  signIn,
  weeklyPlanId,
} from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  // Real-time notification retries: a held notification stays held for the length of a test.
  stack = await startStack({ sandbox: { timeScale: 1 } });
});
afterAll(async () => {
  await stack.close();
});

describe("Idempotency-Key on POST /api/v1/agreements", () => {
  test("the same key and body answer the first result again; another body gets 409", async () => {
    const customer = await signIn(stack);
    const send = (planId: string) =>
      http(`${stack.api}/api/v1/agreements`, {
        body: { planId },
        headers: { authorization: `Bearer ${customer.token}`, "idempotency-key": "order-42" },
      });
    const first = await send(monthlyPlanId);
    const again = await send(monthlyPlanId);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);

    const other = await send(weeklyPlanId);
    expect(other.status).toBe(409);
    expect((other.body.error as { code: string }).code).toBe("IDEMPOTENCY_MISMATCH");
    expect(
      await stack.database.db.prisma.agreement.count({ where: { customerId: customer.customer.id as string } }),
    ).toBe(1);
  });

  test("concurrent requests with one key create one agreement", async () => {
    const customer = await signIn(stack);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        http(`${stack.api}/api/v1/agreements`, {
          body: { planId: monthlyPlanId },
          headers: { authorization: `Bearer ${customer.token}`, "idempotency-key": "same" },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((answer) => (answer.body.agreement as { id: string }).id)).size).toBe(1);
    expect(
      await stack.database.db.prisma.agreement.count({ where: { customerId: customer.customer.id as string } }),
    ).toBe(1);
  });

  test("the same key from another customer is another request", async () => {
    const [a, b] = [await signIn(stack), await signIn(stack)];
    const headers = (token: string) => ({ authorization: `Bearer ${token}`, "idempotency-key": "shared-key" });
    const first = await http(`${stack.api}/api/v1/agreements`, {
      body: { planId: monthlyPlanId },
      headers: headers(a.token),
    });
    const second = await http(`${stack.api}/api/v1/agreements`, {
      body: { planId: monthlyPlanId },
      headers: headers(b.token),
    });
    expect(second.status).toBe(201);
    expect((second.body.agreement as { id: string }).id).not.toBe((first.body.agreement as { id: string }).id);
  });
});

describe("sessions", () => {
  test("an auth code works once; a second use is refused with what to do", async () => {
    const user = await stack.control.createUser();
    const { authCode } = (await stack.control.createAuthCode(user.body.userId)).body;
    const first = await http(`${stack.api}/api/v1/sessions`, { body: { authCode } });
    expect(first.status).toBe(201);
    expect((first.body.customer as { alipayUserId: string }).alipayUserId).toBe(user.body.userId);
    const second = await http(`${stack.api}/api/v1/sessions`, { body: { authCode } });
    expect(second.status).toBe(401);
    expect((second.body.error as { message: string }).message).toContain("call my.getAuthCode again");
  });

  test("two first sign-ins at once make one customer", async () => {
    const user = await stack.control.createUser();
    const codes = await Promise.all(
      [1, 2, 3].map(async () => (await stack.control.createAuthCode(user.body.userId)).body),
    );
    const sessions = await Promise.all(
      codes.map(({ authCode }) => http(`${stack.api}/api/v1/sessions`, { body: { authCode } })),
    );
    expect(sessions.map((session) => session.status)).toEqual([201, 201, 201]);
    expect(new Set(sessions.map((session) => (session.body.customer as { id: string }).id)).size).toBe(1);
  });

  test("signing in twice finds the same customer", async () => {
    const user = await stack.control.createUser();
    const session = async () => {
      const { authCode } = (await stack.control.createAuthCode(user.body.userId)).body;
      return (await http(`${stack.api}/api/v1/sessions`, { body: { authCode } })).body.customer as { id: string };
    };
    expect((await session()).id).toBe((await session()).id);
  });
});

describe("unsign by the customer", () => {
  test("an active agreement becomes UNSIGNED at once; the dut_user_unsign that follows changes nothing", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    const id = (created.body.agreement as { id: string }).id;
    const signed = await stack.control.signAtCenter({
      signStr: created.body.signStr as string,
      userId: customer.userId,
      decision: "confirm",
    });
    await customer.as(`/api/v1/agreements/${id}/sign-result`, { resultStatus: "7000", result: signed.body.result });
    expect((await agreementState(stack, id)).status).toBe("ACTIVE");

    await holdNextNotification(stack, "dut_user_unsign");
    const unsigned = await customer.as(`/api/v1/agreements/${id}/unsign`, {});
    expect(unsigned.status).toBe(200);
    expect((unsigned.body.agreement as { status: string }).status).toBe("UNSIGNED");
    const agreementNo = (unsigned.body.agreement as { agreementNo: string }).agreementNo;
    expect(await deliverHeld(stack, "dut_user_unsign", agreementNo)).toBe("success");
    const state = await agreementState(stack, id);
    expect(state.events.filter((event) => event.includes("UNSIGNED"))).toEqual(["ACTIVE→UNSIGNED CUSTOMER"]);

    const again = await customer.as(`/api/v1/agreements/${id}/unsign`, {});
    expect(again.status).toBe(409);
  });
});
