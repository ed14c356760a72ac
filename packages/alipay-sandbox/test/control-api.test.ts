import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, signAgreement, startHarness, type Harness, type UserView } from "./support/sandbox-harness.ts";
import { startReceiver } from "./support/notify-receiver.ts";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.sandbox.close());

describe("control API (docs/product.md §6)", () => {
  it("creates a buyer with a 2088 id, a logon id and a default balance", async () => {
    const { status, body } = await harness.post<UserView>("/sandbox/users", {});
    expect(status).toBe(200);
    expect(body.userId).toMatch(/^2088\d{12}$/);
    expect(body.logonId.length).toBeGreaterThan(0);
    expect(body.balance).toBe("1000.00");
  });

  it("creates a buyer with the given id, logon id and balance", async () => {
    const body = await createUser(harness, {
      userId: "2088000000000001",
      logonId: "buyer@example.com",
      balance: "12.5",
    });
    expect(body).toEqual({ userId: "2088000000000001", logonId: "buyer@example.com", balance: "12.50" });
  });

  it("sets a balance", async () => {
    const { userId } = await createUser(harness);
    const { body } = await harness.post<UserView>(`/sandbox/users/${userId}/balance`, { balance: "0.01" });
    expect(body.balance).toBe("0.01");
  });

  it.each([
    ["/sandbox/users", { userId: "1234" }],
    ["/sandbox/users", { balance: "12.345" }],
    ["/sandbox/users", { balance: 12 }],
    ["/sandbox/clock", { now: "tomorrow" }],
    ["/sandbox/sign-center", { signStr: "x", userId: "2088000000000001", decision: "maybe" }],
  ])("answers 400 with the error body for a bad %s body", async (route, body) => {
    const response = await harness.post<{ error: { code: string; message: string } }>(route, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("answers 404 for an unknown user or agreement", async () => {
    expect((await harness.post("/sandbox/users/2088999999999999/balance", { balance: "1.00" })).status).toBe(404);
    expect((await harness.post("/sandbox/auth-codes", { userId: "2088999999999999" })).status).toBe(404);
    expect((await harness.post("/sandbox/agreements/20260000000000000000/unsign")).status).toBe(404);
  });

  it("reads and sets the simulated clock", async () => {
    const { body } = await harness.post<{ now: string }>("/sandbox/clock", { now: "2027-01-31T23:30:00+08:00" });
    // The clock keeps running from the instant it was set.
    expect(Date.parse(body.now) - Date.parse("2027-01-31T15:30:00Z")).toBeGreaterThanOrEqual(0);
    expect(Date.parse(body.now) - Date.parse("2027-01-31T15:30:00Z")).toBeLessThan(1_000);
    const read = await harness.get<{ now: string; alipayTime: string }>("/sandbox/clock");
    expect(Date.parse(read.body.now) - Date.parse("2027-01-31T15:30:00Z")).toBeLessThan(5_000);
    expect(read.body.alipayTime.startsWith("2027-01-31 23:3")).toBe(true);
  });

  it("lists agreements and trades with snake_case fields", async () => {
    await harness.post("/sandbox/clock", { now: "2026-11-30T10:00:00+08:00" });
    const { userId } = await createUser(harness);
    const { agreementNo } = await signAgreement(harness, { userId });
    await harness.sdk.exec("alipay.trade.pay", {
      bizContent: {
        out_trade_no: "L1",
        total_amount: "19.90",
        subject: "s",
        product_code: "GENERAL_WITHHOLDING",
        agreement_params: { agreement_no: agreementNo },
      },
    });
    const agreements = (await harness.get<Array<Record<string, unknown>>>("/sandbox/agreements")).body;
    expect(agreements.find((a) => a.agreement_no === agreementNo)).toMatchObject({
      status: "NORMAL",
      external_agreement_no: expect.any(String) as unknown,
      next_deduct_date: "2027-01-01",
    });
    const trades = (await harness.get<Array<Record<string, unknown>>>("/sandbox/trades")).body;
    expect(trades.find((t) => t.out_trade_no === "L1")).toMatchObject({
      agreement_no: agreementNo,
      total_amount: "19.90",
      trade_status: "TRADE_SUCCESS",
      trade_no: expect.stringMatching(/^\d{28}$/) as unknown,
    });
  });

  it("tells its Alipay public key, apps and rule settings", async () => {
    const { body } = await harness.get<Record<string, unknown>>("/sandbox/info");
    expect(body).toMatchObject({
      alipayPublicKey: harness.sandbox.alipayPublicKey,
      apps: [{ appId: "2021000000000001", name: "Test merchant" }],
      deductionWindowDays: 5,
      singleAmountCap: null,
    });
  });

  it("empties the state on reset", async () => {
    await createUser(harness);
    await harness.post("/sandbox/reset");
    expect((await harness.get<unknown[]>("/sandbox/users")).body).toEqual([]);
    expect((await harness.get<unknown[]>("/sandbox/agreements")).body).toEqual([]);
    expect((await harness.get<unknown[]>("/sandbox/trades")).body).toEqual([]);
  });
});

describe("state file", () => {
  it("keeps users, agreements and the clock across a restart", async () => {
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), "sandbox-state-")), "state.json");
    const first = await startHarness({ stateFile });
    await first.post("/sandbox/clock", { now: "2027-05-01T10:00:00+08:00" });
    const { userId } = await createUser(first, { balance: "77.00" });
    const { agreementNo } = await signAgreement(first, { userId });
    await first.sandbox.close();

    const second = await startHarness({ stateFile });
    try {
      const users = (await second.get<UserView[]>("/sandbox/users")).body;
      expect(users).toContainEqual(expect.objectContaining({ userId, balance: "77.00" }));
      const query = await second.sdk.exec(
        "alipay.user.agreement.query",
        { bizContent: { agreement_no: agreementNo } },
        { validateSign: true },
      );
      expect(query.status).toBe("NORMAL");
      expect((await second.get<{ now: string }>("/sandbox/clock")).body.now.startsWith("2027-05-01")).toBe(true);
    } finally {
      await second.sandbox.close();
    }
  });

  it("resumes undelivered notifications after a restart, with the same notify_id", async () => {
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), "sandbox-state-")), "state.json");
    const merchant = await startReceiver(["fail"]);
    try {
      const first = await startHarness({ stateFile, timeScale: 0.01 });
      const { userId } = await createUser(first);
      await signAgreement(first, { userId, notifyUrl: merchant.url });
      await merchant.waitFor(1);
      await first.sandbox.settleNotifications();
      await first.sandbox.close();

      const second = await startHarness({ stateFile, timeScale: 0.001 });
      try {
        const [failed, retried] = await merchant.waitFor(2);
        expect(retried?.params.notify_id).toBe(failed?.params.notify_id);
      } finally {
        await second.sandbox.close();
      }
    } finally {
      await merchant.close();
    }
  });
});
