import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { agreementState } from "./support/agreement-state.ts";
import { deliverHeld, holdNextNotification, http, monthlyPlanId, signIn } from "./support/customer-client.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  // Real-time notification retries: a dropped notification stays dropped for the length of a test.
  stack = await startStack({ sandbox: { timeScale: 1 } });
});
afterAll(async () => {
  await stack.close();
});

const admin = (path: string, body?: unknown, method?: string) =>
  http(`${stack.api}${path}`, {
    headers: { "x-admin-key": stack.config.adminApiKey },
    ...(body === undefined ? {} : { body }),
    ...(method ? { method } : {}),
  });

const planBody = {
  name: "Quarterly box",
  productCode: "CYCLE_PAY_AUTH",
  signScene: "INDUSTRY|EDU",
  periodType: "MONTH",
  period: 3,
  singleAmount: "59.00",
  totalPayments: 4,
  firstChargeDelayDays: 7,
};

describe("admin plans", () => {
  test("create, list, edit and deactivate a plan; customers see only active plans", async () => {
    const created = await admin("/admin/v1/plans", planBody);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...planBody, personalProductCode: "CYCLE_PAY_AUTH_P", effectType: "DIRECT" });
    const id = created.body.id as string;

    const edited = await admin(`/admin/v1/plans/${id}`, { singleAmount: "49.00" }, "PATCH");
    expect(edited.body.singleAmount).toBe("49.00");
    expect((await http(`${stack.api}/api/v1/plans`)).body.items).toContainEqual(expect.objectContaining({ id }));

    const deactivated = await admin(`/admin/v1/plans/${id}`, { active: false }, "PATCH");
    expect(deactivated.body.active).toBe(false);
    expect((await http(`${stack.api}/api/v1/plans`)).body.items).not.toContainEqual(expect.objectContaining({ id }));
    expect((await admin("/admin/v1/plans")).body.items).toContainEqual(expect.objectContaining({ id, active: false }));
  });

  test("an edit that breaks Alipay's rules on the merged plan is refused with the rule", async () => {
    const created = await admin("/admin/v1/plans", { ...planBody, periodType: "DAY", period: 7 });
    const refused = await admin(`/admin/v1/plans/${created.body.id as string}`, { period: 6 }, "PATCH");
    expect(refused.status).toBe(400);
    expect((refused.body.error as { message: string }).message).toContain("at least 7 days");
  });

  test("a plan whose total cap is below one payment is refused at creation", async () => {
    const refused = await admin("/admin/v1/plans", { ...planBody, totalAmount: "10.00" });
    expect(refused.status).toBe(400);
  });

  test("an unknown plan is 404 with the error body", async () => {
    const missing = await admin("/admin/v1/plans/00000000-0000-4000-8000-000000000000", { active: false }, "PATCH");
    expect(missing.status).toBe(404);
    expect((missing.body.error as { code: string }).code).toBe("NOT_FOUND");
  });
});

describe("admin agreements", () => {
  test("lists filter by status, customer and plan, newest first, page by cursor without gaps or repeats", async () => {
    const customer = await signIn(stack);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
      ids.push((created.body.agreement as { id: string }).id);
    }
    const customerId = customer.customer.id as string;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `customerId=${customerId}&status=PENDING&planId=${monthlyPlanId}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await admin(`/admin/v1/agreements?${query}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Array<{ id: string }>).map((item) => item.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const active = await admin(`/admin/v1/agreements?customerId=${customerId}&status=ACTIVE`);
    expect(active.body.items).toEqual([]);
    const badCursor = await admin("/admin/v1/agreements?cursor=not-a-cursor");
    expect(badCursor.status).toBe(400);
  });

  test("detail shows the raw inputs of events; sync and unsign follow Alipay", async () => {
    const customer = await signIn(stack);
    const created = await customer.as("/api/v1/agreements", { planId: monthlyPlanId });
    const id = (created.body.agreement as { id: string }).id;
    await holdNextNotification(stack, "dut_user_sign");
    await stack.control.signAtCenter({
      signStr: created.body.signStr as string,
      userId: customer.userId,
      decision: "confirm",
    });

    const synced = await admin(`/admin/v1/agreements/${id}/sync`, {});
    expect(synced.status).toBe(200);
    expect((synced.body.agreement as { status: string }).status).toBe("ACTIVE");
    const detail = await admin(`/admin/v1/agreements/${id}`);
    const events = detail.body.events as Array<{ source: string; raw: unknown }>;
    expect(events.at(-1)).toMatchObject({
      source: "ADMIN",
      raw: expect.objectContaining({ kind: "found" }) as unknown,
    });

    await holdNextNotification(stack, "dut_user_unsign");
    const unsigned = await admin(`/admin/v1/agreements/${id}/unsign`, {});
    expect((unsigned.body.agreement as { status: string }).status).toBe("UNSIGNED");
    const again = await admin(`/admin/v1/agreements/${id}/effect`, {});
    expect(again.status).toBe(409);
    const agreementNo = (synced.body.agreement as { agreementNo: string }).agreementNo;
    expect(await deliverHeld(stack, "dut_user_unsign", agreementNo)).toBe("success");
    const unsignEvents = (await agreementState(stack, id)).events.filter((event) => event.includes("UNSIGNED"));
    expect(unsignEvents).toEqual(["ACTIVE→UNSIGNED ADMIN"]);
  });
});
