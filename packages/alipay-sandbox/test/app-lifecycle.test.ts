import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SandboxAgreementView, SandboxNotificationView } from "../src/index.ts";
import { APP_ID, createUser, signAgreement, startHarness, type Harness } from "./support/sandbox-harness.ts";
import { startReceiver } from "./support/notify-receiver.ts";

// What the user does in the Alipay app (pause, resume, unsign) and where Alipay sends app-level messages: the app
// gateway (docs/alipay-protocol.md §17.3, §17.4).

let harness: Harness;
const receivers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  harness = await startHarness({ timeScale: 0.001 });
});
afterEach(async () => {
  await harness.post(`/sandbox/apps/${APP_ID}/app-gateway`, { appGatewayUrl: null });
  await harness.post("/sandbox/reset");
  for (const receiver of receivers.splice(0)) await receiver.close();
});
afterAll(() => harness.sandbox.close());

async function receiver() {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

async function notifications(): Promise<SandboxNotificationView[]> {
  return (await harness.get<SandboxNotificationView[]>("/sandbox/notifications")).body;
}

async function query(agreementNo: string) {
  return (await harness.sdk.exec("alipay.user.agreement.query", { bizContent: { agreement_no: agreementNo } })) as {
    code: string;
    status?: string;
  };
}

describe("the user pauses and resumes an agreement in the Alipay app", () => {
  it("agreement.query shows STOP, trade.pay is refused, resume makes it NORMAL again, and nothing is notified", async () => {
    const merchant = await receiver();
    const userId = (await createUser(harness)).userId;
    const { agreementNo } = await signAgreement(harness, { userId, notifyUrl: merchant.url });
    await merchant.waitFor(1);

    const paused = await harness.post<SandboxAgreementView>(`/sandbox/agreements/${agreementNo}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe("STOP");
    expect(await query(agreementNo)).toMatchObject({ code: "10000", status: "STOP" });
    const pay = (await harness.sdk.exec("alipay.trade.pay", {
      bizContent: {
        out_trade_no: "PAUSED_1",
        total_amount: "1.00",
        subject: "paused",
        product_code: "GENERAL_WITHHOLDING",
        agreement_params: { agreement_no: agreementNo },
      },
    })) as { sub_code?: string };
    expect(pay.sub_code).toBe("ACQ.AGREEMENT_STATUS_NOT_NORMAL");
    expect((await harness.post(`/sandbox/agreements/${agreementNo}/pause`)).status).toBe(409);

    expect((await harness.post(`/sandbox/agreements/${agreementNo}/resume`)).status).toBe(200);
    expect(await query(agreementNo)).toMatchObject({ code: "10000", status: "NORMAL" });
    expect((await harness.post(`/sandbox/agreements/${agreementNo}/resume`)).status).toBe(409);
    expect((await notifications()).map((entry) => entry.notifyType)).toEqual(["dut_user_sign"]);
  });
});

describe("the app gateway", () => {
  it("a user unsign is sent nowhere when the app has no app gateway, never to the sign notify_url", async () => {
    const merchant = await receiver();
    const userId = (await createUser(harness)).userId;
    const { agreementNo } = await signAgreement(harness, { userId, notifyUrl: merchant.url });
    await merchant.waitFor(1);
    expect((await harness.post(`/sandbox/agreements/${agreementNo}/unsign`)).status).toBe(200);
    expect((await notifications()).map((entry) => entry.notifyType)).toEqual(["dut_user_sign"]);
    expect(await query(agreementNo)).toMatchObject({ sub_code: "AGREEMENT_HAS_UNSIGNED" });
  });

  it("is shown by /sandbox/info and refuses an unknown app", async () => {
    await harness.post(`/sandbox/apps/${APP_ID}/app-gateway`, { appGatewayUrl: "http://127.0.0.1:9/alipay/notify" });
    const info = await harness.get<{ apps: Array<{ appId: string; appGatewayUrl: string | null }> }>("/sandbox/info");
    expect(info.body.apps).toContainEqual(
      expect.objectContaining({ appId: APP_ID, appGatewayUrl: "http://127.0.0.1:9/alipay/notify" }),
    );
    expect((await harness.post("/sandbox/apps/2021999999999999/app-gateway", { appGatewayUrl: null })).status).toBe(
      404,
    );
  });
});

describe("lose-notify", () => {
  it("drops every delivery of Alipay's schedule; the receiver never sees the notification", async () => {
    const merchant = await receiver();
    await harness.post("/sandbox/faults", { method: "dut_user_sign", mode: "lose-notify" });
    const userId = (await createUser(harness)).userId;
    await signAgreement(harness, { userId, notifyUrl: merchant.url });
    // Each clock move past the next retry sends it at once (the schedule's longest gap is 15 h).
    for (let move = 0; move < 8; move++) {
      await harness.sandbox.settleNotifications();
      const later = new Date(harness.sandbox.now().getTime() + 16 * 3_600_000).toISOString();
      await harness.post("/sandbox/clock", { now: later });
    }
    await harness.sandbox.settleNotifications();
    expect(merchant.received.length).toBe(0);
    const [sign] = await notifications();
    expect(sign?.attempts.length).toBe(8);
    expect(sign?.attempts.every((attempt) => attempt.note === "dropped")).toBe(true);
    expect(sign?.delivered).toBe(false);
  });
});
