import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defined } from "@paysign/test-kit";
import {
  admin,
  agreementDetail,
  createPlan,
  monthlyAfterAWeek,
  runScheduler,
  setClock,
  shanghai,
  signActiveAgreement,
} from "./support/deductions.ts";
import { startStack, type Stack } from "./support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await fetch(`${stack.api}${path}`, {
    method: init.method ?? "GET",
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, cookie: response.headers.get("set-cookie"), body: JSON.parse(text) as unknown };
}

describe("the console's session cookie", () => {
  test("the admin key buys an httpOnly SameSite=Strict cookie that authenticates admin routes until sign-out", async () => {
    const refused = await call("/admin/v1/session", { method: "POST", headers: { "x-admin-key": "wrong-key" } });
    expect(refused.status).toBe(401);
    expect(refused.cookie).toBeNull();

    const signedIn = await call("/admin/v1/session", {
      method: "POST",
      headers: { "x-admin-key": stack.config.adminApiKey },
    });
    expect(signedIn.status).toBe(200);
    const setCookie = defined(signedIn.cookie, "set-cookie");
    expect(setCookie).toMatch(/^paysign_admin_session=\d{13}\.[\w-]{43}; /);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/admin/v1");
    const cookie = defined(setCookie.split(";")[0], "cookie pair");

    expect(await call("/admin/v1/session", { headers: { cookie } })).toMatchObject({
      status: 200,
      body: { authenticatedBy: "cookie" },
    });
    expect((await call("/admin/v1/plans", { headers: { cookie } })).status).toBe(200);

    // CSRF: a state-changing request on the cookie alone is refused; the console's header makes it through.
    const body = { ...monthlyAfterAWeek, productCode: "GENERAL_WITHHOLDING", signScene: "INDUSTRY|DIGITAL_MEDIA" };
    const forged = await call("/admin/v1/plans", { method: "POST", headers: { cookie }, body });
    expect(forged.status).toBe(403);
    const made = await call("/admin/v1/plans", {
      method: "POST",
      headers: { cookie, "x-paysign-console": "1" },
      body,
    });
    expect(made.status).toBe(201);

    const tampered = cookie.replace(/.$/, (last) => (last === "A" ? "B" : "A"));
    expect((await call("/admin/v1/plans", { headers: { cookie: tampered } })).status).toBe(401);

    // The cookie never renews itself: only the admin key buys a session.
    const renewed = await call("/admin/v1/session", {
      method: "POST",
      headers: { cookie, "x-paysign-console": "1" },
    });
    expect(renewed.status).toBe(401);
    expect(renewed.cookie).toBeNull();

    const signedOut = await call("/admin/v1/session", {
      method: "DELETE",
      headers: { cookie, "x-paysign-console": "1" },
    });
    expect(signedOut.status).toBe(200);
    expect(signedOut.cookie).toContain("Max-Age=0");
    // Signing out ends the session on the server too: a copy of the cookie is refused from now on.
    expect((await call("/admin/v1/plans", { headers: { cookie } })).status).toBe(401);
    expect((await call("/admin/v1/session", { headers: { cookie } })).status).toBe(401);
  });
});

describe("the console's overview, search and inbox", () => {
  test("MRR, money in the range, success rate and daily counts come from the agreements and charges", async () => {
    await setClock(stack, shanghai("2031-03-01"));
    const monthly = await createPlan(stack, monthlyAfterAWeek);
    const quarterly = await createPlan(stack, { ...monthlyAfterAWeek, period: 3, singleAmount: "59.00" });
    const weekly = await createPlan(stack, {
      ...monthlyAfterAWeek,
      periodType: "DAY",
      period: 7,
      singleAmount: "7.00",
    });
    const first = await signActiveAgreement(stack, { planId: monthly });
    await signActiveAgreement(stack, { planId: quarterly });
    await signActiveAgreement(stack, { planId: weekly });

    await setClock(stack, shanghai(first.executeTime));
    await runScheduler(stack);
    const detail = await agreementDetail(stack, first.agreementId);
    expect(detail.charges.map((charge) => charge.status)).toContain("SUCCEEDED");

    const overview = await admin(stack, `/admin/v1/overview?from=2031-03-01&to=2031-03-31`);
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({
      from: "2031-03-01",
      to: "2031-03-31",
      activeAgreements: 3,
      // 19.90 + 59.00 / 3 + 7.00 × 30 / 7 = 19.90 + 19.666… + 30.00 → 69.57
      mrr: "69.57",
      refunded: "0.00",
      successRate: 1,
      attention: { pastDueCharges: 0, failedCharges: 0, notificationMismatches: 0, agreementsWithoutFirstDate: 0 },
    });
    // All three share D (signed the same day, first charge a week later): 19.90 + 59.00 + 7.00.
    expect(detail.paidTotal).toBe("19.90");
    expect(overview.body).toMatchObject({
      charged: "85.90",
      net: "85.90",
      chargeAttempts: { succeeded: 3, failed: 0 },
    });
    const days = overview.body.newAgreements as Array<{ date: string; count: number }>;
    expect(days).toHaveLength(31);
    expect(days.find((day) => day.date === "2031-03-01")?.count).toBe(3);

    const defaultRange = await admin(stack, "/admin/v1/overview");
    expect(defaultRange.body).toMatchObject({ to: first.executeTime });
    expect((await admin(stack, "/admin/v1/overview?from=2031-03-02&to=2031-03-01")).status).toBe(400);
  });

  test("agreements are found by agreement no., external no. or Alipay user, and by creation day", async () => {
    const signed = await signActiveAgreement(stack, { planId: "6f1c4a52-0d3b-4c1e-9a53-000000000001" });
    const detail = await agreementDetail(stack, signed.agreementId);
    for (const q of [signed.agreementNo, detail.externalAgreementNo as string, signed.userId]) {
      const found = await admin(stack, `/admin/v1/agreements?q=${encodeURIComponent(q)}`);
      expect((found.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([signed.agreementId]);
    }
    const later = await admin(stack, "/admin/v1/agreements?createdFrom=2099-01-01");
    expect(later.body.items).toEqual([]);
  });

  test("the inbox lists recorded notifications with their outcomes, filtered by outcome", async () => {
    const all = await admin(stack, "/admin/v1/notifications?limit=100");
    expect(all.status).toBe(200);
    const items = all.body.items as Array<{ notifyType: string; outcome: string }>;
    expect(items.length).toBeGreaterThan(0);
    const applied = await admin(stack, "/admin/v1/notifications?outcome=APPLIED&limit=100");
    const appliedItems = applied.body.items as Array<{ outcome: string }>;
    expect(appliedItems.every((item) => item.outcome === "APPLIED")).toBe(true);
    expect(appliedItems.length).toBe(items.filter((item) => item.outcome === "APPLIED").length);
  });
});
