import { defined } from "@paysign/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxControl, type SandboxControl } from "../src/index.ts";
import { startReceiver } from "./support/notify-receiver.ts";
import { APP_ID, signAgreement, startHarness, type Harness } from "./support/sandbox-harness.ts";

// The typed client of the control API against a running sandbox: each method reaches its route and its answer has
// the shape the routes declare (the same types on both sides).

let harness: Harness;
let control: SandboxControl;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  harness = await startHarness();
  control = createSandboxControl(harness.url);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await harness.sandbox.close();
});

describe("the typed control client", () => {
  it("creates buyers, sets balances and issues auth codes", async () => {
    const created = await control.createUser({ balance: "12.5" });
    expect(created.status).toBe(200);
    expect(created.body.userId).toMatch(/^2088\d{12}$/);
    expect(created.body.balance).toBe("12.50");
    expect((await control.setBalance(created.body.userId, "3.00")).body.balance).toBe("3.00");
    expect((await control.users()).body).toContainEqual({ ...created.body, balance: "3.00" });
    expect((await control.createAuthCode(created.body.userId)).body.authCode.length).toBeGreaterThan(0);
  });

  it("moves the clock and reads it back in ISO and Alipay form", async () => {
    // The simulated clock keeps running from the time set, so an answer may be a few milliseconds later.
    const moved = await control.setClock("2027-03-01T10:00:00+08:00");
    expect(moved.status).toBe(200);
    const drift = Date.parse(moved.body.now) - Date.parse("2027-03-01T02:00:00.000Z");
    expect(drift).toBeGreaterThanOrEqual(0);
    expect(drift).toBeLessThan(5_000);
    expect(moved.body.alipayTime.startsWith("2027-03-01 10:00:0")).toBe(true);
    expect((await control.clock()).body.alipayTime.startsWith("2027-03-01 10:0")).toBe(true);
  });

  it("reads agreements and notifications, unsigns and redelivers", async () => {
    const { userId } = (await control.createUser()).body;
    const { agreementNo } = await signAgreement(harness, { userId, notifyUrl: receiver.url });
    expect((await control.agreements()).body).toContainEqual(
      expect.objectContaining({ agreement_no: agreementNo, alipay_user_id: userId, status: "NORMAL" }),
    );
    // The user's unsign goes to the app gateway: here the same receiver.
    expect((await control.setAppGateway(APP_ID, receiver.url)).body).toEqual({
      appId: APP_ID,
      appGatewayUrl: receiver.url,
    });
    const unsigned = await control.unsignAgreement(agreementNo);
    expect(unsigned.body.status).toBe("UNSIGN");
    await receiver.waitFor(2);
    await harness.sandbox.settleNotifications();
    const unsign = (await control.notifications()).body.find(
      (notification) =>
        notification.notifyType === "dut_user_unsign" && notification.params.agreement_no === agreementNo,
    );
    expect(unsign?.attempts.length).toBeGreaterThan(0);
    const again = await control.redeliverNotification(defined(unsign, "unsign").notifyId);
    expect(again.body.attempts.at(-1)?.note).toBe("redelivery");
    expect((await control.trades()).body).toEqual([]);
    await control.setAppGateway(APP_ID, null);
  });

  it("adds, lists and clears faults; answers refusals with the control API's error body", async () => {
    const added = await control.addFault({ method: "alipay.trade.pay", mode: "timeout", count: 2 });
    expect(added.body).toEqual({ method: "alipay.trade.pay", mode: "timeout", count: 2, applied: true });
    expect((await control.faults()).body).toEqual([added.body]);
    expect((await control.clearFaults()).body).toEqual([]);
    const refused = await control.setBalance("2088000000009999", "1.00");
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("reads the sandbox's settings and resets its state", async () => {
    const info = await control.info();
    expect(info.body.alipayPublicKey).toBe(harness.sandbox.alipayPublicKey);
    expect(info.body.apps.map((app) => app.appId)).toEqual(harness.sandbox.apps.map((app) => app.appId));
    expect((await control.reset()).body).toEqual({ reset: true });
    expect((await control.users()).body).toEqual([]);
  });
});
